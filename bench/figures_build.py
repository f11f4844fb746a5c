"""Write the synthetic country of bench/figures_world.py into the current database.

Areas, sites and rounds go through the ORM and the round services (created, collecting,
validating, published: the real lifecycle, audited). Figures, millions of them, are written
in bulk, for the benchmark only: COPY on PostgreSQL, executemany on SQLite, one round per
transaction. With `fast`, the figure table's indexes are dropped during the load and rebuilt
after, and foreign-key checks are suspended (as pg_restore does): the rows are valid by
construction, and the table ends up exactly as migrated.
"""

import datetime
import itertools
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection, transaction

from bench import figures_world as world
from opendtm.accounts.models import Operation, User
from opendtm.accounts.roles import Role
from opendtm.accounts.services.members import member_add
from opendtm.accounts.services.operations import operation_create
from opendtm.geo.models import AdminArea, Site
from opendtm.tracking.models import Figure, Indicator, Round
from opendtm.tracking.services.rounds import RoundData, round_create, round_move, round_publish

FIGURE_COLUMNS = ("revision", *world.COLUMNS, "value")


@dataclass(frozen=True)
class Built:
    operation_id: int
    user_id: int
    round_ids: list[int]  # by round number
    series_area_id: int  # the admin1 whose time series is measured
    areas: int
    sites: int
    assessments: int
    rows: int
    seconds: float


def build(*, sites: int, rounds: int, seed: int = 2026, fast: bool = False) -> Built:
    started = time.monotonic()
    rng = np.random.default_rng(seed)
    layout = world.Layout.for_sites(sites)
    user = User.objects.create_superuser("bench-figures", "bench@example.org", "bench-password")
    operation = operation_create(
        actor=user,
        name=f"Figures benchmark {seed}",
        country="NGA",
        admin_level_names=["Country", "State", "LGA", "Ward"],
    )
    # A superuser does not see protection data without the role; the benchmark sees all.
    member_add(actor=user, operation=operation, user=user, role=Role.PROTECTION_OFFICER)
    drawn = world.sites_draw(rng, layout, sites, rounds)
    states = places_create(operation, layout, drawn)
    cut_off = world.inaccessible_lgas(rng, layout)
    ids = dict(Indicator.objects.filter(operation__isnull=True).values_list("code", "id"))
    created = [round_open(user, operation, number) for number in range(1, rounds + 1)]
    assessments = rows = 0
    with bulk_loading(fast):
        for number, found in enumerate(created, 1):
            chosen = world.assessed(rng, drawn, layout.lga_of_ward(), cut_off, number, rounds)
            columns = world.round_figures(rng, drawn, chosen, number, rounds, ids)
            rows += figures_write(found.revisions.get().pk, columns)
            assessments += len(chosen)
    for found in created:
        round_move(actor=user, round=found, status=Round.Status.VALIDATING)
        round_publish(actor=user, round=found)
    return Built(
        operation_id=operation.pk,
        user_id=user.pk,
        round_ids=[found.pk for found in created],
        series_area_id=states[0],
        areas=layout.areas,
        sites=sites,
        assessments=assessments,
        rows=rows,
        seconds=time.monotonic() - started,
    )


def places_create(operation: Operation, layout: world.Layout, drawn: world.Sites) -> list[int]:
    """The area tree and the sites; fills the sites' area ids in; the states' ids."""
    country = AdminArea.objects.create(operation=operation, level=0, pcode="NG", name="Benchland")
    states = areas_create(operation, 1, [country] * layout.states)
    lgas = areas_create(operation, 2, [states[i] for i in layout.state_of_lga()])
    wards = areas_create(operation, 3, [lgas[i] for i in layout.lga_of_ward()])
    site_types = [choice.value for choice in Site.Type]
    created = Site.objects.bulk_create(
        (
            Site(
                operation=operation,
                code=f"S{index:06d}",
                name=f"Site {index}",
                site_type=site_types[index % len(site_types)],
                admin_area_id=wards[ward].pk,
            )
            for index, ward in enumerate(drawn.ward.tolist())
        ),
        batch_size=5000,
    )
    drawn.site = np.array([site.pk for site in created])
    ward_ids = np.array([ward.pk for ward in wards])
    lga_of_ward = layout.lga_of_ward()[drawn.ward]
    drawn.admin3 = ward_ids[drawn.ward]
    drawn.admin2 = np.array([lga.pk for lga in lgas])[lga_of_ward]
    drawn.admin1 = np.array([state.pk for state in states])[layout.state_of_lga()[lga_of_ward]]
    return [state.pk for state in states]


def areas_create(operation: Operation, level: int, parents: list[AdminArea]) -> list[AdminArea]:
    """One child for each parent given, numbered within its parent."""
    counters: dict[int, itertools.count] = {}
    areas = []
    for parent in parents:
        number = next(counters.setdefault(parent.pk, itertools.count(1)))
        pcode = f"{parent.pcode}{number:03d}"
        areas.append(
            AdminArea(operation=operation, level=level, pcode=pcode, name=pcode, parent=parent)
        )
    return AdminArea.objects.bulk_create(areas, batch_size=5000)


def round_open(user: User, operation: Operation, number: int) -> Round:
    """Monthly rounds from January 2023, collecting."""
    start = datetime.date(2023 + (number - 1) // 12, (number - 1) % 12 + 1, 1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    found = round_create(actor=user, operation=operation, data=RoundData(number, "SA", start, end))
    return round_move(actor=user, round=found, status=Round.Status.COLLECTING)


def figures_write(revision_id: int, columns: dict[str, np.ndarray]) -> int:
    table = Figure._meta.db_table
    names = ", ".join(Figure._meta.get_field(name).column for name in FIGURE_COLUMNS)
    connection.ensure_connection()
    with transaction.atomic(), closing(connection.connection.cursor()) as cursor:
        if connection.vendor == "postgresql":
            frame = pd.DataFrame({"revision": revision_id, **columns})[list(FIGURE_COLUMNS)]
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                copy.write(frame.to_csv(sep="\t", header=False, index=False))
        else:
            values = [columns[name].tolist() for name in FIGURE_COLUMNS[1:]]
            marks = ", ".join("?" * len(FIGURE_COLUMNS))
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 - our own names
                zip(itertools.repeat(revision_id), *values, strict=False),
            )
    return len(columns["value"])


@contextmanager
def bulk_loading(fast: bool) -> Iterator[None]:
    if not fast:
        yield
        return
    table = Figure._meta.db_table
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname "
                "NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [table, table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(
            "SET session_replication_role = replica" if postgres else "PRAGMA foreign_keys = OFF"
        )
    yield
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET maintenance_work_mem = '1GB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        if postgres:
            cursor.execute("RESET maintenance_work_mem")
        cursor.execute("RESET session_replication_role" if postgres else "PRAGMA foreign_keys = ON")


def statistics_gather() -> None:
    """What autovacuum (off on the bench machines) or PRAGMA optimize would have done."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("PRAGMA analysis_limit = 2000")  # sampled, as PRAGMA optimize does
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def database_bytes() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
        else:
            cursor.execute(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            )
        return cursor.fetchone()[0]
