"""The naive baseline: the operation's published figures exported once into a pandas
DataFrame, then each question answered by filtering and grouping the whole frame in memory.

The answers follow the selectors' rules (opendtm/tracking/selectors/figures.py): stocks and
flags are summed, ranks count the places ranking a sector first, `places` counts the distinct
admin areas (sites, at site level) reporting, "latest" takes each place's own latest round.
"""

import pandas as pd
from django.db import connection, transaction

from bench import figures_world as world
from opendtm.tracking.models import Figure, Round, RoundRevision

SITE = "site"
PLACE_COLUMN = {0: None, 1: "admin1", 2: "admin2", 3: "admin3", SITE: "site"}
KEYS = ["indicator", "sex", "age_band"]
DTYPES = {
    "round": "int16",
    "indicator": "int32",
    "admin_area": "int32",
    "site": "int32",
    "admin1": "int32",
    "admin2": "int32",
    "admin3": "int32",
    "sex": pd.CategoricalDtype(["", "f", "m"]),
    "age_band": pd.CategoricalDtype(["", *world.AGE_BANDS]),
    "value": "float64",
}
CHUNK = 200_000


def export_sql(placeholder: str) -> str:
    columns = ", ".join(f"f.{name}_id" for name in list(DTYPES)[1:-3])
    return (
        f"SELECT r.number, {columns}, f.sex, f.age_band, f.value "  # noqa: S608 - our own names
        f"FROM {Figure._meta.db_table} f "
        f"JOIN {RoundRevision._meta.db_table} v ON v.id = f.revision_id "
        f"JOIN {Round._meta.db_table} r ON r.id = v.round_id "
        f"WHERE v.status = 'published' AND r.assessment_type = 'SA' "
        f"AND r.operation_id = {placeholder}"
    )


def export(operation_id: int) -> pd.DataFrame:
    """Every published SA figure of the operation, streamed in chunks into one frame."""
    connection.ensure_connection()
    postgres = connection.vendor == "postgresql"
    frames = []
    with transaction.atomic():  # a server-side cursor lives in a transaction
        raw = connection.connection
        cursor = raw.cursor(name="figures_export") if postgres else raw.cursor()
        cursor.execute(export_sql("%s" if postgres else "?"), [operation_id])
        while batch := cursor.fetchmany(CHUNK):
            frames.append(pd.DataFrame.from_records(batch, columns=list(DTYPES)).astype(DTYPES))
        cursor.close()
    return pd.concat(frames, ignore_index=True)


def level_totals(rows: pd.DataFrame, level: int | str, ranked: list[int]) -> pd.DataFrame:
    column = PLACE_COLUMN[level]
    is_rank = rows["indicator"].isin(ranked)
    work = rows.assign(
        total=rows["value"].where(~is_rank, 0.0),
        first=(is_rank & (rows["value"] == 1)).astype("int64"),
    )
    grouped = work.groupby(([column] if column else []) + KEYS, observed=True, sort=False)
    result = grouped.agg(
        total=("total", "sum"),
        first=("first", "sum"),
        places=("site", "nunique"),  # the benchmark's rounds are all site assessments
    ).reset_index()
    result["value"] = result["total"].where(~result["indicator"].isin(ranked), result["first"])
    return result.drop(columns=["total", "first"])


def by_level(frame: pd.DataFrame, level: int | str, number: int, ranked: list[int]) -> pd.DataFrame:
    """One round at one level, with the previous round's value beside each row."""
    current = level_totals(frame[frame["round"] == number], level, ranked)
    earlier = frame.loc[frame["round"] < number, "round"]
    if earlier.empty:
        return current.assign(previous=float("nan"))
    before = level_totals(frame[frame["round"] == earlier.max()], level, ranked)
    keys = ([PLACE_COLUMN[level]] if PLACE_COLUMN[level] else []) + KEYS
    before = before[[*keys, "value"]].rename(columns={"value": "previous"})
    return current.merge(before, on=keys, how="left")


def totals(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[(frame["sex"] == "") & (frame["age_band"] == "")]


def latest(frame: pd.DataFrame, level: int | str, indicators: list[int]) -> pd.DataFrame:
    """Per place and indicator, the total of the place's own latest round."""
    keys = ([PLACE_COLUMN[level]] if PLACE_COLUMN[level] else []) + ["indicator"]
    rows = totals(frame[frame["indicator"].isin(indicators)])
    last = rows.groupby(keys, observed=True)["round"].transform("max")
    return (
        rows[rows["round"] == last]
        .groupby([*keys, "round"], observed=True)["value"]
        .sum()
        .reset_index()
    )


def series(frame: pd.DataFrame, admin1: int, indicator: int) -> pd.Series:
    rows = totals(frame[(frame["admin1"] == admin1) & (frame["indicator"] == indicator)])
    return rows.groupby("round")["value"].sum()
