"""Summing a published revision to every admin level, once.

A published revision never changes, so its sums are computed when it is published and
stored: one pass over its figures groups them by ward, LGA and state together, counting each
group's distinct places; levels 3, 2, 1 and 0 then add those groups up (a place lies in one
ward, one LGA and one state, so distinct counts add up too). All of it is one
INSERT ... SELECT in the database: no figure row travels to Python.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from opendtm.tracking.models import AssessmentType, Figure, LevelFigure, RoundRevision

# level -> the area column summed to (none at level 0), and its ancestor columns
ROLLUPS: dict[int, tuple[str | None, tuple[str, str, str]]] = {
    3: ("admin3_id", ("admin1_id", "admin2_id", "admin3_id")),
    2: ("admin2_id", ("admin1_id", "admin2_id", "NULL")),
    1: ("admin1_id", ("admin1_id", "NULL", "NULL")),
    0: (None, ("NULL", "NULL", "NULL")),
}
KEYS = "indicator_id, sex, age_band"


def level_figures_store(revision: RoundRevision) -> int:
    """Store the revision's sums at levels 0 to 3 (replacing any); the rows written."""
    round = revision.round
    place = "site_id" if round.assessment_type == AssessmentType.SITE else "admin_area_id"
    with transaction.atomic(), connection.cursor() as cursor:
        LevelFigure.objects.filter(revision=revision).delete()
        with planned_in_index_order(cursor):
            cursor.execute(store_statement(int(revision.pk), place))
        return cursor.rowcount


TUNING = {"enable_sort": "off", "jit": "off", "work_mem": "'64MB'"}


@contextmanager
def planned_in_index_order(cursor: CursorWrapper) -> Iterator[None]:
    """On PostgreSQL, read the revision's figures in the order of the figure_levels index.
    Priced by the table's physical order (submissions arrive in any order), the index looks
    slower than sorting every row, which measures twice as slow; the statement is over before
    JIT-compiling it would pay; the stored rows (a hundred thousand) are sorted in memory.
    For this statement only."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        for name, value in TUNING.items():
            cursor.execute(f"SET LOCAL {name} = {value}")
    try:
        yield
    finally:
        if postgres:
            for name in TUNING:
                cursor.execute(f"SET LOCAL {name} TO DEFAULT")


def store_statement(revision: int, place: str) -> str:
    """Our own table and column names, and an integer: nothing from outside."""
    figures, stored = Figure._meta.db_table, LevelFigure._meta.db_table
    fine = f"admin1_id, admin2_id, admin3_id, {KEYS}"
    rollups = " UNION ALL ".join(
        rollup(revision, level, area, ancestors) for level, (area, ancestors) in ROLLUPS.items()
    )
    return (
        f"WITH fine AS (SELECT {fine}, SUM(value) AS total, "  # noqa: S608
        "SUM(CASE WHEN value = 1 THEN 1 ELSE 0 END) AS first, "
        f"COUNT(DISTINCT {place}) AS places FROM {figures} WHERE revision_id = {revision} "
        f"GROUP BY {fine}) "
        f"INSERT INTO {stored} (revision_id, level, admin_area_id, admin1_id, admin2_id, "
        f"admin3_id, {KEYS}, total, first, places) {rollups} "
        # In the order of the level_figure_key index, which then grows at its end only.
        "ORDER BY 2, 7, 8, 9, 3"
    )


def rollup(revision: int, level: int, area: str | None, ancestors: tuple[str, ...]) -> str:
    """One level's sums of the fine groups; places without that level are left out. At the
    finest level each fine group is already one area's."""
    columns = f"{revision}, {level}, {area or 'NULL'}, {', '.join(ancestors)}, {KEYS}"
    where = f"WHERE {area} IS NOT NULL " if area else ""
    if "NULL" not in ancestors:
        return f"SELECT {columns}, total, first, places FROM fine {where}"  # noqa: S608
    grouped = ", ".join([*(column for column in ancestors if column != "NULL"), KEYS])
    return (
        f"SELECT {columns}, SUM(total), SUM(first), SUM(places) "  # noqa: S608
        f"FROM fine {where}GROUP BY {grouped}"
    )
