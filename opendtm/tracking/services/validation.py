"""Validation rules, run on a submission's figures when they are written and on the whole
round before it is published.

Each finding is a ValidationIssue naming the rule, the submission (or place) and the field.
Running the rules again replaces the open findings of those rules; a finding someone
explained stays explained while it still holds, and one that no longer holds is marked fixed.

Blocking (the round cannot be published while one is open): sex or age bands not adding up
to the total, more households than individuals, two approved assessments of one place.
Warnings: household size above 15, change from the previous round beyond the operation's
threshold, site totals above the area's baseline figure.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from opendtm.accounts.models import User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.accounts.services.audit import Action, audit_record
from opendtm.core.errors import ApplicationError, Problem
from opendtm.tracking.models import (
    AssessmentType,
    Figure,
    Round,
    RoundRevision,
    TrackingSettings,
    ValidationIssue,
)
from opendtm.tracking.selectors.figures import previous_round
from opendtm.tracking.services.rounds import draft_revision

Severity = ValidationIssue.Severity
State = ValidationIssue.State
MAX_HOUSEHOLD_SIZE = 15
PAIRS = (("idp_households", "idp_individuals"), ("returnee_households", "returnee_individuals"))
SUBMISSION_RULES = ("sex_sum", "age_sum", "households_over_individuals", "household_size")
ROUND_RULES = ("duplicate_place", "change", "site_above_area")


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    severity: str
    field: str = ""
    submission_id: int | None = None
    site_id: int | None = None
    admin_area_id: int | None = None

    @property
    def key(self) -> tuple:
        return (self.rule, self.submission_id, self.site_id, self.admin_area_id, self.field)


def submission_findings(figures: list[Figure]) -> list[Finding]:
    """The rules on one submission's figures (indicator, sex, age band → value)."""
    if not figures:
        return []
    values = {(item.indicator.code, item.sex, item.age_band): item.value for item in figures}
    first = figures[0]
    place = {"submission_id": first.submission_id, "site_id": first.site_id}
    findings = []
    for code in sorted({item.indicator.code for item in figures}):
        total = values.get((code, "", ""))
        if total is None:
            continue
        for rule, parts in (("sex_sum", by_sex(values, code)), ("age_sum", by_age(values, code))):
            if parts and sum(parts) != total:
                findings.append(
                    Finding(
                        rule,
                        sum_message(rule, code, sum(parts), total),
                        Severity.BLOCKING,
                        code,
                        **place,
                    )
                )
    for households_code, individuals_code in PAIRS:
        households = values.get((households_code, "", ""))
        individuals = values.get((individuals_code, "", ""))
        if not households or individuals is None:
            continue
        if households > individuals:
            findings.append(
                Finding(
                    "households_over_individuals",
                    _("%(hh)g households but only %(ind)g individuals")
                    % {"hh": households, "ind": individuals},
                    Severity.BLOCKING,
                    households_code,
                    **place,
                )
            )
        elif individuals / households > MAX_HOUSEHOLD_SIZE:
            findings.append(
                Finding(
                    "household_size",
                    _("%(size).1f people per household, more than %(max)d")
                    % {"size": individuals / households, "max": MAX_HOUSEHOLD_SIZE},
                    Severity.WARNING,
                    individuals_code,
                    **place,
                )
            )
    return findings


Values = dict[tuple[str, str, str], float]


def by_sex(values: Values, code: str) -> list[float]:
    return [value for (key, sex, age), value in values.items() if key == code and sex and not age]


def by_age(values: Values, code: str) -> list[float]:
    return [value for (key, sex, age), value in values.items() if key == code and age and not sex]


def sum_message(rule: str, code: str, parts: float, total: float) -> str:
    if rule == "sex_sum":
        text = _("%(code)s: females and males add up to %(sum)g, not the total %(total)g")
    else:
        text = _("%(code)s: the age bands add up to %(sum)g, not the total %(total)g")
    return text % {"code": code, "sum": parts, "total": total}


def submission_validate(round: Round, submission_id: int, figures: list[Figure]) -> None:
    """Called when a submission's figures are rewritten."""
    record(round, SUBMISSION_RULES, submission_findings(figures), submission_ids=[submission_id])


def round_validate(round: Round) -> list[ValidationIssue]:
    """Every rule over the round's draft; the issues still open afterwards."""
    draft = draft_revision(round)  # a published round refuses: its figures are frozen
    figures = list(
        Figure.objects.filter(revision=draft).select_related("indicator").order_by("submission_id")
    )
    by_submission: dict[int | None, list[Figure]] = defaultdict(list)
    for item in figures:
        by_submission[item.submission_id].append(item)
    findings = [
        finding for group in by_submission.values() for finding in submission_findings(group)
    ]
    findings += duplicate_findings(round, draft)
    findings += change_findings(round, draft)
    findings += site_above_area_findings(round, draft)
    record(round, SUBMISSION_RULES + ROUND_RULES, findings)
    return list(ValidationIssue.objects.filter(round=round, state=State.OPEN))


def duplicate_findings(round: Round, draft: RoundRevision) -> list[Finding]:
    place = "site" if round.assessment_type == AssessmentType.SITE else "admin_area"
    rows = (
        Figure.objects.filter(revision=draft)
        .values(place)
        .order_by()
        .annotate(assessments=Count("submission", distinct=True))
        .filter(assessments__gt=1)
    )
    return [
        Finding(
            "duplicate_place",
            _("%(count)d approved assessments of the same place in this round")
            % {"count": row["assessments"]},
            Severity.BLOCKING,
            **{f"{place}_id": row[place]},
        )
        for row in rows
    ]


