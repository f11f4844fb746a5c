"""The export steps' naive baseline: an analyst with pandas.

The rows of opendtm's admin 2 file (one per area, and round in the multi-round file), read once
from the database by one SQL GROUP BY over the raw figures of the published revisions, public
indicators only (a rank counts the places ranking a sector first, as the selectors do), pivoted
wide, then written by DataFrame.to_csv or DataFrame.to_excel (openpyxl, pandas' default for
.xlsx). Only the writing is timed. Nothing is blanked, there is no HXL row, and the areas have
their p-codes and names but not their parents': what the ratio to opendtm's time shows is what
those cost, with the reading of stored level figures.
"""

from pathlib import Path

import pandas as pd
from django.db import connection

from opendtm.geo.models import AdminArea
from opendtm.tracking.models import Figure, Indicator, Round, RoundRevision

KEYS = ["round", "admin2_pcode", "admin2_name"]


def admin2_sql(*, one_round: bool) -> str:
    figure, revision, round, indicator, area = (
        model._meta.db_table for model in (Figure, RoundRevision, Round, Indicator, AdminArea)
    )
    # Our own table names; values come as parameters.
    return (
        "SELECT r.number, a.pcode, a.name, i.code, f.sex, f.age_band, "  # noqa: S608
        "SUM(CASE WHEN i.aggregation = %s THEN CASE WHEN f.value = 1 THEN 1 ELSE 0 END "
        "ELSE f.value END) "
        f"FROM {figure} f JOIN {revision} v ON v.id = f.revision_id "
        f"JOIN {round} r ON r.id = v.round_id JOIN {indicator} i ON i.id = f.indicator_id "
        f"JOIN {area} a ON a.id = f.admin2_id "
        "WHERE v.status = %s AND i.sensitivity = %s AND r.operation_id = %s "
        + ("AND r.id = %s " if one_round else "")
        + "GROUP BY r.number, a.pcode, a.name, i.code, f.sex, f.age_band"
    )


def admin2_frame(operation_id: int, round_id: int | None = None) -> pd.DataFrame:
    """One row per admin 2 area (and round), one column per figure: `idp_individuals`,
    `idp_individuals+f+0-4`..."""
    parameters: list[str | int] = [
        Indicator.Aggregation.RANK,
        RoundRevision.Status.PUBLISHED,
        Indicator.Sensitivity.PUBLIC,
        operation_id,
        *([round_id] if round_id else []),
    ]
    with connection.cursor() as cursor:
        cursor.execute(admin2_sql(one_round=round_id is not None), parameters)
        long = pd.DataFrame(cursor.fetchall(), columns=[*KEYS, "code", "sex", "age_band", "value"])
    long["figure"] = [
        "+".join(part for part in parts if part)
        for parts in zip(long["code"], long["sex"], long["age_band"], strict=True)
    ]
    wide = long.pivot_table(index=KEYS, columns="figure", values="value", aggfunc="sum")
    return wide.reset_index().rename_axis(columns=None)


def frame_write(frame: pd.DataFrame, path: Path, format: str) -> Path:
    if format == "xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_csv(path, index=False)
    return path
