"""Build the publishing benchmark's operation in a fresh, migrated database.

    python -m bench.publishing_build --sites N --rounds R --seed S --out FOLDER

runs in a benchmark environment (DATABASE_URL, OPENDTM_DATA_DIR). It builds the figures
benchmark's synthetic operation exactly as bench/figures_measure.py does (bench/figures_build,
fast), draws a boundary for each admin 2 area so that the report has its map, issues a
subscription key for the DTM API through the key service, gathers statistics (VACUUM ANALYZE
on PostgreSQL), and writes what the steps need to FOLDER/built.json.
"""

import argparse
import dataclasses
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

SIDE_POINTS = 10  # points per side of an area's boundary: 40-point rings, as simplified LGAs
IDPS, HOUSEHOLDS = "idp_individuals", "idp_households"


def square(west: float, south: float, size: float) -> dict[str, Any]:
    """A square of `size` degrees, SIDE_POINTS points a side, counter-clockwise as in GeoJSON."""
    steps = [index * size / SIDE_POINTS for index in range(SIDE_POINTS)]
    ring = (
        [[west + step, south] for step in steps]
        + [[west + size, south + step] for step in steps]
        + [[west + size - step, south + size] for step in steps]
        + [[west, south + size - step] for step in steps]
    )
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def boundaries_draw(operation_id: int) -> int:
    """The admin 2 areas side by side on a grid over north-east Nigeria: what the report's
    choropleth draws (the synthetic areas have no shapes of their own)."""
    from opendtm.geo.models import AdminArea

    areas = list(AdminArea.objects.filter(operation_id=operation_id, level=2).order_by("pcode"))
    columns = math.ceil(math.sqrt(len(areas)))
    size = 6 / columns  # six degrees across
    for index, area in enumerate(areas):
        west, south = 9 + size * (index % columns), 8 + size * (index // columns)
        area.geometry = area.geometry_simplified = square(west, south, size)
        area.min_lon, area.min_lat, area.max_lon, area.max_lat = (
            west,
            south,
            west + size,
            south + size,
        )
    fields = ["geometry", "geometry_simplified", "min_lon", "min_lat", "max_lon", "max_lat"]
    AdminArea.objects.bulk_update(areas, fields, batch_size=500)
    return len(areas)


def key_issue(operation_id: int, user_id: int) -> str:
    from opendtm.accounts.models import Operation, User
    from opendtm.publishing.services.keys import subscription_key_issue

    _key, secret = subscription_key_issue(
        actor=User.objects.get(pk=user_id),
        operation=Operation.objects.get(pk=operation_id),
        consumer_name="Publishing benchmark",
        contact_email="bench@example.org",
    )
    return secret


def facts(operation_id: int) -> dict[str, Any]:
    """What the steps and the checks need to know about the operation."""
    from opendtm.accounts.models import Operation
    from opendtm.tracking.models import Indicator

    operation = Operation.objects.get(pk=operation_id)
    tags = dict(
        Indicator.objects.filter(operation__isnull=True, code__in=[IDPS, HOUSEHOLDS]).values_list(
            "code", "hxl_tag"
        )
    )
    return {
        "country_name": operation.country_name,
        "threshold": operation.suppression_threshold,
        "tags": tags,
    }


def main() -> None:
    import django

    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, required=True)
    parser.add_argument("--rounds", type=int, required=True)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendtm.settings")
    django.setup()
    from bench.figures_build import build, statistics_gather

    built = build(sites=args.sites, rounds=args.rounds, seed=args.seed, fast=True)
    print(f"built {built.rows:,} figure rows in {built.seconds:,.0f} s", file=sys.stderr)
    drawn = boundaries_draw(built.operation_id)
    secret = key_issue(built.operation_id, built.user_id)
    started = time.monotonic()
    statistics_gather()
    gathered = time.monotonic() - started
    print(f"statistics gathered in {gathered:,.0f} s", file=sys.stderr)
    found = {
        **dataclasses.asdict(built),
        **facts(built.operation_id),
        "boundaries": drawn,
        "statistics_seconds": gathered,
        "key": secret,
    }
    (args.out / "built.json").write_text(json.dumps(found))


if __name__ == "__main__":
    main()
