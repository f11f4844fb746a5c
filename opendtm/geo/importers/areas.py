"""Reading a COD-AB file (GeoJSON, CSV or XLSX) into admin area records.

A file describes its deepest level and, through its parent columns, the levels above it:
a row of an admin 2 file also names its admin 1. Every problem is collected with the
feature or row it comes from, so a person can fix them all in one pass.
"""

import datetime
import json
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from opendtm.accounts.models import Operation
from opendtm.core.errors import ApplicationError, Problem
from opendtm.core.tables import (
    cell_text,
    check_not_empty,
    check_upload_size,
    decode_utf8,
    read_table,
)
from opendtm.geo.geometry import GeometryError, parse_geometry
from opendtm.geo.importers.columns import ColumnMap, detect_columns, parse_column_spec
from opendtm.geo.pcodes import PcodeError, normalize_pcode

GEOGRAPHIC_CRS = re.compile(r"CRS84|EPSG:*4326$", re.IGNORECASE)
SINGLE_OBJECTS = {
    "Feature",
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}


@dataclass
class AreaRecord:
    where: str
    level: int
    pcode: str
    name: str
    parent_pcode: str = ""
    alt_names: list[str] = field(default_factory=list)
    geometry: BaseGeometry | None = None
    valid_on: datetime.date | None = None


@dataclass
class AreaSource:
    source: str
    columns: ColumnMap
    records: list[AreaRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Entry:
    """One feature or row: where it is, its properties, its geometry if any."""

    where: str
    values: dict[str, Any]
    spatial: bool = False
    geometry: Any = None


def read_area_file(
    name: str, data: bytes, operation: Operation, *, columns: str = "", repair: bool = False
) -> AreaSource:
    check_upload_size(name, len(data))
    check_not_empty(name, data)
    if PurePath(name).suffix.lower() in {".geojson", ".json"}:
        entries, headers = geojson_entries(name, data)
        source = name
    else:
        table = read_table(name, data)
        entries = [Entry(f"row {row.number}", row.values) for row in table.rows]
        headers, source = table.headers, table.source
    if not entries:
        raise ApplicationError(
            _("%(source)s has no areas in it.") % {"source": source},
            hint=_("Check that you exported the layer with its features."),
        )
    column_map = (
        parse_column_spec(columns, headers, source) if columns else detect_columns(headers, source)
    )
    result = AreaSource(source=source, columns=column_map)
    for entry in entries:
        read_entry(result, entry, operation, repair=repair)
    return result


def geojson_entries(name: str, data: bytes) -> tuple[list[Entry], list[str]]:
    document = load_geojson(name, data)
    entries, headers = [], {}
    for number, feature in enumerate(document["features"], start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        values = properties if isinstance(properties, dict) else {}
        headers.update(dict.fromkeys(values))
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        entries.append(Entry(f"feature {number}", values, spatial=True, geometry=geometry))
    return entries, list(headers)


def load_geojson(name: str, data: bytes) -> dict:
    try:
        document = json.loads(decode_utf8(name, data))
    except json.JSONDecodeError as error:
        raise ApplicationError(
            _("%(name)s is not valid JSON: %(error)s at line %(line)d, column %(column)d.")
            % {"name": name, "error": error.msg, "line": error.lineno, "column": error.colno},
            hint=_(
                "A GeoJSON cut short by a failed download or copy breaks like this: "
                "export or download it again."
            ),
        ) from None
    except RecursionError:
        raise ApplicationError(
            _("%(name)s nests its JSON too deeply to be GeoJSON.") % {"name": name},
            hint=_("Export the boundary layer as GeoJSON (RFC 7946)."),
        ) from None
    kind = document.get("type") if isinstance(document, dict) else None
    if kind in SINGLE_OBJECTS:
        raise ApplicationError(
            _(
                "%(name)s holds a single %(kind)s, not a FeatureCollection, so it has no "
                "p-code and name columns."
            )
            % {"name": name, "kind": kind},
            hint=_("Export the whole layer as a GeoJSON FeatureCollection with its attributes."),
        )
    if kind != "FeatureCollection" or not isinstance(document.get("features"), list):
        raise ApplicationError(
            _("%(name)s is JSON but not a GeoJSON FeatureCollection.") % {"name": name},
            hint=_("Export the boundary layer as GeoJSON (RFC 7946)."),
        )
    crs = crs_name(document.get("crs"))
    if crs and not GEOGRAPHIC_CRS.search(crs):
        raise ApplicationError(
            _(
                "%(name)s is in the coordinate system %(crs)s; opendtm reads longitude and "
                "latitude (EPSG:4326 or CRS84)."
            )
            % {"name": name, "crs": crs},
            hint=_("Reproject it, for example: ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson"),
        )
    return document


def crs_name(crs: Any) -> str:
    """The name in a (pre-RFC 7946) "crs" member, such as "urn:ogc:def:crs:EPSG::32632"."""
    properties = crs.get("properties") if isinstance(crs, dict) else None
    return str(properties.get("name") or "") if isinstance(properties, dict) else ""


def read_entry(result: AreaSource, entry: Entry, operation: Operation, *, repair: bool) -> None:
    where = f"{result.source}, {entry.where}"
    deepest = result.columns.deepest
    valid_on = read_valid_on(result, entry, where)
    parent_pcode = ""
    for level, columns in sorted(result.columns.levels.items()):
        raw = cell_text(entry.values.get(columns.pcode))
        if not raw:
            result.problems.append(
                Problem(
                    _("the admin %(level)s p-code is empty") % {"level": level},
                    where,
                    columns.pcode,
                    _("Fill in the p-code."),
                )
            )
            return
        try:
            pcode = normalize_pcode(raw, operation)
        except PcodeError as error:
            result.problems.append(Problem(str(error), where, columns.pcode))
            return
        name = cell_text(entry.values.get(columns.name)) if columns.name else ""
        if not name and level == 0:
            name = operation.country_name
        if not name:
            result.problems.append(
                Problem(
                    _("%(pcode)s has no name") % {"pcode": pcode},
                    where,
                    columns.name,
                    _("Fill in the area's name."),
                )
            )
            return
        record = AreaRecord(
            where=where,
            level=level,
            pcode=pcode,
            name=name,
            parent_pcode=parent_pcode,
            alt_names=list(
                dict.fromkeys(
                    text
                    for column in columns.alt_names
                    if (text := cell_text(entry.values.get(column)))
                )
            ),
            valid_on=valid_on,
        )
        if level == deepest and entry.spatial:
            try:
                record.geometry = parse_geometry(entry.geometry, repair=repair)
            except GeometryError as error:  # the record stays, for the p-code checks
                result.problems.append(Problem(f"{pcode} {error}", where, "geometry", error.hint))
        result.records.append(record)
        parent_pcode = pcode


def read_valid_on(result: AreaSource, entry: Entry, where: str) -> datetime.date | None:
    column = result.columns.valid_on
    text = cell_text(entry.values.get(column)) if column else ""
    if not text:
        return None
    try:
        day = parse_date(text[:10].replace("/", "-"))
    except ValueError:
        day = None
    if day is None:
        result.problems.append(
            Problem(
                _("'%(text)s' is not a date") % {"text": text},
                where,
                column,
                _("Write dates as YYYY-MM-DD."),
            )
        )
    return day
