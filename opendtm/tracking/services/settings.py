"""An operation's tracking settings: its age bands and the change flagged between rounds.

Age bands must cover every age once, from 0 up, the last one open-ended ("60+"), because a
sex and age breakdown is checked against its total. A band still used by a form's mapping
cannot be dropped: the mapping would point at a band the operation no longer has.
"""

import re

from django.db import transaction
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation, User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import AnyUser, require
from opendtm.accounts.services.audit import audit_update, snapshot
from opendtm.core.errors import ApplicationError, Problem
from opendtm.tracking.models import FieldMapping, TrackingSettings

BAND = re.compile(r"^(\d{1,3})(?:-(\d{1,3})|\+)$")
AGE_BANDS_HINT = "Write bands like 0-4, 5-17, 18-59, 60+: from 0, no gaps, the last one open."


def tracking_settings_get(*, user: AnyUser, operation: Operation) -> TrackingSettings:
    """The operation's settings; the defaults, unsaved, when nobody has changed them."""
    require(user=user, operation=operation, capability=Capability.VIEW_PUBLISHED)
    found = TrackingSettings.objects.filter(operation=operation).first()
    return found or TrackingSettings(
        operation=operation, age_bands=list(TrackingSettings.DEFAULT_AGE_BANDS)
    )


def age_band_problems(bands: list[str]) -> list[Problem]:
    message = band_mistake(bands)
    if message is None:
        return []
    return [Problem(message, field="age_bands", hint=_(AGE_BANDS_HINT))]


def band_mistake(bands: list[str]) -> str | None:
    """What is wrong with the first band that is wrong, if any."""
    if not bands:
        return _("Give at least one age band.")
    expected_start = 0
    for position, band in enumerate(bands, 1):
        match = BAND.match(band)
        if match is None:
            return _("Age band %(position)d, '%(band)s', is not a band like 5-17 or 60+.") % {
                "position": position,
                "band": band,
            }
        start, end = int(match[1]), int(match[2]) if match[2] else None
        last = position == len(bands)
        if end is None and not last:
            return _("Only the last age band may be open-ended; '%(band)s' is not the last.") % {
                "band": band
            }
        if end is not None and last:
            return _("The last age band, '%(band)s', must be open-ended, like 60+.") % {
                "band": band
            }
        if start != expected_start:
            return _("Age band '%(band)s' should start at %(start)d.") % {
                "band": band,
                "start": expected_start,
            }
        if end is not None and end < start:
            return _("Age band '%(band)s' ends before it starts.") % {"band": band}
        expected_start = (end or 0) + 1
    return None


def dropped_band_problems(operation: Operation, bands: list[str]) -> list[Problem]:
    used = (
        FieldMapping.objects.filter(form_version__form__operation=operation)
        .exclude(age_band="")
        .exclude(age_band__in=bands)
        .select_related("form_version__form")
        .order_by("age_band", "path")
    )
    return [
        Problem(
            _("Form %(form)s maps question %(path)s to age band %(band)s, which is not kept.")
            % {"form": item.form_version.form.form_id, "path": item.path, "band": item.age_band},
            field="age_bands",
            hint=_("Keep the band, or upload a version of the form mapped to the new bands."),
        )
        for item in used[:20]
    ]


def tracking_settings_update(
    *, actor: User, operation: Operation, age_bands: list[str], change_threshold_percent: int
) -> TrackingSettings:
    require(user=actor, operation=operation, capability=Capability.PUBLISH)
    bands = [band.strip() for band in age_bands if band.strip()]
    problems = age_band_problems(bands) or dropped_band_problems(operation, bands)
    if not 1 <= change_threshold_percent <= 1000:
        problems.append(
            Problem(
                _("The change threshold must be between 1 and 1000 percent."),
                field="change_threshold_percent",
                hint=_("50 flags a place whose population grew by half or fell by half."),
            )
        )
    if problems:
        raise ApplicationError(_("The tracking settings were not saved."), problems=problems)
    with transaction.atomic():
        found, _created = TrackingSettings.objects.select_for_update().get_or_create(
            operation=operation,
            defaults={"age_bands": list(TrackingSettings.DEFAULT_AGE_BANDS)},
        )
        before = snapshot(found, ["age_bands", "change_threshold_percent"])
        found.age_bands = bands
        found.change_threshold_percent = change_threshold_percent
        found.save(update_fields=["age_bands", "change_threshold_percent"])
        audit_update(actor=actor, operation=operation, instance=found, before=before)
    return found
