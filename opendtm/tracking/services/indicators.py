"""An operation's own indicators, beside the built-in catalogue.

A code is unique across the built-in catalogue and the operation's own, so a mapping names
one indicator without ambiguity. Once a form maps to an indicator, what its figures mean
(unit, aggregation, disaggregations) is fixed; labels, tag, sector and sensitivity can change.
"""

import re
from dataclasses import asdict, dataclass

from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation, User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.accounts.services.audit import Action, audit_record, audit_update, snapshot
from opendtm.core.errors import ApplicationError, Problem
from opendtm.tracking.models import FieldMapping, Figure, Indicator

CODE = re.compile(r"^[a-z][a-z0-9_]{1,59}$")
# HXL 1.1 hashtag with attributes: #affected+idps+f
HXL_TAG = re.compile(r"^#[a-z][a-z0-9_]*(\s*\+[a-z][a-z0-9_]*)*$")
MEANING = ("unit", "aggregation", "by_sex", "by_age")


@dataclass
class IndicatorData:
    code: str
    label_en: str
    category: str
    unit: str
    aggregation: str
    label_fr: str = ""
    hxl_tag: str = ""
    by_sex: bool = False
    by_age: bool = False
    sensitivity: str = Indicator.Sensitivity.PUBLIC
    sector: str = ""


def choice_problem(name: str, value: str, choices: type[models.TextChoices]) -> Problem | None:
    if value in choices.values:
        return None
    return Problem(
        _("'%(value)s' is not a %(name)s.") % {"value": value, "name": name},
        field=name,
        hint=_("Use one of: %(choices)s.") % {"choices": ", ".join(choices.values)},
    )


def data_problems(operation: Operation, data: IndicatorData, pk: int | None) -> list[Problem]:
    problems = [
        problem
        for problem in (
            choice_problem("category", data.category, Indicator.Category),
            choice_problem("unit", data.unit, Indicator.Unit),
            choice_problem("aggregation", data.aggregation, Indicator.Aggregation),
            choice_problem("sensitivity", data.sensitivity, Indicator.Sensitivity),
        )
        if problem
    ]
    if not CODE.match(data.code):
        problems.append(
            Problem(
                _("The code '%(code)s' is not a valid indicator code.") % {"code": data.code},
                field="code",
                hint=_("Use 2 to 60 lowercase letters, digits and _, starting with a letter."),
            )
        )
    taken = Indicator.objects.filter(
        Q(operation__isnull=True) | Q(operation=operation), code=data.code
    )
    if pk is not None:
        taken = taken.exclude(pk=pk)
    if taken.exists():
        problems.append(
            Problem(
                _("An indicator with the code '%(code)s' already exists.") % {"code": data.code},
                field="code",
                hint=_("Pick another code; built-in codes are listed in the catalogue."),
            )
        )
    if not data.label_en.strip():
        problems.append(Problem(_("Give the indicator an English label."), field="label_en"))
    if data.hxl_tag and not HXL_TAG.match(data.hxl_tag):
        problems.append(
            Problem(
                _("'%(tag)s' is not an HXL hashtag.") % {"tag": data.hxl_tag},
                field="hxl_tag",
                hint=_("Write it like #affected+idps+f: a hashtag, then +attributes."),
            )
        )
    return problems


def check(operation: Operation, data: IndicatorData, pk: int | None = None) -> None:
    problems = data_problems(operation, data, pk)
    if problems:
        raise ApplicationError(_("The indicator was not saved."), problems=problems)


def indicator_create(*, actor: User, operation: Operation, data: IndicatorData) -> Indicator:
    require(user=actor, operation=operation, capability=Capability.PUBLISH)
    check(operation, data)
    with transaction.atomic():
        created = Indicator.objects.create(operation=operation, position=1000, **asdict(data))
        audit_record(
            actor=actor,
            operation=operation,
            action=Action.CREATE,
            instance=created,
            after=snapshot(created),
        )
    return created


def own_indicator(operation: Operation, indicator: Indicator) -> None:
    if indicator.operation_id != operation.pk:
        raise ApplicationError(
            _("'%(code)s' is a built-in indicator; it cannot be changed.")
            % {"code": indicator.code},
            hint=_("Add an indicator of your own instead."),
        )


def in_use(indicator: Indicator) -> bool:
    return (
        FieldMapping.objects.filter(indicator=indicator).exists()
        or Figure.objects.filter(indicator=indicator).exists()
    )


def indicator_update(
    *, actor: User, operation: Operation, indicator: Indicator, data: IndicatorData
) -> Indicator:
    require(user=actor, operation=operation, capability=Capability.PUBLISH)
    own_indicator(operation, indicator)
    check(operation, data, pk=indicator.pk)
    changed_meaning = [
        name for name in ("code", *MEANING) if getattr(indicator, name) != getattr(data, name)
    ]
    if changed_meaning and in_use(indicator):
        raise ApplicationError(
            _("Forms already map to '%(code)s', so its %(fields)s cannot change.")
            % {"code": indicator.code, "fields": ", ".join(changed_meaning)},
            hint=_("Add a new indicator with the new meaning and map the next form version to it."),
        )
    with transaction.atomic():
        before = snapshot(indicator)
        for name, value in asdict(data).items():
            setattr(indicator, name, value)
        indicator.save()
        audit_update(actor=actor, operation=operation, instance=indicator, before=before)
    return indicator


def indicator_delete(*, actor: User, operation: Operation, indicator: Indicator) -> None:
    require(user=actor, operation=operation, capability=Capability.PUBLISH)
    own_indicator(operation, indicator)
    if in_use(indicator):
        raise ApplicationError(
            _("'%(code)s' is mapped by a form or has figures; it cannot be deleted.")
            % {"code": indicator.code},
            hint=_("Keep it; remove it from the next form version's mapping instead."),
        )
    with transaction.atomic():
        audit_record(
            actor=actor,
            operation=operation,
            action=Action.DELETE,
            instance=indicator,
            before=snapshot(indicator),
        )
        indicator.delete()
