"""The mapping editor's writes: a form version without indicator columns, mapped in the UI.

Each question gets the four values an XLSForm would carry in its indicator columns, checked
by the same rules (services/mapping.py, question_mapping). A save replaces the version's whole
mapping or, if any question is wrong, writes nothing; the figures of the version's approved
submissions are then recomputed from the new mapping.
"""

import dataclasses
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opendtm.accounts.models import User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.accounts.services.audit import Action, audit_record
from opendtm.collection.models import FormVersion, SubmissionVersion
from opendtm.core.errors import ApplicationError, Problem
from opendtm.tracking.models import FieldMapping
from opendtm.tracking.services.figures import figures_recompute
from opendtm.tracking.services.mapping import (
    age_bands,
    catalogue_of,
    declares_mapping,
    mappable_questions,
    question_mapping,
)
from opendtm.tracking.tasks import recompute_version_figures

RECOMPUTE_BATCH = 500


@dataclasses.dataclass(frozen=True)
class MappingSpec:
    """One question's mapping as the XLSForm columns would say it; no indicator: unmapped."""

    path: str
    indicator: str = ""
    sex: str = ""
    age: str = ""
    value: str = ""

    @property
    def columns(self) -> dict[str, str]:
        return {
            "indicator": self.indicator.strip(),
            "indicator_sex": self.sex.strip(),
            "indicator_age": self.age.strip(),
            "indicator_value": self.value.strip(),
        }


def specs_of(rows: Iterable[FieldMapping]) -> dict[str, MappingSpec]:
    """Stored rows back to one spec per question (a rank pattern's rows become the pattern)."""
    by_path: dict[str, list[FieldMapping]] = {}
    for row in rows:
        by_path.setdefault(row.path, []).append(row)
    return {path: spec_of(path, found) for path, found in by_path.items()}


def spec_of(path: str, rows: list[FieldMapping]) -> MappingSpec:
    first = rows[0]
    if first.choice and first.otherwise is None:  # a rank: one row per choice
        return MappingSpec(path, pattern_of(rows), first.sex, first.age_band, f"{first.value:g}")
    return MappingSpec(path, first.indicator.code, first.sex, first.age_band, first.choice)


def pattern_of(rows: list[FieldMapping]) -> str:
    """The pattern (need_rank_*) whose * replaced by each row's choice gives its code."""
    code, choice = rows[0].indicator.code, rows[0].choice
    start = code.find(choice)
    while start >= 0:
        pattern = f"{code[:start]}*{code[start + len(choice) :]}"
        if all(pattern.replace("*", row.choice) == row.indicator.code for row in rows):
            return pattern
        start = code.find(choice, start + 1)
    return code


def mapping_check(form_version: FormVersion, specs: list[MappingSpec]) -> list[FieldMapping]:
    """The rows the specs give, or an ApplicationError naming every question that is wrong."""
    questions = {question.path: question for question in mappable_questions(form_version)}
    operation_id = form_version.form.operation_id
    known, bands = catalogue_of(operation_id), age_bands(operation_id)
    rows: list[FieldMapping] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for spec in specs:
        question = questions.get(spec.path)
        if question is None or spec.path in seen:
            problems.append(
                Problem(
                    _("not a number or select_one question of version %(version)s, or listed twice")
                    % {"version": form_version.version},
                    where=spec.path,
                    hint=_("Reload the page: the form may have changed."),
                )
            )
            continue
        seen.add(spec.path)
        if not spec.indicator.strip():
            continue
        given = dataclasses.replace(question, spec=spec.columns)
        found, wrong = question_mapping(form_version, given, known, bands, spec.path)
        rows += found
        problems += wrong
    if problems:
        count = len({problem.where for problem in problems})
        raise ApplicationError(
            ngettext(
                "The mapping was not saved: %(count)d question needs a change.",
                "The mapping was not saved: %(count)d questions need a change.",
                count,
            )
            % {"count": count},
            hint=_("Nothing was written. Correct the questions listed and save again."),
            problems=problems,
        )
    return rows


def described(rows: Iterable[FieldMapping]) -> dict[str, dict[str, str]]:
    return {path: spec.columns for path, spec in specs_of(rows).items()}


def mapping_save(
    *, actor: User, form_version: FormVersion, rows: list[MappingSpec]
) -> list[FieldMapping]:
    """Replace the mapping of a version whose XLSForm has no indicator columns."""
    form = form_version.form
    require(user=actor, operation=form.operation, capability=Capability.MANAGE_FORMS)
    if declares_mapping(form_version):
        raise ApplicationError(
            _("Version %(version)s of %(form)s is mapped by the indicator columns of its XLSForm.")
            % {"version": form_version.version, "form": form.form_id},
            hint=_("Change those columns in the XLSForm and upload it as a new version."),
        )
    mapping = mapping_check(form_version, rows)
    with transaction.atomic():
        stored = FieldMapping.objects.filter(form_version=form_version).select_related("indicator")
        before, after = described(stored), described(mapping)
        if before == after:
            return mapping
        stored.delete()
        FieldMapping.objects.bulk_create(mapping)
        paths = sorted(
            path for path in before.keys() | after.keys() if before.get(path) != after.get(path)
        )
        audit_record(
            actor=actor,
            operation=form.operation,
            action=Action.UPDATE,
            instance=form_version,
            kind="tracking.fieldmapping",
            label=_("Indicator mapping of %(version)s") % {"version": form_version},
            before={path: before.get(path) for path in paths},
            after={path: after.get(path) for path in paths},
        )
        # Thousands of submissions may follow: a background task rewrites their figures.
        transaction.on_commit(lambda: recompute_version_figures.enqueue(form_version.pk))
    return mapping


def version_figures_recompute(form_version: FormVersion) -> int:
    """Rewrite the figures of the submissions whose current data is of this version."""
    submission_ids = list(
        SubmissionVersion.objects.filter(form_version=form_version, current=True).values_list(
            "submission_id", flat=True
        )
    )
    for start in range(0, len(submission_ids), RECOMPUTE_BATCH):
        figures_recompute(submission_ids[start : start + RECOMPUTE_BATCH])
    return len(submission_ids)
