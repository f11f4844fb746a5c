"""The demo's rounds done the way a data manager does them, through the real services.

Each assessment is XML received by the OpenRosa ingest (submission_receive) and parsed by
the parse service; the round's assessments are attached to it (their dates are past) and
approved by review, whose signal writes their figures. Then the round is validated, its findings dealt with as the
flaws say (rejected, fixed by a field edit, explained), and published; the last round stays
in validation with its findings open.
"""

import calendar
import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Q

from opendtm.accounts.models import Operation, User
from opendtm.collection.models import FormVersion, Submission, SubmissionVersion
from opendtm.collection.services.edits import submission_edit_fields
from opendtm.collection.services.review import submission_review
from opendtm.collection.services.submission_parsing import submission_parse
from opendtm.collection.services.submissions import submission_receive
from opendtm.tracking.demo.answers import (
    Answers,
    area_answers,
    instance_id,
    instance_xml,
    site_answers,
    totals,
)
from opendtm.tracking.demo.flaws import DUPLICATE, LAST, SEX_TYPO, SWAP, TYPO, Flaw
from opendtm.tracking.demo.world import World
from opendtm.tracking.forms import site_assessment
from opendtm.tracking.models import Round, ValidationIssue
from opendtm.tracking.services.attach import round_attach
from opendtm.tracking.services.rounds import RoundData, round_create, round_move, round_publish
from opendtm.tracking.services.validation import issue_explain, round_validate_run

FIRST_MONTH = datetime.date(2026, 5, 1)
USER_AGENT = "opendtm demo"
Approved = Submission.Review.APPROVED
# The findings each flaw gives, by what it is.
RULES = {
    SEX_TYPO: ("sex_sum", "age_sum"),
    SWAP: ("households_over_individuals",),
    DUPLICATE: ("duplicate_place",),
    "change": ("change",),
    "site_above_area": ("site_above_area",),
}


@dataclass
class Demo:
    operation: Operation
    admin: User
    manager: User
    enumerator: User
    world: World
    flaws: list[Flaw]
    versions: dict[str, FormVersion]  # by assessment type
    sent: dict[tuple[str, int, str, int], Submission] = field(default_factory=dict)

    def flaws_of(self, kind: str, index: int) -> list[Flaw]:
        return [flaw for flaw in self.flaws if (flaw.kind, flaw.index) == (kind, index)]


def period(index: int) -> tuple[datetime.date, datetime.date]:
    month = FIRST_MONTH.month + index
    start = FIRST_MONTH.replace(
        year=FIRST_MONTH.year + (month - 1) // 12, month=(month - 1) % 12 + 1
    )
    return start, start.replace(day=calendar.monthrange(start.year, start.month)[1])


def round_ensure(demo: Demo, kind: str, index: int) -> Round:
    found = Round.objects.filter(
        operation=demo.operation, assessment_type=kind, number=index + 1
    ).first()
    if found is not None:
        return found
    start, end = period(index)
    title = f"{'Baseline' if kind == 'BA' else 'Site assessment'} {start:%B %Y}"
    created = round_create(
        actor=demo.admin,
        operation=demo.operation,
        data=RoundData(index + 1, kind, start, end, title=title),
    )
    return round_move(actor=demo.admin, round=created, status=Round.Status.COLLECTING)


def round_run(demo: Demo, kind: str, index: int) -> Round:
    """Collect, validate, deal with the findings and publish (all but the last round)."""
    round = round_ensure(demo, kind, index)
    done = Round.Status.VALIDATING if index == LAST else Round.Status.PUBLISHED
    if round.status == done:
        return round
    received = [
        receive(demo, (kind, index, place, copy), answers)
        for place, answers, copy in assessments(demo, kind, index)
    ]
    round_attach(actor=demo.manager, submissions=received, round=round)
    for submission in received:
        if submission.review_state == Submission.Review.RECEIVED:
            submission_review(actor=demo.manager, submission=submission, state=Approved)
    if round.status == Round.Status.COLLECTING:
        round_move(actor=demo.manager, round=round, status=Round.Status.VALIDATING)
    round_validate_run(actor=demo.manager, round=round)
    for flaw in demo.flaws_of(kind, index):
        resolve(demo, round, flaw)
    round_validate_run(actor=demo.manager, round=round)
    if index != LAST:
        round_publish(actor=demo.admin, round=round)
    return round


