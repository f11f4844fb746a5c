"""Public files of published rounds, cached on disk; multi-round files built in the background.

A published revision never changes (a correction makes a new one), so a round's files are
cached under its revision's id: <DATA_DIR>/publishing/revision-<id>/<fingerprint>/. The
fingerprint adds what could change a public file without a new revision: the operation's
suppression threshold and level names, its public indicators (one made protection-sensitive
must leave the files at once), and the language of the headers. Places keep the names they
had when the file was written. A multi-round file is keyed by every revision it reads, so
publishing a round starts a new one. Files are written beside their final name and renamed
into place: a reader never gets half a file.

Each level's summary (its suppression note, and at the site level the re-identification risk)
is cached as JSON beside the files, so the sharing page and the microdata gate do not compute
tables again. The gate is applied at every download with the limit of the moment.

One round's file is at most a few thousand rows and is written while the request waits; a
multi-round file is written by a task, and the page asks again until it is there.
"""

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from opendtm.core.csv_export import csv_lines
from opendtm.core.errors import ApplicationError, NotFound
from opendtm.publishing.exports.columns import (
    LEVELS,
    Column,
    file_columns,
    note_row,
    schema_rows,
    table_rows,
)
from opendtm.publishing.exports.files import CONTENT_TYPES, FORMATS, write_file
from opendtm.publishing.exports.microdata import Gate, risk_as_dict, risk_from_dict, site_risk
from opendtm.publishing.selectors.tables import (
    Audience,
    Table,
    audience_indicators,
    published_rounds,
    table,
)
from opendtm.tracking.models import AssessmentType, Indicator, Round, RoundRevision
from opendtm.tracking.selectors.figures import SITE_LEVEL
from opendtm.tracking.selectors.rounds import published_revision

VERSION = 1  # part of every fingerprint: raise it when the files' layout changes
PENDING_SECONDS = 600  # a multi-round file asked for again after this is queued again


@dataclass(frozen=True)
class ExportFile:
    path: Path
    filename: str

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES.get(self.path.suffix.lstrip("."), "text/csv; charset=utf-8")


@dataclass(frozen=True)
class Summary:
    """What a level's public table says about itself, without its figures."""

    places: int
    blanked: int
    note: str
    risk: dict[str, Any] | None = None  # the site level's re-identification risk

    def gate(self, round: Round) -> Gate | None:
        return Gate.of(risk_from_dict(self.risk), round.operation) if self.risk else None


@dataclass(frozen=True)
class Cache:
    round: Round
    revisions: list[RoundRevision]
    indicators: list[Indicator]
    folder: Path


def export_levels(round: Round) -> list[str]:
    """Site-level files for site assessments only: other rounds' figures are by area."""
    levels = ["admin1", "admin2"]
    return [*levels, "site"] if round.assessment_type == AssessmentType.SITE else levels


def level_label(round: Round, level: str) -> str:
    """How a level is called: the operation's own name for it ("LGA (admin 2)"), or sites."""
    if level == "site":
        return _("Sites")
    number = int(level.removeprefix("admin"))
    return _("%(name)s (admin %(level)d)") % {
        "name": round.operation.level_name(number),
        "level": number,
    }


def check_choice(round: Round, level: str, format: str = "csv") -> None:
    if level not in export_levels(round) or format not in FORMATS:
        raise NotFound(
            _("There is no %(level)s %(format)s file of this round.")
            % {"level": level, "format": format}
        )


def fingerprint(round: Round, indicators: list[Indicator], revisions: list[RoundRevision]) -> str:
    operation = round.operation
    signature = [
        VERSION,
        # With the time of publication, a database restored beside the same data folder cannot
        # be served another's files for a revision id they share.
        [(revision.pk, revision.published_at) for revision in revisions],
        operation.suppression_threshold,
        operation.admin_level_names,
        get_language(),
        [
            (item.pk, item.code, item.sensitivity, item.hxl_tag, item.label_en, item.label_fr)
            for item in indicators  # in their order, which is the columns' order
        ],
    ]
    return hashlib.sha256(json.dumps(signature, default=str).encode()).hexdigest()[:20]


