"""Form version numbers: their natural order, the next one, and setting one in an XForm.

Versions only go up, compared in natural order (2026112310 > 2026112309, 1.10 > 1.9); a
form without a version gets a UTC timestamp.
"""

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from xml.sax.saxutils import quoteattr

from django.utils import timezone
from django.utils.translation import gettext as _

from opendtm.core.errors import ApplicationError

PRIMARY_ROOT = re.compile(
    r"<(?:[\w.-]+:)?instance(?:\s[^>]*)?>\s*(?:<!--.*?-->\s*)*"
    r"<(?P<tag>[\w.:-]+)(?P<attributes>(?:\s+[^\s=>/]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(?P<end>/?>)",
    re.DOTALL,
)
VERSION_ATTRIBUTE = re.compile(r"(\sversion\s*=\s*)(\"[^\"]*\"|'[^']*')")


def version_key(version: str) -> tuple[tuple[int, int, str], ...]:
    """Natural order: runs of digits compare as numbers, so 1.10 > 1.9 and 10 > 9."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.findall(r"[0-9]+|[^0-9]+", version)
    )


def latest_version(versions: Sequence[str]) -> str | None:
    return max(versions, key=version_key, default=None)


def next_version(latest: str | None, now: datetime) -> str:
    """A UTC timestamp YYYYMMDDHHMM, or one more than the latest when that is not higher."""
    candidate = now.astimezone(UTC).strftime("%Y%m%d%H%M")
    if latest is None or version_key(candidate) > version_key(latest):
        return candidate
    parts = re.split(r"([0-9]+)", latest)
    numbers = [index for index, part in enumerate(parts) if part.isdigit()]
    if not numbers:
        return f"{latest}.1"
    last = numbers[-1]
    parts[last] = str(int(parts[last]) + 1).zfill(len(parts[last]))
    return "".join(parts)


def check_version_order(form_id: str, version: str, existing: Sequence[str]) -> None:
    """A new version must be higher than every published one: never equal, never lower."""
    latest = latest_version(existing)
    if latest is None:
        return
    suggestion = next_version(latest, timezone.now())
    hint = _(
        "Set 'version' on the settings sheet higher than %(latest)s, for example %(suggestion)s, "
        "and upload the form again."
    ) % {"latest": latest, "suggestion": suggestion}
    if version in existing:
        raise ApplicationError(
            _(
                "Version %(version)s of %(form)s is already published; a new upload must have "
                "a higher version (the latest is %(latest)s)."
            )
            % {"version": version, "form": form_id, "latest": latest},
            hint=hint,
        )
    if version_key(version) <= version_key(latest):
        raise ApplicationError(
            _(
                "Version %(version)s of %(form)s goes backwards: it is not higher than "
                "%(latest)s, the latest version published."
            )
            % {"version": version, "form": form_id, "latest": latest},
            hint=hint,
        )


def xform_with_version(xform: str, version: str) -> str:
    """The XForm with `version` set on its primary instance root, the rest untouched."""
    model = re.search(r"<(?:[\w.-]+:)?model[\s>]", xform)
    match = PRIMARY_ROOT.search(xform, model.start() if model else 0)
    if match is None:
        raise ApplicationError(_("The XForm has no primary instance to set a version on."))
    attributes = match["attributes"]
    if VERSION_ATTRIBUTE.search(attributes):
        attributes = VERSION_ATTRIBUTE.sub(
            lambda found: f"{found[1]}{quoteattr(version)}", attributes, count=1
        )
    else:
        attributes = f"{attributes} version={quoteattr(version)}"
    start, end = match.span("attributes")
    return xform[:start] + attributes + xform[end:]
