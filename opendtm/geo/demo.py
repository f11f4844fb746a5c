"""The demo operation's geography: real Nigeria boundaries and generated Borno sites.

Everything goes through the same import services as a user's upload, so the demo also
shows the ISO3/ISO2 p-code normalisation, a fuzzy match waiting for confirmation and a site
flagged outside its LGA. The generator is seeded: every run yields the same sites.
"""

import datetime
import random
from pathlib import Path

from shapely.geometry import Point, shape

from opendtm.accounts.models import Operation, User
from opendtm.core.tables import Row, Table
from opendtm.geo.importers.areas import read_area_file
from opendtm.geo.models import AdminArea, Site
from opendtm.geo.services.areas import AreaImportSummary, admin_areas_import
from opendtm.geo.services.site_import import SiteImportSummary, sites_import

DATA = Path(__file__).resolve().parent / "data" / "nigeria"
AREA_FILES = [
    ("nga_adm1.geojson", None),  # carries its own validOn, 2016-12-15
    ("nga_adm2_lgas.csv", None),  # carries valid_on per row
    ("nga_adm2_borno.geojson", datetime.date(2019, 4, 17)),
]
# Sites per LGA: most displaced people in Borno live around Maiduguri and in the
# garrison towns; remote LGAs have a few sites each.
SITE_WEIGHTS = {
    "Maiduguri": 22,
    "Jere": 18,
    "Konduga": 9,
    "Bama": 8,
    "Gwoza": 8,
    "Monguno": 8,
    "Dikwa": 6,
    "Ngala": 6,
    "Damboa": 6,
    "Mafa": 5,
    "Kala/Balge": 4,
    "Biu": 4,
}
PLACE_STEMS = [
    "Dalori",
    "Bakassi",
    "Muna",
    "Gubio",
    "Farm Centre",
    "Gongulong",
    "Custom House",
    "Ngomari",
    "Mairi",
    "Bulumkutu",
    "Gwange",
    "Shuwari",
    "Kawar Maila",
    "Zabarmari",
    "Ajiri",
    "Goniri",
    "Banki",
    "Pulka",
    "Rann",
    "Gajiram",
    "Logumani",
    "Malkohi",
    "Kusheri",
    "Madinatu",
    "Galtimari",
    "Jiddari",
    "Lamisula",
    "Mashamari",
    "Bolori",
    "Umarari",
    "Dusuman",
    "Mainok",
    "Auno",
    "Molai",
    "Kayamla",
    "Kalli",
    "Fori",
    "Gomari",
    "Kasuwan Shanu",
    "Abbaganaram",
    "Limanti",
    "Hausari",
    "Yerwa",
    "Gamboru",
]
TYPE_SUFFIXES = [
    (Site.Type.CAMP, "Camp", 5),
    (Site.Type.COLLECTIVE_CENTRE, "Primary School", 2),
    (Site.Type.HOST_COMMUNITY, "Host Community", 4),
    (Site.Type.INFORMAL_SETTLEMENT, "Informal Settlement", 2),
]
HEADERS = [
    "site_code",
    "site_name",
    "site_type",
    "pcode",
    "area",
    "latitude",
    "longitude",
    "status",
    "aliases",
]


def demo_areas_load(*, actor: User, operation: Operation) -> list[AreaImportSummary]:
    summaries = []
    for name, valid_on in AREA_FILES:
        source = read_area_file(name, (DATA / name).read_bytes(), operation)
        summaries.append(
            admin_areas_import(actor=actor, operation=operation, source=source, valid_on=valid_on)
        )
    return summaries


def random_point_in(geometry: dict, rng: random.Random) -> tuple[float, float]:
    polygon = shape(geometry)
    min_x, min_y, max_x, max_y = polygon.bounds
    while True:
        point = Point(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
        if polygon.contains(point):
            return round(point.y, 5), round(point.x, 5)


def demo_sites_table(operation: Operation, seed: int = 2026) -> Table:
    rng = random.Random(seed)
    lgas = list(
        AdminArea.objects.current()
        .filter(operation=operation, level=2, parent__pcode=operation.pcode_prefix + "008")
        .exclude(geometry=None)
        .order_by("pcode")
    )
    table = Table(source="demo sites", headers=HEADERS)
    for lga in lgas:
        for number in range(1, SITE_WEIGHTS.get(lga.name, 2) + 1):
            site_type, suffix, _weight = rng.choices(
                TYPE_SUFFIXES, weights=[weight for *_rest, weight in TYPE_SUFFIXES]
            )[0]
            latitude, longitude = random_point_in(lga.geometry, rng)  # type: ignore[arg-type]
            stem = rng.choice(PLACE_STEMS)
            values = {
                "site_code": f"{lga.pcode}-S{number:02d}",
                "site_name": f"{stem} {suffix}" + (f" {number}" if number > 9 else ""),
                "site_type": site_type,
                "pcode": lga.pcode,
                "area": "",
                "latitude": str(latitude),
                "longitude": str(longitude),
                "status": "closed" if rng.random() < 0.06 else "open",
                "aliases": f"{stem} IDP site" if rng.random() < 0.2 else "",
            }
            table.rows.append(Row(number=len(table.rows) + 2, values=values))
    add_review_cases(table, lgas)
    return table


def add_review_cases(table: Table, lgas: list[AdminArea]) -> None:
    """Rows a data manager should look at: a spelling variant and a misplaced point."""
    by_name = {lga.name: lga for lga in lgas}
    first = table.rows[0].values
    if "Maiduguri" in by_name and "Jere" in by_name:
        variant = {
            **first,
            "site_code": "NG008021-X01",
            "site_name": "Stadium Camp",
            "pcode": "",
            "area": "Maiduguri M.C.",
            "latitude": "",
            "longitude": "",
        }
        table.rows.append(Row(number=len(table.rows) + 2, values=variant))
        jere_point = next(row for row in table.rows if row.values["pcode"] == by_name["Jere"].pcode)
        misplaced = {
            **first,
            "site_code": "NG008021-X02",
            "site_name": "Customs Junction Camp",
            "pcode": by_name["Maiduguri"].pcode,
            "latitude": jere_point.values["latitude"],
            "longitude": jere_point.values["longitude"],
        }
        table.rows.append(Row(number=len(table.rows) + 2, values=misplaced))


def demo_sites_load(*, actor: User, operation: Operation) -> SiteImportSummary:
    return sites_import(actor=actor, operation=operation, table=demo_sites_table(operation))
