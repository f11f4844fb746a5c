"""Parsing stored submissions: JSON data, the files they name, their site and admin area.

A version is parsed only after its receipt committed, so a parser bug, a pathological
document or a crash can never cost a submission: the version stays `pending` (or becomes
`failed` with the reason) and the raw XML is kept either way.

Where parsing runs: by a worker, in batches, whenever one runs; otherwise right after the
receipt's commit, in the request (OPENDTM_PARSE="auto", the default).

- The worker, `opendtm parse_submissions --loop`, drains the `parse_backlog` partial index
  (parse_status = pending) 200 versions at a time: one query for the batch, the form plans
  cached, one batched UPDATE and one commit for the batch. A batch costs the same few queries
  whatever its size, so under a steady stream the worker lets a partial batch grow for
  `--gather` seconds (0.2) before taking the next. While it runs it touches a heartbeat file
  in the data folder; a receipt that sees a fresh heartbeat leaves its version to it.
- Without a worker (the demo, tests, a small office), a receipt parses its own version once
  committed (`transaction.on_commit`), so the data is there when the 201 is sent.

Measured on the development machine (2 cores shared with the load client and with other
work), gunicorn with 2 sync workers, 16 clients posting for 10 s, bench/site_form.py's
250-question form (~10 KB of XML per POST), two runs each; server CPU counts the gunicorn
workers and the parse worker, not PostgreSQL's own processes:

    database    parsing   submissions/s   p50 / p99 ms     server CPU ms/submission   backlog at end
    SQLite      inline       187-196       80-84 / 133          5.7-6.0                 0
    SQLite      worker       237           59-61 / 140-161      5.3                     0-6
    PostgreSQL  inline       211-226       68-73 / 124-140      6.1                     0
    PostgreSQL  worker       216-221       63-66 / 128-137      5.8-5.9                 3-34

With 4 gunicorn workers the picture is the same (SQLite 185-192/s inline, 214-239/s with the
worker; PostgreSQL 200-203/s and 216/s): the two cores are the limit. Batches cost 0.2-0.7 ms
less CPU per submission than one parse per request, keep the parse out of the request's
latency, and save SQLite a second write-lock commit per submission, hence its +25%; on
PostgreSQL the gain is small. The worker kept pace in every run (the backlog at the end was
under one batch, and drained within a second). So the worker parses whenever it runs, and
inline parsing remains the fallback that needs nothing running. Parse results commit without
waiting for the disk (`derived_data_transaction`): they can always be derived again from the
stored XML.

OPENDTM_PARSE="inline" always parses in the request; "worker" never does (set it when the
worker runs on another host, where the heartbeat file cannot be seen). Either way
`opendtm parse_submissions` drains whatever is pending: versions a crash left between the
commit and the parse, or those a worker that died was about to take.
"""

import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element  # noqa: S405 - type only; parsing is defusedxml's

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet

from opendtm.accounts.models import Operation
from opendtm.collection.models import Form, FormVersion, Submission, SubmissionVersion
from opendtm.collection.signals import announce_changed
from opendtm.collection.xform import collect_binaries, form_schema, instance_data, parse_xml
from opendtm.geo.models import AdminArea, Site
from opendtm.geo.pcodes import PcodeError, normalize_pcode

logger = logging.getLogger(__name__)

BATCH = 200
PARSED_ROOT = "_opendtm_parsed_root"
Parse = SubmissionVersion.Parse


@dataclass(frozen=True)
class ParsePlan:
    """What parsing needs from a form version: its repeats and its file questions."""

    repeats: frozenset[str]
    binaries: frozenset[str]


# Published versions never change, so their plans are kept for the life of the process, by
# FormVersion id. In production an id names one version for good: versions are never deleted
# (nothing deletes a form, and submissions PROTECT their version), and the database does not
# hand out a committed id again. Test databases do, as each test's transaction is rolled
# back: tests/conftest.py clears the cache for every test.
_plans: dict[int, ParsePlan] = {}
MAX_PLANS = 512


def plan_from_fields(fields: Iterable[dict[str, Any]]) -> ParsePlan:
    fields = list(fields)
    return ParsePlan(
        repeats=frozenset(item["path"] for item in fields if item.get("kind") == "repeat"),
        binaries=frozenset(
            item["path"]
            for item in fields
            if item.get("kind") == "field" and item.get("type") == "binary"
        ),
    )