def assessments(demo: Demo, kind: str, index: int) -> Iterator[tuple[str, Answers, int]]:
    """(place, answers, copy) of every assessment of the round, flaws included."""
    start, _end = period(index)
    flaws = {(flaw.place, flaw.what) for flaw in demo.flaws_of(kind, index)}
    world = demo.world
    if kind == "BA":
        for lga in world.lgas:
            day = start + datetime.timedelta(days=3 + sum(map(ord, lga.pcode)) % 20)
            yield lga.pcode, flawed(area_answers(world, lga, index, day), lga.pcode, flaws), 0
        return
    for place in world.sites:
        if not (place.assessed and place.open_in(index)):
            continue
        day = start + datetime.timedelta(days=3 + sum(map(ord, place.code)) % 20)
        yield place.code, flawed(site_answers(world, place, index, day), place.code, flaws), 0
        if (place.code, DUPLICATE) in flaws:
            later = day + datetime.timedelta(days=1)
            yield place.code, site_answers(world, place, index, later, copy=1), 1


def flawed(answers: Answers, place: str, flaws: set[tuple[str, str]]) -> Answers:
    if (place, SEX_TYPO) in flaws:
        population = answers["population"]
        population["idp_f_18_59"] = str(int(population["idp_f_18_59"]) + TYPO)
        cells = {name: int(population[name]) for name in site_assessment.CELLS}
        population.update({name: str(value) for name, value in totals(cells).items()})
    if (place, SWAP) in flaws:
        group, small, large = (
            ("population", "idp_hh", "idp_ind")
            if "population" in answers
            else ("returnees", "ret_hh", "ret_ind")
        )
        values = answers[group]
        values[small], values[large] = values[large], values[small]
    return answers


def receive(demo: Demo, key: tuple[str, int, str, int], answers: Answers) -> Submission:
    """Receive and parse one assessment (a resend is recognised by its instanceID)."""
    version = demo.versions[key[0]]
    xml = instance_xml(
        version.form.form_id, version.version, answers, instance_id(demo.world.seed, *key)
    )
    received = submission_receive(
        operation=demo.operation, xml=xml, submitted_by=demo.enumerator, user_agent=USER_AGENT
    )
    if received.version.parse_status == SubmissionVersion.Parse.PENDING:
        submission_parse(received.version)  # a parse worker would have; the demo does not wait
    demo.sent[key] = received.submission
    return received.submission


def resolve(demo: Demo, round: Round, flaw: Flaw) -> None:
    if flaw.resolution == "reject":
        duplicate = demo.sent[(flaw.kind, flaw.index, flaw.place, 1)]
        if duplicate.review_state != Submission.Review.REJECTED:
            submission_review(
                actor=demo.manager, submission=duplicate, state="rejected", comment=flaw.note
            )
    elif flaw.resolution == "fix":
        submission = demo.sent[(flaw.kind, flaw.index, flaw.place, 0)]
        clean = clean_answers(demo, flaw)
        changes = {
            f"{group}/{name}": clean[group][name]
            for group, name in fixed_fields(flaw)
            if clean[group][name] != ""
        }
        if submission.edits == 0:
            submission_edit_fields(
                actor=demo.manager, submission=submission, changes=changes, reason=flaw.note
            )
    elif flaw.resolution == "explain":
        for issue in findings(demo, round, flaw):
            issue_explain(actor=demo.manager, issue=issue, explanation=flaw.note)


def clean_answers(demo: Demo, flaw: Flaw) -> Answers:
    """The flawed assessment's answers as they should have been."""
    start, _end = period(flaw.index)
    world = demo.world
    if flaw.kind == "BA":
        lga = next(lga for lga in world.lgas if lga.pcode == flaw.place)
        return area_answers(world, lga, flaw.index, start)
    place = next(place for place in world.sites if place.code == flaw.place)
    return site_answers(world, place, flaw.index, start)


def fixed_fields(flaw: Flaw) -> list[tuple[str, str]]:
    if flaw.what == SEX_TYPO:
        return [("population", name) for name in ("idp_f_18_59", "idp_f", "idp_age_18_59")]
    if flaw.kind == "BA":
        return [("returnees", "ret_hh"), ("returnees", "ret_ind")]
    return [("population", "idp_hh"), ("population", "idp_ind")]


def findings(demo: Demo, round: Round, flaw: Flaw) -> list[ValidationIssue]:
    issues = ValidationIssue.objects.filter(
        round=round, rule__in=RULES[flaw.what], state=ValidationIssue.State.OPEN
    )
    key = (flaw.kind, flaw.index, flaw.place, 0)
    if key in demo.sent and flaw.what in (SEX_TYPO, SWAP):
        return list(issues.filter(submission=demo.sent[key]))
    return list(issues.filter(Q(site__code=flaw.place) | Q(admin_area__pcode=flaw.place)))
