"""Reading a form version's indicator mapping: for the form page and the mapping editor."""

from dataclasses import dataclass, field

from django.utils.translation import get_language

from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import AnyUser, can
from opendtm.collection.models import FormVersion
from opendtm.collection.selectors.forms import require_form_reader
from opendtm.core.errors import Problem
from opendtm.tracking.models import FieldMapping, Indicator
from opendtm.tracking.services.figures import ASSESSMENT_OF_KIND
from opendtm.tracking.services.mapping import (
    MappedQuestion,
    age_bands,
    catalogue_of,
    declares_mapping,
    mappable_questions,
    mapping_read,
)
from opendtm.tracking.services.mapping_edits import MappingSpec, specs_of

CATEGORIES = list(Indicator.Category.values)


@dataclass(frozen=True)
class MappingSummary:
    tracked: bool  # the form's kind gives figures (baseline, site or event assessment)
    declared: bool  # the XLSForm's indicator columns map it; otherwise the editor does
    mapped: int  # questions that give figures
    problems: list[Problem]


def mapping_summary(*, user: AnyUser, form_version: FormVersion) -> MappingSummary:
    """How many questions map to indicators, and what is wrong in the XLSForm's columns."""
    form = form_version.form
    require_form_reader(user=user, operation=form.operation)
    tracked = form.kind in ASSESSMENT_OF_KIND
    if declares_mapping(form_version):
        rows, problems = mapping_read(form_version)
        return MappingSummary(tracked, True, len({row.path for row in rows}), problems)
    stored = FieldMapping.objects.filter(form_version=form_version)
    return MappingSummary(tracked, False, stored.values("path").distinct().count(), [])


@dataclass(frozen=True)
class EditorRow:
    question: MappedQuestion
    spec: MappingSpec
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class IndicatorChoice:
    code: str
    label: str
    category: str


@dataclass(frozen=True)
class MappingEditor:
    form_version: FormVersion
    declared: bool
    editable: bool  # the user manages forms and the XLSForm does not map
    rows: list[EditorRow]
    problems: list[Problem]  # the XLSForm's, when it maps
    copied_from: FormVersion | None  # an earlier version whose mapping prefills the editor
    indicators: list[IndicatorChoice]
    patterns: list[str]  # need_rank_*: one rank indicator per choice of a select_one
    bands: list[str]

    @property
    def mapped(self) -> int:
        return sum(1 for row in self.rows if row.spec.indicator)


def catalogue_order(indicator: Indicator) -> tuple[int, int, str]:
    """Population first, then origin, needs, services and protection; the catalogue's order
    within each."""
    return (CATEGORIES.index(indicator.category), indicator.position, indicator.code)


def indicator_label(indicator: Indicator) -> str:
    french = (get_language() or "").startswith("fr")
    return (indicator.label_fr if french else "") or indicator.label_en


def mapping_editor(
    *,
    user: AnyUser,
    form_version: FormVersion,
    entered: list[MappingSpec] | None = None,
    problems: list[Problem] | None = None,
) -> MappingEditor:
    """Each number or select_one question with its mapping: the XLSForm's, the saved one, an
    earlier version's (not saved yet) or what was just entered and refused, with its problems.

    The whole catalogue is offered, protection indicators included: a mapping holds no data,
    and the figures it gives stay visible only to those allowed to see them."""
    operation = form_version.form.operation
    require_form_reader(user=user, operation=operation)
    declared = declares_mapping(form_version)
    questions = mappable_questions(form_version)
    copied_from = None
    xlsform_problems: list[Problem] = []
    if declared:
        specs = {question.path: declared_spec(question) for question in questions}
        xlsform_problems = mapping_read(form_version)[1]
    elif entered is not None:
        specs = {spec.path: spec for spec in entered}
    else:
        specs = specs_of(stored_rows(form_version))
        if not specs:
            copied_from, specs = earlier_mapping(form_version)
    by_path: dict[str, list[Problem]] = {}
    for problem in problems or []:
        by_path.setdefault(problem.where, []).append(problem)
    catalogue = catalogue_of(operation.pk).values()
    return MappingEditor(
        form_version=form_version,
        declared=declared,
        editable=not declared
        and can(user=user, operation=operation, capability=Capability.MANAGE_FORMS),
        rows=[
            EditorRow(
                question,
                specs.get(question.path, MappingSpec(question.path)),
                by_path.get(question.path, []),
            )
            for question in questions
        ],
        problems=xlsform_problems,
        copied_from=copied_from,
        indicators=[
            IndicatorChoice(item.code, indicator_label(item), item.get_category_display())
            for item in sorted(catalogue, key=catalogue_order)
        ],
        patterns=sorted(
            {
                f"{item.code.rpartition('_')[0]}_*"
                for item in catalogue
                if item.aggregation == Indicator.Aggregation.RANK and "_" in item.code
            }
        ),
        bands=age_bands(operation.pk),
    )


def declared_spec(question: MappedQuestion) -> MappingSpec:
    columns = question.spec
    return MappingSpec(
        question.path,
        columns["indicator"],
        columns["indicator_sex"],
        columns["indicator_age"],
        columns["indicator_value"],
    )


def stored_rows(form_version: FormVersion) -> list[FieldMapping]:
    return list(
        FieldMapping.objects.filter(form_version=form_version)
        .select_related("indicator")
        .order_by("path", "id")
    )


def earlier_mapping(form_version: FormVersion) -> tuple[FormVersion | None, dict[str, MappingSpec]]:
    """The saved mapping of the form's latest earlier version that has one, for the questions
    this version still has: a new upload of an unmapped XLSForm keeps the work done."""
    latest = (
        FieldMapping.objects.filter(
            form_version__form_id=form_version.form_id, form_version_id__lt=form_version.pk
        )
        .order_by("-form_version_id")
        .values_list("form_version_id", flat=True)
        .first()
    )
    if latest is None:
        return None, {}
    earlier = FormVersion.objects.only("version", "form_id").get(pk=latest)
    paths = {question.path for question in mappable_questions(form_version)}
    rows = [row for row in stored_rows(earlier) if row.path in paths]
    return earlier, specs_of(rows)
