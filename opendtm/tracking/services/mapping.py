"""From form fields to indicators: read from the XLSForm's own columns, kept as data.

In the survey sheet, next to a question:

    indicator        the indicator's code (idp_individuals); for a select_one question, a
                     pattern whose * is replaced by the chosen choice's name (need_rank_*)
    indicator_sex    f or m, for an indicator counted by sex
    indicator_age    an age band of the operation (0-4, 5-17, 18-59, 60+), for one by age
    indicator_value  select_one yes/no: the choice that means yes (default: yes);
                     a rank pattern: the rank this question gives (default: 1)

pyxform keeps these extra columns in its JSON (FormVersion.definition), so each published
version's mapping is read from there once, checked against the catalogue and stored as
FieldMapping rows. Questions inside repeats are not mapped: a figure is one value per place.

A version whose XLSForm has none of these columns is mapped in the web editor instead, with
the same four values per question and the same checks (services/mapping_edits.py). A version
that has them is mapped by its XLSForm alone, so the file stays the one source of its mapping.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from opendtm.collection.models import FormVersion
from opendtm.core.errors import Problem
from opendtm.tracking.models import FieldMapping, Indicator, TrackingSettings

DEFAULT_YES = "yes"
SPEC_COLUMNS = ("indicator", "indicator_sex", "indicator_age", "indicator_value")
# What a figure can be read from: a number, or the chosen answer of a select_one.
MAPPABLE_KINDS = frozenset({"integer", "decimal", "calculate", "select one"})
XFORM_TYPES = {"int": "integer", "decimal": "decimal"}


@dataclass(frozen=True)
class MappedQuestion:
    path: str
    kind: str
    spec: dict[str, str]  # the indicator columns, "" where empty
    choices: list[str]
    label: str = ""


def survey_questions(children: list[dict[str, Any]], prefix: str = "") -> Iterator[MappedQuestion]:
    """Every question outside repeats and the meta block, with its indicator columns."""
    for child in children:
        kind = str(child.get("type", ""))
        path = f"{prefix}{child.get('name', '')}"
        if kind == "repeat" or (not prefix and path == "meta"):
            continue
        if kind == "group":
            yield from survey_questions(child.get("children", []), f"{path}/")
            continue
        spec = {key: str(child.get(key, "")).strip() for key in SPEC_COLUMNS}
        choices = [str(choice.get("name", "")) for choice in child.get("choices", [])]
        yield MappedQuestion(path, kind, spec, choices, label_text(child.get("label")))


def label_text(label: Any) -> str:
    """A question's label: the English one of a translated form, or its first language."""
    if not isinstance(label, dict):
        return str(label or "")
    english = [text for language, text in label.items() if "(en)" in language]
    return str((english or list(label.values()) or [""])[0])


def mapped_questions(children: list[dict[str, Any]]) -> Iterator[MappedQuestion]:
    return (question for question in survey_questions(children) if question.spec["indicator"])


def mappable_questions(form_version: FormVersion) -> list[MappedQuestion]:
    """What the mapping editor lists: numbers and select_one questions, and any question the
    XLSForm maps (even one that cannot be, so that its problem shows). A version uploaded as
    an XForm has no pyxform JSON: its questions come from the XForm's parsed fields."""
    if form_version.definition is None:
        found = xform_questions(form_version.schema.get("fields", []))
    else:
        found = survey_questions(form_version.definition.get("children", []))
    return [
        question
        for question in found
        if question.kind in MAPPABLE_KINDS or question.spec["indicator"]
    ]


def xform_questions(fields: list[dict[str, Any]]) -> Iterator[MappedQuestion]:
    """Questions outside repeats and meta, from an XForm's fields, typed as pyxform types them."""
    for item in fields:
        if item["kind"] != "field" or item.get("repeat") or item["path"].startswith("meta/"):
            continue
        kind = XFORM_TYPES.get(item.get("type", ""), item.get("type", ""))
        if item.get("select"):
            kind = "select one" if item["select"] == "one" else "select all that apply"
        blank = dict.fromkeys(SPEC_COLUMNS, "")
        yield MappedQuestion(
            item["path"], kind, blank, list(item.get("choices", [])), item.get("label", "")
        )


def declares_mapping(form_version: FormVersion) -> bool:
    """Whether the version's XLSForm has indicator columns: then it, not the editor, maps."""
    children = (form_version.definition or {}).get("children", [])
    return any(True for _question in mapped_questions(children))


def age_bands(operation_id: int) -> list[str]:
    settings = TrackingSettings.objects.filter(operation_id=operation_id).first()
    return (settings.age_bands if settings else None) or TrackingSettings.DEFAULT_AGE_BANDS