def round_cache(round: Round) -> Cache:
    revision = published_revision(round)
    indicators = audience_indicators(round, Audience.PUBLIC, None)
    key = fingerprint(round, indicators, [revision])
    root = Path(settings.DATA_DIR) / "publishing"
    return Cache(round, [revision], indicators, root / f"revision-{revision.pk}" / key)


def series_cache(round: Round) -> Cache:
    """Every published round of the same operation and assessment type, oldest first."""
    rounds = published_rounds([round.operation_id], round.assessment_type)
    revisions = list(
        RoundRevision.objects.filter(
            round__in=rounds, status=RoundRevision.Status.PUBLISHED
        ).select_related("round__operation")
    )
    position = {item.pk: index for index, item in enumerate(rounds)}
    revisions.sort(key=lambda revision: position[revision.round_id])
    indicators = audience_indicators(round, Audience.PUBLIC, None)
    key = fingerprint(round, indicators, revisions)
    root = Path(settings.DATA_DIR) / "publishing" / "series"
    folder = root / f"{round.operation.slug}-{round.assessment_type}" / key
    return Cache(round, revisions, indicators, folder)


@contextmanager
def written(path: Path) -> Iterator[IO[bytes]]:
    """A file written under a temporary name and renamed into place once complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False)  # noqa: SIM115 - renamed or removed below
    try:
        with handle:
            yield handle
        os.replace(handle.name, path)
    finally:
        Path(handle.name).unlink(missing_ok=True)


def summary_of(found: Table) -> Summary:
    risk = risk_as_dict(site_risk(found)) if found.level == SITE_LEVEL else None
    return Summary(len(found.places), len(found.suppressed), found.note, risk)


def cached_summary(cache: Cache, level: str) -> Summary | None:
    path = cache.folder / f"{level}.json"
    return Summary(**json.loads(path.read_text())) if path.exists() else None


def level_summary(cache: Cache, level: str, found: Table | None = None) -> Summary:
    """The level's summary, read from the cache or made from its table (and then cached)."""
    summary = None if found else cached_summary(cache, level)
    if summary is None:
        summary = summary_of(found or table(cache.round, LEVELS[level]))
        with written(cache.folder / f"{level}.json") as handle:
            handle.write(json.dumps(asdict(summary)).encode())
    return summary


def round_summaries(round: Round) -> dict[str, Summary]:
    cache = round_cache(round)
    return {level: level_summary(cache, level) for level in export_levels(round)}


def columns_of(cache: Cache, level: str) -> list[Column]:
    return file_columns(cache.round.operation, LEVELS[level], cache.indicators, cache.revisions)


def file_name(round: Round, level: str, suffix: str, *, series: bool = False) -> str:
    which = "rounds" if series else f"round-{round.number}"
    return f"{round.operation.slug}-{round.assessment_type.lower()}-{which}-{level}.{suffix}"


def round_file(*, round: Round, level: str, format: str) -> ExportFile:
    """One round's public file at one level, written now unless cached. A site-level file is
    refused while the microdata gate blocks it (ApplicationError, with the reasons)."""
    check_choice(round, level, format)
    cache = round_cache(round)
    path = cache.folder / f"{level}.{format}"
    known = cached_summary(cache, level)
    if known is not None:
        refuse_if_blocked(round, known)  # without computing the table again
    if not path.exists():
        found = table(round, LEVELS[level])
        summary = level_summary(cache, level, found)
        refuse_if_blocked(round, summary)  # before anything is written
        columns = columns_of(cache, level)
        with written(path) as handle:
            write_file(handle, format, columns, table_rows(found, columns), notes(found, summary))
    return ExportFile(path, file_name(round, level, format))


def round_files_prepare(*, round: Round) -> int:
    """Every public file of the round written now, so that downloads find them; a level the
    microdata gate withholds is left out. How many files were written."""
    written_files = 0
    for level in export_levels(round):
        for format in FORMATS:
            try:
                round_file(round=round, level=level, format=format)
            except ApplicationError:  # withheld: the Share section says why
                break
            written_files += 1
    return written_files


