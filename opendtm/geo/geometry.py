"""Geometry checks and the light copies drawn on maps, with shapely.

Geometries are GeoJSON in EPSG:4326 (longitude, latitude), as COD-AB publishes them.
"""

import json
from typing import Any

import shapely
from shapely.geometry import Point, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

# Degrees of simplification per admin level: a state is drawn coarser than a ward.
SIMPLIFY_TOLERANCE = {0: 0.02, 1: 0.01, 2: 0.004, 3: 0.0015}
DEFAULT_TOLERANCE = 0.0008
POLYGONAL = {"Polygon", "MultiPolygon"}


class GeometryError(ValueError):
    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def parse_geometry(data: Any, *, repair: bool = False) -> BaseGeometry:
    """A valid Polygon or MultiPolygon from a GeoJSON geometry, or a GeometryError."""
    if not isinstance(data, dict) or "type" not in data:
        raise GeometryError("has no geometry", "Every area needs its boundary polygon.")
    if data["type"] not in POLYGONAL:
        raise GeometryError(
            f"has a {data['type']} geometry; admin areas are Polygon or MultiPolygon",
            "Export the boundary layer, not the points or lines layer.",
        )
    try:
        geometry = shape(data)
    except (
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
        KeyError,
        shapely.errors.ShapelyError,
    ) as error:
        raise GeometryError(f"has a geometry that cannot be read ({error})") from None
    check_degrees(geometry)
    if not geometry.is_valid:
        if not repair:
            raise GeometryError(
                f"has an invalid geometry: {explain_validity(geometry)}",
                "Repair it (QGIS: Vector > Geometry Tools > Fix Geometries), "
                "or import with the repair option.",
            )
        geometry = polygonal_part(shapely.make_valid(geometry))
    if geometry.is_empty:
        raise GeometryError("has an empty geometry", "Every area needs its boundary polygon.")
    return geometry


def check_degrees(geometry: BaseGeometry) -> None:
    min_x, min_y, max_x, max_y = geometry.bounds
    if min_x < -180 or max_x > 180 or min_y < -90 or max_y > 90:
        raise GeometryError(
            f"has coordinates outside longitude/latitude ranges (for example x={max_x:.1f}, "
            f"y={max_y:.1f}): the file is in a projected CRS",
            "Reproject it to EPSG:4326 (WGS 84), for example with: "
            "ogr2ogr -t_srs EPSG:4326 out.geojson in.shp",
        )


def polygonal_part(geometry: BaseGeometry) -> BaseGeometry:
    if geometry.geom_type in POLYGONAL:
        return geometry
    parts = [part for part in getattr(geometry, "geoms", []) if part.geom_type in POLYGONAL]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def rounded(geometry: BaseGeometry, decimals: int) -> dict:
    """GeoJSON with coordinates rounded; 6 decimals is about 10 cm, 5 about 1 m.

    Lists, not shapely's tuples, so it equals what the database gives back.
    """
    return json.loads(json.dumps(mapping(shapely.transform(geometry, lambda c: c.round(decimals)))))


def simplified(geometry: BaseGeometry, level: int) -> dict:
    tolerance = SIMPLIFY_TOLERANCE.get(level, DEFAULT_TOLERANCE)
    light = geometry.simplify(tolerance, preserve_topology=True)
    return rounded(light, 4 if level <= 1 else 5)


def covers_point(geometry: dict, longitude: float, latitude: float) -> bool:
    return bool(shape(geometry).covers(Point(longitude, latitude)))