def catalogue_of(operation_id: int) -> dict[str, Indicator]:
    """The indicators a form of the operation may map to: the built-in ones and its own."""
    return {
        indicator.code: indicator
        for indicator in Indicator.objects.filter(
            Q(operation__isnull=True) | Q(operation_id=operation_id)
        )
    }


def mapping_read(form_version: FormVersion) -> tuple[list[FieldMapping], list[Problem]]:
    """The mapping the version's XLSForm declares, and what is wrong with it (unsaved)."""
    operation_id = form_version.form.operation_id
    known = catalogue_of(operation_id)
    bands = age_bands(operation_id)
    rows: list[FieldMapping] = []
    problems: list[Problem] = []
    definition = form_version.definition or {}
    for question in mapped_questions(definition.get("children", [])):
        where = _("survey sheet, question %(path)s") % {"path": question.path}
        found, wrong = question_mapping(form_version, question, known, bands, where)
        rows += found
        problems += wrong
    return rows, problems


def question_mapping(
    form_version: FormVersion,
    question: MappedQuestion,
    known: dict[str, Indicator],
    bands: list[str],
    where: str,
) -> tuple[list[FieldMapping], list[Problem]]:
    """The rows one question's indicator columns give, or what is wrong with them."""
    spec = question.spec
    code, sex, age, value = (
        spec["indicator"],
        spec["indicator_sex"],
        spec["indicator_age"],
        spec["indicator_value"],
    )
    if "*" in code:
        if question.kind != "select one":
            return [], [
                Problem(
                    _("the pattern %(code)s needs a select_one question") % {"code": code},
                    where=where,
                    field="indicator",
                    hint=_("Use a plain indicator code for this question."),
                )
            ]
        codes = {choice: code.replace("*", choice) for choice in question.choices}
        try:
            rank, otherwise = float(value or 1), None
        except ValueError:
            return [], [
                Problem(
                    _("indicator_value %(value)s is not a rank number") % {"value": value},
                    where=where,
                    field="indicator_value",
                    hint=_("Write 1 for the first need, 2 for the second..."),
                )
            ]
    else:
        codes = {(value or DEFAULT_YES) if question.kind == "select one" else "": code}
        rank, otherwise = 1.0, 0.0
        answer = next(iter(codes))
        if answer and question.choices and answer not in question.choices:
            return [], [
                Problem(
                    _("indicator_value %(value)s is not one of the choices %(choices)s")
                    % {"value": answer, "choices": ", ".join(question.choices)},
                    where=where,
                    field="indicator_value",
                    hint=_("Write the name of the choice that means yes."),
                )
            ]
    unknown = sorted(found for found in codes.values() if found not in known)
    if unknown:
        return [], [
            Problem(
                _("no indicator %(codes)s in the catalogue") % {"codes": ", ".join(unknown)},
                where=where,
                field="indicator",
                hint=_("Use a code from the indicator catalogue, or add the indicator first."),
            )
        ]
    problems = disaggregation_problems(
        where, [known[found] for found in codes.values()], sex, age, bands
    )
    if problems:
        return [], problems
    return [
        FieldMapping(
            form_version=form_version,
            path=question.path,
            indicator=known[found],
            sex=sex,
            age_band=age,
            choice=choice,
            value=rank,
            otherwise=otherwise if choice else None,
        )
        for choice, found in codes.items()
    ], []


def disaggregation_problems(
    where: str, indicators: list[Indicator], sex: str, age: str, bands: list[str]
) -> list[Problem]:
    problems = []
    if sex and (sex not in {"f", "m"} or not all(item.by_sex for item in indicators)):
        problems.append(
            Problem(
                _("indicator_sex %(sex)s is not f or m, or the indicator is not by sex")
                % {"sex": sex},
                where=where,
                field="indicator_sex",
                hint=_("Write f or m, for an indicator counted by sex."),
            )
        )
    if age and (age not in bands or not all(item.by_age for item in indicators)):
        problems.append(
            Problem(
                _(
                    "indicator_age %(age)s is not one of the age bands %(bands)s, or the indicator is not by age"
                )
                % {"age": age, "bands": ", ".join(bands)},
                where=where,
                field="indicator_age",
                hint=_("Use the operation's age bands, for an indicator counted by age."),
            )
        )
    return problems


def mapping_for(form_version: FormVersion) -> list[FieldMapping]:
    """The version's stored mapping; read from its XLSForm the first time it is asked for."""
    stored = list(
        FieldMapping.objects.filter(form_version=form_version).select_related("indicator")
    )
    if stored or form_version.definition is None:
        return stored
    rows, _problems = mapping_read(form_version)
    with transaction.atomic():
        FieldMapping.objects.bulk_create(rows, ignore_conflicts=True)
    return list(FieldMapping.objects.filter(form_version=form_version).select_related("indicator"))
