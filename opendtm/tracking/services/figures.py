"""Figures from submissions: written when one is approved, rewritten when it changes.

The figures of a submission are a function of its current parsed data, its review state, its
form version's mapping, its place and its round; figures_recompute applies that function,
replacing whatever the submission had given the round's draft revision. Only approved
submissions give figures. A published round is frozen: a change to one of its submissions
becomes a validation issue asking for a correction instead.
"""

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from opendtm.collection.models import Form, Submission, SubmissionVersion
from opendtm.collection.services.submission_parsing import value_at
from opendtm.geo.models import AdminArea
from opendtm.tracking.models import (
    AssessmentType,
    FieldMapping,
    Figure,
    Round,
    RoundRevision,
    ValidationIssue,
)
from opendtm.tracking.services.mapping import mapping_for
from opendtm.tracking.services.rounds import round_for_date
from opendtm.tracking.services.validation import submission_validate

logger = logging.getLogger(__name__)

ASSESSMENT_OF_KIND = {
    Form.Kind.BASELINE_AREA: AssessmentType.BASELINE_AREA,
    Form.Kind.SITE_ASSESSMENT: AssessmentType.SITE,
    Form.Kind.EMERGENCY_EVENT: AssessmentType.EMERGENCY_EVENT,
}
NO_PLACE = "no_place"
LATE = "published_round_changed"


def submissions_changed_received(submission_ids: list[int], **_kwargs: Any) -> None:
    figures_recompute(submission_ids)


def figures_recompute(submission_ids: Iterable[int]) -> int:
    """Rewrite the figures of these submissions; how many figures they now give."""
    # Only approved submissions give figures; others matter only if they gave some before or
    # have issues to clear. A batch of newly received submissions costs this one query.
    concerned = (
        Q(review_state=Submission.Review.APPROVED)
        | Exists(Figure.objects.filter(submission=OuterRef("pk")))
        | Exists(ValidationIssue.objects.filter(submission=OuterRef("pk")))
    )
    submissions = Submission.objects.filter(
        concerned, pk__in=list(submission_ids), form__kind__in=list(ASSESSMENT_OF_KIND)
    ).select_related(
        "operation", "form", "site__admin_area", "admin_area", "round_attachment__round"
    )
    written = 0
    for submission in submissions:
        with transaction.atomic():
            written += submission_figures_write(submission)
    return written


def submission_round(submission: Submission) -> Round | None:
    attachment = getattr(submission, "round_attachment", None)
    if attachment is not None:
        return attachment.round
    kind = ASSESSMENT_OF_KIND[Form.Kind(submission.form.kind)]
    return round_for_date(submission.operation, kind, submission.received_at.date())


def submission_figures_write(submission: Submission) -> int:
    found = submission_round(submission)
    if found is None:
        return 0
    draft = RoundRevision.objects.filter(round=found, status=RoundRevision.Status.DRAFT).first()
    if draft is None:
        if Figure.objects.filter(revision__round=found, submission=submission).exists():
            issue(
                found,
                submission,
                LATE,
                _(
                    "This submission changed after %(round)s was published; its published figures "
                    "still show the earlier data."
                )
                % {"round": found},
                blocking=False,
            )
        return 0
    Figure.objects.filter(revision=draft, submission=submission).delete()
    ValidationIssue.objects.filter(round=found, submission=submission, rule=NO_PLACE).delete()
    rows = approved_figures(submission, found, draft)
    Figure.objects.bulk_create(rows)
    submission_validate(found, submission.pk, rows)
    return len(rows)


def approved_figures(submission: Submission, found: Round, draft: RoundRevision) -> list[Figure]:
    if submission.review_state != Submission.Review.APPROVED:
        return []
    version = (
        SubmissionVersion.objects.filter(submission=submission, current=True)
        .select_related("form_version__form")
        .first()
    )
    if version is None or version.data is None:
        return []
    area = place_area(submission)
    if area is None:
        issue(
            found,
            submission,
            NO_PLACE,
            _("The submission names no known site or admin area, so it gives no figures."),
            blocking=True,
        )
        return []
    return figures_of(version, mapping_for(version.form_version), area, draft, submission)


def place_area(submission: Submission) -> AdminArea | None:
    if submission.site is not None:
        return submission.site.admin_area
    return submission.admin_area


def figures_of(
    version: SubmissionVersion,
    mapping: list[FieldMapping],
    area: AdminArea,
    draft: RoundRevision,
    submission: Submission,
) -> list[Figure]:
    ancestry = area_ancestry(area)
    rows = []
    for item in mapping:
        value = mapped_value(item, value_at(version.data or {}, item.path))
        if value is None:
            continue
        rows.append(
            Figure(
                revision=draft,
                indicator=item.indicator,
                admin_area=area,
                site=submission.site,
                sex=item.sex,
                age_band=item.age_band,
                value=value,
                submission=submission,
                form_version=version.form_version,
                **ancestry,
            )
        )
    return rows


def mapped_value(item: FieldMapping, answer: str) -> float | None:
    """The figure a question's answer gives; None when unanswered or not a number."""
    if answer == "":
        return None
    if item.choice:
        return item.value if answer == item.choice else item.otherwise
    try:
        return float(answer)
    except ValueError:
        return None


def area_ancestry(area: AdminArea) -> dict[str, int | None]:
    """admin1..admin3 of an area (itself included), by walking up its parents."""
    chain = {area.level: area.pk}
    parent_id = area.parent_id
    while parent_id is not None:
        parent = AdminArea.objects.only("level", "parent_id").get(pk=parent_id)
        chain[parent.level] = parent.pk
        parent_id = parent.parent_id
    return {f"admin{level}_id": chain.get(level) for level in (1, 2, 3)}


def issue(found: Round, submission: Submission, rule: str, message: str, *, blocking: bool) -> None:
    ValidationIssue.objects.get_or_create(
        round=found,
        submission=submission,
        rule=rule,
        state=ValidationIssue.State.OPEN,
        defaults={
            "message": message,
            "site": submission.site,
            "admin_area": submission.admin_area,
            "severity": (
                ValidationIssue.Severity.BLOCKING if blocking else ValidationIssue.Severity.WARNING
            ),
        },
    )