def refuse_if_blocked(round: Round, summary: Summary) -> None:
    gate = summary.gate(round)
    if gate is not None:
        gate.require_shareable()


def notes(found: Table, summary: Summary) -> list[str]:
    """The notes sheet of an XLSX file."""
    round = found.round
    lines = [
        _("%(operation)s, %(round)s: figures published on %(date)s (revision %(revision)d).")
        % {
            "operation": round.operation.name,
            "round": round,
            "date": found.revision.published_at.date().isoformat()
            if found.revision.published_at
            else "",
            "revision": found.revision.number,
        },
        _("Reference period: %(start)s to %(end)s.")
        % {"start": round.period_start.isoformat(), "end": round.period_end.isoformat()},
    ]
    if found.note:
        lines += [
            found.note,
            _(
                "Each row lists its blanked figures in the last column; other empty cells "
                "have no figure."
            ),
        ]
    gate = summary.gate(round)
    return [*lines, gate.summary] if gate else lines


def schema_file(*, round: Round, level: str) -> ExportFile:
    """The libhxl schema of the round's file at that level (hxlvalidate -s)."""
    check_choice(round, level)
    cache = round_cache(round)
    path = cache.folder / f"{level}-schema.csv"
    if not path.exists():
        rows = schema_rows(columns_of(cache, level))
        with written(path) as handle:
            handle.write("".join(csv_lines(rows[0], rows[1:])).encode())
    return ExportFile(path, file_name(round, level, "hxl-schema.csv"))


def series_file(*, round: Round, level: str, format: str) -> ExportFile | None:
    """Every published round's public figures at one level, one row per place and round; None
    while a task writes it."""
    check_choice(round, level, format)
    cache = series_cache(round)
    path = cache.folder / f"{level}.{format}"
    if not path.exists() and not pending(path):
        from opendtm.publishing.tasks import build_series_file

        build_series_file.enqueue(round.pk, level, format, get_language() or settings.LANGUAGE_CODE)
    return ExportFile(path, file_name(round, level, format, series=True)) if path.exists() else None


def pending(path: Path) -> bool:
    """Whether a task was queued for the file lately; marks it queued if not."""
    marker = path.with_name(f"{path.name}.pending")
    if marker.exists() and time.time() - marker.stat().st_mtime < PENDING_SECONDS:
        return True
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()
    return False


def series_build(*, round: Round, level: str, format: str) -> ExportFile:
    """Write the multi-round file; a round whose site-level table the microdata gate blocks
    is one row saying so instead of its sites."""
    cache = series_cache(round)
    path = cache.folder / f"{level}.{format}"
    found = ExportFile(path, file_name(round, level, format, series=True))
    if path.exists():  # written already, by a task queued twice
        return found
    columns = columns_of(cache, level)
    # The notes sheet is written after the rows, so the rounds withheld on the way are in it.
    notes = series_notes(cache)

    def rows() -> Iterator[list[Any]]:
        for revision in cache.revisions:
            each = table(revision.round, LEVELS[level])
            gate = Gate.of(site_risk(each), round.operation) if level == "site" else None
            if gate is not None and gate.blocked:
                notes.append(f"{revision.round}: {gate.summary}")
                yield note_row(each, columns, notes[-1])
            else:
                yield from table_rows(each, columns)

    try:
        with written(path) as handle:
            write_file(handle, format, columns, rows(), notes)
    finally:
        path.with_name(f"{path.name}.pending").unlink(missing_ok=True)
    return found


def series_notes(cache: Cache) -> list[str]:
    rounds = ", ".join(str(revision.round) for revision in cache.revisions)
    return [
        _("%(operation)s: published figures of %(rounds)s, one row per place and round.")
        % {"operation": cache.round.operation.name, "rounds": rounds},
        _(
            "Figures below %(threshold)d people, and those that would reveal them through a "
            "total, are blanked; each row lists its blanked figures in the last column."
        )
        % {"threshold": cache.round.operation.suppression_threshold},
    ]
