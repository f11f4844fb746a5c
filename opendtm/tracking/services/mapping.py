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


@dataclass(frozen=True)
class MappedQuestion:
    path: str
    kind: str
    spec: dict[str, str]
    choices: list[str]


def mapped_questions(children: list[dict[str, Any]], prefix: str = "") -> Iterator[MappedQuestion]:
    for child in children:
        kind = str(child.get("type", ""))
        path = f"{prefix}{child.get('name', '')}"
        if kind == "repeat":
            continue
        if kind == "group":
            yield from mapped_questions(child.get("children", []), f"{path}/")
            continue
        spec = {
            key: str(child.get(key, "")).strip()
            for key in ("indicator", "indicator_sex", "indicator_age", "indicator_value")
        }
        if spec["indicator"]:
            choices = [str(choice.get("name", "")) for choice in child.get("choices", [])]
            yield MappedQuestion(path, kind, spec, choices)


def age_bands(operation_id: int) -> list[str]:
    settings = TrackingSettings.objects.filter(operation_id=operation_id).first()
    return (settings.age_bands if settings else None) or TrackingSettings.DEFAULT_AGE_BANDS


def mapping_read(form_version: FormVersion) -> tuple[list[FieldMapping], list[Problem]]:
    """The mapping the version's XLSForm declares, and what is wrong with it (unsaved)."""
    operation_id = form_version.form.operation_id
    known = {
        indicator.code: indicator
        for indicator in Indicator.objects.filter(
            Q(operation__isnull=True) | Q(operation_id=operation_id)
        )
    }
    bands = age_bands(operation_id)
    rows: list[FieldMapping] = []
    problems: list[Problem] = []
    definition = form_version.definition or {}
    for question in mapped_questions(definition.get("children", [])):
        found, wrong = question_mapping(form_version, question, known, bands)
        rows += found
        problems += wrong
    return rows, problems


def question_mapping(
    form_version: FormVersion,
    question: MappedQuestion,
    known: dict[str, Indicator],
    bands: list[str],
) -> tuple[list[FieldMapping], list[Problem]]:
    spec = question.spec
    code, sex, age, value = (
        spec["indicator"],
        spec["indicator_sex"],
        spec["indicator_age"],
        spec["indicator_value"],
    )
    where = _("survey sheet, question %(path)s") % {"path": question.path}
    if "*" in code:
        if question.kind != "select one":
            return [], [
                Problem(
                    _("%(where)s: the pattern %(code)s needs a select_one question")
                    % {"where": where, "code": code},
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
                    _("%(where)s: indicator_value %(value)s is not a rank number")
                    % {"where": where, "value": value},
                    field="indicator_value",
                    hint=_("Write 1 for the first need, 2 for the second..."),
                )
            ]
    else:
        codes = {(value or DEFAULT_YES) if question.kind == "select one" else "": code}
        rank, otherwise = 1.0, 0.0
    unknown = sorted(found for found in codes.values() if found not in known)
    if unknown:
        return [], [
            Problem(
                _("%(where)s: no indicator %(codes)s in the catalogue")
                % {"where": where, "codes": ", ".join(unknown)},
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
                _("%(where)s: indicator_sex %(sex)s is not f or m, or the indicator is not by sex")
                % {"where": where, "sex": sex},
                field="indicator_sex",
                hint=_("Write f or m, for an indicator counted by sex."),
            )
        )
    if age and (age not in bands or not all(item.by_age for item in indicators)):
        problems.append(
            Problem(
                _("%(where)s: indicator_age %(age)s is not one of the age bands %(bands)s")
                % {"where": where, "age": age, "bands": ", ".join(bands)},
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
