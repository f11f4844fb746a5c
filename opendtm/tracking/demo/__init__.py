"""The demo's mobility tracking: six monthly rounds of baseline and site assessments of Borno.

`demo_tracking_load` installs the two shipped DTM forms, then plays six months (May to
October 2026) of a DTM operation through the real services: world.py says who lives where,
answers.py what enumerators answer, flaws.py what goes wrong on purpose, workflow.py how a
data manager collects, reviews, validates and publishes each round. Afterwards a published
site round is corrected in a second revision, with its reason.

Idempotent: finished rounds are left alone, assessments already received are recognised by
their instanceID, and forms and sites are created once. Seeded: the same seed gives the same
figures.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection

from opendtm.accounts.models import Operation, User
from opendtm.collection.models import Form, FormVersion, Submission
from opendtm.collection.services.forms import form_upload_run
from opendtm.core.errors import ApplicationError
from opendtm.geo.models import AdminArea, Site
from opendtm.tracking.demo.corrections import camps_ensure, correction_ensure
from opendtm.tracking.demo.flaws import flaws_plan
from opendtm.tracking.demo.workflow import Demo, round_run
from opendtm.tracking.demo.world import (
    NEW_CAMP_ROUND,
    ROUNDS,
    AreaInput,
    SiteInput,
    World,
    world_build,
)
from opendtm.tracking.models import Round, ValidationIssue
from opendtm.tracking.services.form_templates import form_template_install, form_template_list

SEED = 2026
STATE = "008"  # Borno, after the operation's p-code prefix
MANAGER, ENUMERATOR = "datamanager", "enumerator"  # accounts/demo.py's users


@dataclass(frozen=True)
class TrackingSummary:
    rounds: int
    submissions: int
    open_issues: int  # in the rounds still being validated
    seconds: float


def demo_tracking_load(
    *, operation: Operation, admin: User, seed: int = SEED, sites_per_lga: int | None = None
) -> TrackingSummary:
    """Play the six rounds (those not done yet); `sites_per_lga` makes a smaller demo."""
    began = time.monotonic()
    demo = Demo(
        operation=operation,
        admin=admin,
        manager=User.objects.get(username=MANAGER),
        enumerator=User.objects.get(username=ENUMERATOR),
        world=borno(operation, seed, sites_per_lga),
        flaws=[],
        versions=forms_ensure(operation, admin),
    )
    demo.flaws = flaws_plan(demo.world)
    with commits_without_fsync():
        for index in range(ROUNDS):
            if index == NEW_CAMP_ROUND:
                camps_ensure(demo)
            round_run(demo, "BA", index)
            round_run(demo, "SA", index)
        correction_ensure(demo)
    rounds = Round.objects.filter(operation=operation)
    return TrackingSummary(
        rounds=rounds.count(),
        submissions=Submission.objects.filter(
            operation=operation, form__in=[version.form for version in demo.versions.values()]
        ).count(),
        open_issues=ValidationIssue.objects.filter(
            round__in=rounds.exclude(status=Round.Status.PUBLISHED),
            state=ValidationIssue.State.OPEN,
        ).count(),
        seconds=time.monotonic() - began,
    )


@contextmanager
def commits_without_fsync() -> Iterator[None]:
    """SQLite commits that do not wait for the disk (synchronous=NORMAL), for the demo only.

    The demo makes thousands of small commits, each a real service's; a crash can cost the
    last ones, which a second run (idempotent, seeded) makes again.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:  # theirs decides
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        previous = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA synchronous=NORMAL")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous={previous}")


def forms_ensure(operation: Operation, admin: User) -> dict[str, FormVersion]:
    """The two DTM forms, installed (converted now, not by a worker) unless they are there."""
    versions = {}
    for template in form_template_list():
        form = Form.objects.filter(operation=operation, form_id=template.form_id).first()
        if form is None:
            upload = form_template_install(actor=admin, operation=operation, template=template)
            upload = form_upload_run(upload.pk)
            if upload.version is None:
                raise ApplicationError(upload.message)
            form = upload.version.form
        assert form.current_version is not None
        kind = "BA" if template.kind == Form.Kind.BASELINE_AREA else "SA"
        versions[kind] = form.current_version
    return versions


def borno(operation: Operation, seed: int, sites_per_lga: int | None) -> World:
    """The world of Borno's LGAs and the sites placed in them."""
    state = f"{operation.pcode_prefix}{STATE}"
    lgas = (
        AdminArea.objects.current()
        .filter(operation=operation, level=2, parent__pcode=state)
        .order_by("pcode")
    )
    areas = [AreaInput(lga.pcode, lga.name, state) for lga in lgas]
    sites = [
        SiteInput(code, name, site_type, lga, status == Site.Status.CLOSED)
        for code, name, site_type, lga, status in Site.objects.filter(
            operation=operation, admin_area__in=lgas
        ).values_list("code", "name", "site_type", "admin_area__pcode", "status")
    ]
    return world_build(seed, areas, sites, sites_per_lga)