def place_totals(revision: RoundRevision, place: str, code: str) -> dict[int, float]:
    rows = (
        Figure.objects.filter(revision=revision, indicator__code=code, sex="", age_band="")
        .exclude(**{f"{place}__isnull": True})
        .values(place)
        .order_by()
        .annotate(total=Sum("value"))
    )
    return {row[place]: row["total"] for row in rows}


def change_findings(round: Round, draft: RoundRevision) -> list[Finding]:
    earlier = previous_round(round)
    if earlier is None:
        return []
    published = RoundRevision.objects.get(round=earlier, status=RoundRevision.Status.PUBLISHED)
    settings = TrackingSettings.objects.filter(operation_id=round.operation_id).first()
    threshold = settings.change_threshold_percent if settings else 50
    place = "site" if round.assessment_type == AssessmentType.SITE else "admin_area"
    before = place_totals(published, place, "idp_individuals")
    findings = []
    for place_id, total in place_totals(draft, place, "idp_individuals").items():
        previous = before.get(place_id)
        if not previous or abs(total - previous) * 100 <= threshold * previous:
            continue
        findings.append(
            Finding(
                "change",
                _(
                    "IDP individuals went from %(before)g to %(now)g (%(change)+.0f%%) since round %(number)d"
                )
                % {
                    "before": previous,
                    "now": total,
                    "change": 100 * (total - previous) / previous,
                    "number": earlier.number,
                },
                Severity.WARNING,
                "idp_individuals",
                **{f"{place}_id": place_id},
            )
        )
    return findings


def site_above_area_findings(round: Round, draft: RoundRevision) -> list[Finding]:
    """Site totals per admin area above the area's figure in the latest baseline round."""
    if round.assessment_type != AssessmentType.SITE:
        return []
    baseline = (
        RoundRevision.objects.filter(
            round__operation_id=round.operation_id,
            round__assessment_type=AssessmentType.BASELINE_AREA,
            round__period_start__lte=round.period_end,
            status=RoundRevision.Status.PUBLISHED,
        )
        .order_by("-round__period_start")
        .first()
    )
    if baseline is None:
        return []
    areas = place_totals(baseline, "admin_area", "idp_individuals")
    sites = place_totals(draft, "admin_area", "idp_individuals")
    return [
        Finding(
            "site_above_area",
            _("The sites of this area count %(sites)g IDPs, above the %(area)g of the baseline")
            % {"sites": total, "area": areas[area_id]},
            Severity.WARNING,
            "idp_individuals",
            admin_area_id=area_id,
        )
        for area_id, total in sites.items()
        if area_id in areas and total > areas[area_id]
    ]


def record(
    round: Round,
    rules: Iterable[str],
    findings: list[Finding],
    submission_ids: list[int] | None = None,
) -> None:
    """Replace the open findings of these rules; keep explanations; mark the gone ones fixed."""
    scope = ValidationIssue.objects.filter(round=round, rule__in=list(rules))
    if submission_ids is not None:
        scope = scope.filter(submission_id__in=submission_ids)
    wanted = {finding.key: finding for finding in findings}
    now = timezone.now()
    with transaction.atomic():
        for existing in scope.exclude(state=State.FIXED):
            key = (
                existing.rule,
                existing.submission_id,
                existing.site_id,
                existing.admin_area_id,
                existing.field,
            )
            if key in wanted:
                finding = wanted.pop(key)
                if existing.message != finding.message:
                    existing.message = finding.message
                    existing.save(update_fields=["message"])
            elif existing.state == State.OPEN:
                existing.delete()  # never looked at: nothing to keep
            else:
                existing.state = State.FIXED
                existing.decided_at = now
                existing.save(update_fields=["state", "decided_at"])
        ValidationIssue.objects.bulk_create(
            ValidationIssue(round=round, **vars(finding)) for finding in wanted.values()
        )


def round_validate_run(*, actor: User, round: Round) -> list[ValidationIssue]:
    """A reviewer's run of every rule, audited with what it left open."""
    require(user=actor, operation=round.operation, capability=Capability.REVIEW)
    with transaction.atomic():
        still_open = round_validate(round)
        audit_record(
            actor=actor,
            operation=round.operation,
            action=Action.UPDATE,
            instance=round,
            after={"open_issues": len(still_open)},
            note="validation run",
        )
    return still_open


def issue_explain(*, actor: User, issue: ValidationIssue, explanation: str) -> ValidationIssue:
    """Accept a finding as right, with the reason; it no longer blocks publishing."""
    operation = issue.round.operation
    require(user=actor, operation=operation, capability=Capability.REVIEW)
    explanation = explanation.strip()
    if not explanation:
        raise ApplicationError(
            _("Say why the figure is right: an explanation is required."),
            problems=[Problem(_("An explanation is required."), field="explanation")],
        )
    with transaction.atomic():
        before = issue.state
        issue.state = State.EXPLAINED
        issue.explanation = explanation
        issue.decided_by = actor
        issue.decided_at = timezone.now()
        issue.save(update_fields=["state", "explanation", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            operation=operation,
            action=Action.UPDATE,
            instance=issue,
            before={"state": before},
            after={"state": issue.state},
            note=explanation,
        )
    return issue