def parse_plans(version_ids: set[int]) -> dict[int, ParsePlan]:
    missing = version_ids - _plans.keys()
    if missing:
        if len(_plans) + len(missing) > MAX_PLANS:
            _plans.clear()
        for form_version in FormVersion.objects.filter(pk__in=missing).only("xform", "schema"):
            try:
                fields = (form_version.schema or {}).get("fields")
                if not fields:
                    fields = [vars(item) for item in form_schema(form_version.xform).fields]
                _plans[form_version.pk] = plan_from_fields(fields)
            except Exception:  # its submissions fail to parse, with the reason; others go on
                logger.exception("form version %s cannot be read", form_version.pk)
    return {pk: _plans[pk] for pk in version_ids if pk in _plans}


@dataclass
class Parsed:
    status: str
    data: dict | None = None
    error: str = ""
    expected: list[str] = field(default_factory=list)
    site_id: int | None = None
    area_id: int | None = None


def value_at(data: dict[str, Any], path: str) -> str:
    """The answer at a question path ("location/site_code"); a bare name is searched for."""
    steps = [step for step in path.strip().strip("/").split("/") if step]
    if path.strip().startswith("/") and len(steps) > 1:
        steps = steps[1:]  # an absolute path names the instance root first
    current: Any = data
    for step in steps:
        if isinstance(current, list):
            current = current[0] if current else None
        if not isinstance(current, dict) or step not in current:
            current = None
            break
        current = current[step]
    if current is None and len(steps) == 1:
        current = find_name(data, steps[0])
    return current.strip() if isinstance(current, str) else ""


def find_name(data: Any, name: str) -> Any:
    if isinstance(data, dict):
        if isinstance(data.get(name), str):
            return data[name]
        for value in data.values():
            if isinstance(value, dict | list) and (found := find_name(value, name)) is not None:
                return found
    elif isinstance(data, list):
        for item in data:
            if (found := find_name(item, name)) is not None:
                return found
    return None


class Places:
    """Site codes and p-codes resolved within an operation, each looked up once per batch."""

    def __init__(self) -> None:
        self.sites: dict[tuple[int, str], tuple[int, int | None] | None] = {}
        self.areas: dict[tuple[int, str], int | None] = {}

    def site(self, operation: Operation, code: str) -> tuple[int, int | None] | None:
        key = (operation.pk, code)
        if key not in self.sites:
            rows = {
                found: (pk, area)
                for found, pk, area in Site.objects.filter(
                    operation=operation, code__in={code, code.upper()}
                ).values_list("code", "pk", "admin_area_id")
            }
            self.sites[key] = rows.get(code) or rows.get(code.upper())
        return self.sites[key]

    def area(self, operation: Operation, raw: str) -> int | None:
        key = (operation.pk, raw)
        if key not in self.areas:
            try:
                pcode = normalize_pcode(raw, operation)
            except PcodeError:
                self.areas[key] = None
            else:
                self.areas[key] = (
                    AdminArea.objects.filter(operation=operation, pcode=pcode)
                    .values_list("pk", flat=True)
                    .first()
                )
        return self.areas[key]


def parse_one(version: SubmissionVersion, plan: ParsePlan | None, places: Places) -> Parsed:
    """Never raises: whatever goes wrong becomes the version's parse error."""
    try:
        if plan is None:
            raise ValueError("the form version's fields could not be read")
        # The receipt read this very XML already: its tree is reused when handed over.
        root = getattr(version, PARSED_ROOT, None)
        data = instance_data(
            root if root is not None else parse_xml(version.xml), set(plan.repeats)
        )
        names: list[str] = []
        collect_binaries(data, "", set(plan.binaries), names)
        parsed = Parsed(Parse.PARSED, data=data, expected=sorted(set(names)))
    except Exception as error:  # noqa: BLE001 - any failure is recorded, never raised
        return Parsed(Parse.FAILED, error=f"{error.__class__.__name__}: {error}"[:2000])
    form: Form = version.form
    operation = form.operation
    if form.site_field and (code := value_at(data, form.site_field)):
        site = places.site(operation, code)
        if site is not None:
            parsed.site_id, parsed.area_id = site
    if form.area_field and (raw := value_at(data, form.area_field)):
        parsed.area_id = places.area(operation, raw) or parsed.area_id
    return parsed


PARSED_FIELDS = {"parse_status", "data", "parse_error", "attachments_expected"}
PARSED_COLUMNS = [
    item for item in SubmissionVersion._meta.concrete_fields if item.name in PARSED_FIELDS
]
# Our own table and column names only.
VERSION_UPDATE = (
    f"UPDATE {SubmissionVersion._meta.db_table} SET "  # noqa: S608
    + ", ".join(f"{item.column} = %s" for item in PARSED_COLUMNS)
    + " WHERE id = %s"
)
PLACE_UPDATE = (
    f"UPDATE {Submission._meta.db_table} SET site_id = %s, admin_area_id = %s "  # noqa: S608
    f"WHERE id = %s AND EXISTS (SELECT 1 FROM {SubmissionVersion._meta.db_table} AS version "
    f"WHERE version.id = %s AND version.submission_id = {Submission._meta.db_table}.id "
    "AND version.current)"
)


