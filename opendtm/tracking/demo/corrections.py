"""What changes between rounds besides the answers: camps opening, and a published round
corrected after a verification visit."""

import random

from opendtm.collection.models import Submission
from opendtm.collection.services.edits import submission_edit_fields
from opendtm.geo.demo import random_point_in
from opendtm.geo.models import AdminArea, Site
from opendtm.geo.services.sites import SiteData, site_create
from opendtm.tracking.demo.answers import instance_id, site_answers, split, totals
from opendtm.tracking.demo.flaws import LAST
from opendtm.tracking.demo.workflow import Demo, period
from opendtm.tracking.demo.world import Place
from opendtm.tracking.models import Round, RoundRevision
from opendtm.tracking.services.form_templates import form_template_lists_refresh
from opendtm.tracking.services.rounds import round_correct, round_publish
from opendtm.tracking.services.validation import round_validate_run

CORRECTED = 3  # 0-based: site assessment round 4
SHARE_KEPT = 0.8
CORRECTION_REASON = (
    "Verification visit: the headcount of %(site)s counted host families living around the "
    "site as IDPs. Its IDP figures are corrected to the verified count."
)
EDIT_REASON = "Verified headcount after the verification visit (round correction)."


def camps_ensure(demo: Demo) -> None:
    """The camps opened for the wave, added to the master list, and to the form's site list."""
    created = False
    for place in demo.world.sites:
        if not place.new or Site.objects.filter(operation=demo.operation, code=place.code).exists():
            continue
        area = AdminArea.objects.get(operation=demo.operation, pcode=place.lga.pcode)
        latitude, longitude = (None, None)
        if area.geometry:
            latitude, longitude = random_point_in(area.geometry, random.Random(place.code))
        site_create(
            actor=demo.admin,
            operation=demo.operation,
            data=SiteData(
                code=place.code,
                name=place.name,
                site_type=Site.Type.CAMP,
                admin_area=area,
                latitude=latitude,
                longitude=longitude,
            ),
        )
        created = True
    if created:
        form_template_lists_refresh(actor=demo.admin, form=demo.versions["SA"].form)


def correction_ensure(demo: Demo) -> None:
    """Site round 4, published, corrected in a second revision: one site's IDPs were too many."""
    round = Round.objects.get(operation=demo.operation, assessment_type="SA", number=CORRECTED + 1)
    if RoundRevision.objects.filter(round=round).count() > 1:
        return
    flawed = {flaw.place for flaw in demo.flaws}
    candidates = [
        place
        for place in demo.world.sites
        if place.assessed and place.last == LAST and not place.new and place.code not in flawed
    ]
    # Around Maiduguri, where host families live among the IDPs, if the operation has it.
    place = min(candidates, key=lambda place: (place.lga.trend[CORRECTED] >= 1, place.code))
    submission = Submission.objects.get(
        form=demo.versions["SA"].form,
        instance_id=instance_id(demo.world.seed, "SA", CORRECTED, place.code, 0),
    )
    round_correct(actor=demo.admin, round=round, reason=CORRECTION_REASON % {"site": place.name})
    submission_edit_fields(
        actor=demo.manager,
        submission=submission,
        changes=corrected_counts(demo, place),
        reason=EDIT_REASON,
    )
    round_validate_run(actor=demo.manager, round=round)
    round_publish(actor=demo.admin, round=round)


def corrected_counts(demo: Demo, place: Place) -> dict[str, str]:
    start, _end = period(CORRECTED)
    population = site_answers(demo.world, place, CORRECTED, start)["population"]
    people = round(int(population["idp_ind"]) * SHARE_KEPT)
    cells = split(people, random.Random(f"{demo.world.seed}:correction"))
    values = {
        "idp_hh": max(1, round(int(population["idp_hh"]) * SHARE_KEPT)),
        "idp_ind": people,
        **cells,
        **totals(cells),
    }
    return {f"population/{name}": str(value) for name, value in values.items()}
