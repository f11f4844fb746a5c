"""Small files built in code, a tiny geography, and the check that a refusal wrote nothing."""

import csv
import io
import json
from contextlib import contextmanager
from pathlib import Path

import pytest
from openpyxl import Workbook

from opendtm.accounts.models import AuditEvent
from opendtm.geo.importers.areas import read_area_file
from opendtm.geo.models import AdminArea, AdminAreaVersion, Site, SiteAreaMatch
from opendtm.geo.services.areas import admin_areas_import
from tests.factories import AdminAreaFactory, BoundedAreaFactory, square

NIGERIA = Path(__file__).resolve().parents[2] / "opendtm" / "geo" / "data" / "nigeria"

# Points of the tiny geography: Maiduguri is lon 13-13.5, lat 11.5-12; Jere east of it.
IN_MAIDUGURI = ("11.8", "13.2")
IN_JERE = ("11.7", "13.7")


def feature(properties: dict, geometry: dict | None = None) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def geojson(*features: dict, **members: object) -> bytes:
    return json.dumps({"type": "FeatureCollection", **members, "features": features}).encode()


def state(pcode: str, name: str, geometry: dict | None = None) -> dict:
    return feature({"adm1_pcode": pcode, "adm1_name": name}, geometry or square(3, 4))


def csv_bytes(rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]], title: str = "areas") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (AdminArea, AdminAreaVersion, Site, SiteAreaMatch, AuditEvent)
    }


@contextmanager
def database_unchanged():
    before = table_counts()
    yield
    assert table_counts() == before


def import_areas(operation, actor, name: str, data: bytes, *, columns="", repair=False, **options):
    source = read_area_file(name, data, operation, columns=columns, repair=repair)
    return admin_areas_import(actor=actor, operation=operation, source=source, **options)


def import_nigeria(operation, actor, *names: str):
    return [import_areas(operation, actor, name, (NIGERIA / name).read_bytes()) for name in names]


@pytest.fixture
def tiny_geo(operation):
    """Borno with two LGAs as squares, and two LGAs called Irepodun in two other states."""
    country = AdminAreaFactory(operation=operation, level=0, pcode="NG", name="Nigeria")
    borno = BoundedAreaFactory(
        operation=operation, parent=country, pcode="NG008", name="Borno", lon=12, lat=10, size=3
    )
    kwara = AdminAreaFactory(operation=operation, parent=country, pcode="NG024", name="Kwara")
    osun = AdminAreaFactory(operation=operation, parent=country, pcode="NG030", name="Osun")
    lga = {"operation": operation, "level": 2, "size": 0.5, "lat": 11.5}
    return {
        "country": country,
        "borno": borno,
        "maiduguri": BoundedAreaFactory(
            **lga, parent=borno, pcode="NG008021", name="Maiduguri", lon=13
        ),
        "jere": BoundedAreaFactory(**lga, parent=borno, pcode="NG008013", name="Jere", lon=13.5),
        "irepodun_kwara": AdminAreaFactory(
            operation=operation, level=2, parent=kwara, pcode="NG024009", name="Irepodun"
        ),
        "irepodun_osun": AdminAreaFactory(
            operation=operation, level=2, parent=osun, pcode="NG030020", name="Irepodun"
        ),
    }