def write(results: list[tuple[SubmissionVersion, Parsed]]) -> None:
    """Record a batch's results, each an UPDATE of one row sent in one batch (executemany):
    bulk_update's CASE per row and field cost the worker more CPU than parsing the XML."""
    rows = []
    for version, parsed in results:
        version.parse_status = parsed.status
        version.data = parsed.data
        version.parse_error = parsed.error
        version.attachments_expected = parsed.expected
        rows.append(
            [
                item.get_db_prep_save(getattr(version, item.attname), connection)
                for item in PARSED_COLUMNS
            ]
            + [version.pk]
        )
    # Only the current version places the submission; an older one parsed late does not.
    placed = [
        [parsed.site_id, parsed.area_id, version.submission_id, version.pk]
        for version, parsed in results
        if parsed.status == Parse.PARSED and (parsed.site_id or parsed.area_id)
    ]
    with connection.cursor() as cursor:
        cursor.executemany(VERSION_UPDATE, rows)
        if placed:
            cursor.executemany(PLACE_UPDATE, placed)
    announce_changed(version.submission_id for version, _ in results if version.current)


def submission_parse(version: SubmissionVersion) -> SubmissionVersion:
    """Parse one stored version and record the result; failures are recorded, not raised."""
    submissions_parse([version])
    return version


def submissions_parse(versions: Iterable[SubmissionVersion]) -> int:
    """Parse versions (with their form and operation) and record the results in one commit."""
    versions = list(versions)
    if not versions:
        return 0
    plans = parse_plans({version.form_version_id for version in versions})
    places = Places()
    results = [
        (version, parse_one(version, plans.get(version.form_version_id), places))
        for version in versions
    ]
    with derived_data_transaction():
        write(results)
    return len(results)


@contextmanager
def derived_data_transaction() -> Iterator[None]:
    """A transaction whose commit need not wait for the disk: what it writes can be derived again.

    Parse results are computed from the stored XML. Should a crash lose one of these commits,
    the version is simply `pending` again and `parse_submissions` parses it anew; so they commit
    without the fsync a receipt needs (SQLite: synchronous=NORMAL for this commit; PostgreSQL:
    synchronous_commit off for this transaction). Inside a caller's transaction, theirs decides.
    """
    if connection.in_atomic_block or connection.vendor not in {"sqlite", "postgresql"}:
        with transaction.atomic():
            yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        previous = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA synchronous=NORMAL")
    try:
        with transaction.atomic():
            yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous={previous}")


def pending(limit: int = BATCH) -> QuerySet[SubmissionVersion]:
    """Up to `limit` versions still to parse, read through the parse_backlog partial index."""
    return SubmissionVersion.objects.select_related("form", "form__operation").filter(
        parse_status=Parse.PENDING
    )[:limit]


def submissions_parse_pending(*, limit: int = BATCH) -> int:
    """Parse one batch of the backlog; how many versions were parsed (0: nothing left)."""
    return submissions_parse(pending(limit))


def parse_after_commit(version: SubmissionVersion) -> None:
    try:
        submission_parse(version)
    except Exception:  # the version stays pending; parse_submissions picks it up
        logger.exception("parsing submission version %s failed", version.pk)


HEARTBEAT_NAME = "parse-worker.alive"
HEARTBEAT_FRESH_SECONDS = 5.0


def heartbeat_path() -> Path:
    return Path(settings.DATA_DIR) / HEARTBEAT_NAME


def worker_heartbeat() -> None:
    """The worker says it is alive; receipts leave their versions to it for a few seconds."""
    path = heartbeat_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


def worker_gone() -> None:
    heartbeat_path().unlink(missing_ok=True)


def worker_alive() -> bool:
    try:
        age = time.time() - heartbeat_path().stat().st_mtime
    except FileNotFoundError:
        return False
    return age < HEARTBEAT_FRESH_SECONDS


def parse_inline() -> bool:
    mode = settings.OPENDTM_PARSE
    if mode == "inline":
        return True
    if mode == "worker":
        return False
    return not worker_alive()


def schedule_parse(version: SubmissionVersion, root: Element | None = None) -> None:
    """Parse once the receipt committed, unless a worker takes care of it (see above).

    `root` is the receipt's own reading of the XML (defusedxml), reused instead of reading the
    same bytes again.
    """
    if parse_inline():
        if root is not None:
            setattr(version, PARSED_ROOT, root)
        transaction.on_commit(lambda: parse_after_commit(version))
