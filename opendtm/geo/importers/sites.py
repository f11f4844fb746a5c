"""Reading a site master list (CSV or XLSX): columns, types, statuses and coordinates.

Column names vary between operations (site_code, SSID, Site Name, lat, GPS Latitude...);
they are recognised by normalised synonyms, or named with a --columns option such as
"code=SSID,name=Site Name".
"""

import math
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from opendtm.core.errors import ApplicationError, Problem
from opendtm.core.tables import Row, Table
from opendtm.geo.importers.columns import normalize_header
from opendtm.geo.models import Site

SYNONYMS: dict[str, set[str]] = {
    "code": {"code", "sitecode", "siteid", "id", "ssid", "locationcode", "sitepcode"},
    "name": {"name", "sitename", "locationname", "site"},
    "site_type": {"type", "sitetype", "locationtype", "settlementtype"},
    "pcode": {"pcode", "areapcode", "adminpcode", "locationpcode"},
    "area_name": {"area", "areaname", "adminarea", "adminname", "admin"},
    "parent": {"parent", "parentarea", "parentpcode", "parentname"},
    "latitude": {"latitude", "lat", "y", "gpslatitude", "gpslat"},
    "longitude": {"longitude", "lon", "lng", "long", "x", "gpslongitude", "gpslon"},
    "status": {"status", "sitestatus"},
    "aliases": {"aliases", "alias", "alternativenames", "othernames", "altnames"},
}
LEVELLED = re.compile(r"^adm(?:in)?([1-5])(pcode|pcod|name|en)$")

TYPES: dict[str, set[str]] = {
    Site.Type.CAMP: {"camp", "plannedcamp", "formalcamp", "idpcamp", "camplike", "campcamplike"},
    Site.Type.COLLECTIVE_CENTRE: {
        "collectivecentre",
        "collectivecenter",
        "publicbuilding",
        "school",
    },
    Site.Type.INFORMAL_SETTLEMENT: {
        "informalsettlement",
        "spontaneoussettlement",
        "selfsettledcamp",
        "informalsite",
        "selfsettled",
    },
    Site.Type.HOST_COMMUNITY: {
        "hostcommunity",
        "hostcommunities",
        "community",
        "hostfamily",
        "hostfamilies",
    },
    Site.Type.TRANSIT_CENTRE: {
        "transitcentre",
        "transitcenter",
        "receptioncentre",
        "receptioncenter",
        "transit",
    },
    Site.Type.OTHER: {"other"},
}
STATUSES: dict[str, set[str]] = {
    Site.Status.OPEN: {"open", "opened", "active", "yes"},
    Site.Status.CLOSED: {"closed", "close", "inactive", "no"},
}


@dataclass
class SiteColumns:
    columns: dict[str, str] = field(default_factory=dict)
    area_level: int | None = None

    def get(self, row: Row, key: str) -> str:
        column = self.columns.get(key)
        return row.values.get(column, "").strip() if column else ""


@dataclass
class SiteRow:
    where: str
    code: str
    name: str
    site_type: str
    status: str
    pcode: str = ""
    area_name: str = ""
    parent: str = ""
    latitude: float | None = None
    longitude: float | None = None
    aliases: list[str] = field(default_factory=list)


def detect_site_columns(table: Table, spec: str = "") -> SiteColumns:
    """Columns recognised by their names; a spec such as "code=SSID" overrides them."""
    found = SiteColumns()
    levelled: dict[str, dict[int, str]] = {"pcode": {}, "area_name": {}}
    for header in table.headers:
        key = normalize_header(header)
        if match := LEVELLED.match(key):
            kind = "pcode" if match[2] in {"pcode", "pcod"} else "area_name"
            levelled[kind][int(match[1])] = header
            continue
        for name, synonyms in SYNONYMS.items():
            if key in synonyms and name not in found.columns:
                found.columns[name] = header
    take_deepest(found, levelled)
    if spec:
        apply_site_spec(found, table, spec)
    check_site_columns(found, table)
    return found


def take_deepest(found: SiteColumns, levelled: dict[str, dict[int, str]]) -> None:
    """The deepest admin level named places the site; the level above scopes its name.

    Given adm1_pcode and adm2_name, the site is in the admin 2 named, inside that admin 1.
    """
    levels = set(levelled["pcode"]) | set(levelled["area_name"])
    if not levels:
        return
    deepest = max(levels)
    found.area_level = deepest
    for kind in ("pcode", "area_name"):
        if kind not in found.columns and deepest in levelled[kind]:
            found.columns[kind] = levelled[kind][deepest]
    parent = levelled["pcode"].get(deepest - 1) or levelled["area_name"].get(deepest - 1)
    if parent and "parent" not in found.columns:
        found.columns["parent"] = parent


def apply_site_spec(found: SiteColumns, table: Table, spec: str) -> None:
    for part in filter(None, (item.strip() for item in spec.split(","))):
        key, _sep, column = (text.strip() for text in part.partition("="))
        if key not in SYNONYMS:
            raise ApplicationError(
                _("'%(key)s' in the column mapping '%(part)s' is not a site column key.")
                % {"key": key, "part": part},
                hint=_("Keys: %(keys)s.") % {"keys": ", ".join(SYNONYMS)},
            )
        if column not in table.headers:
            raise ApplicationError(
                _("%(source)s has no column '%(column)s' (in the column mapping '%(part)s').")
                % {"source": table.source, "column": column, "part": part},
                hint=_("Its columns are: %(columns)s.") % {"columns": ", ".join(table.headers)},
            )
        found.columns[key] = column
        if key == "area_name":
            levelled = LEVELLED.match(normalize_header(column))
            found.area_level = int(levelled[1]) if levelled else None


def check_site_columns(found: SiteColumns, table: Table) -> None:
    missing = [key for key in ("code", "name") if key not in found.columns]
    if missing:
        raise ApplicationError(
            _("%(source)s has no column for the site %(missing)s. Its columns are: %(columns)s.")
            % {
                "source": table.source,
                "missing": ", ".join(f"'{key}'" for key in missing),  # --columns keys
                "columns": ", ".join(table.headers),
            },
            hint=_(
                "Name the columns site_code and site_name, or map them with "
                "--columns code=COLUMN,name=COLUMN."
            ),
        )


def choice(value: str, options: dict[str, set[str]], default: str) -> str | None:
    key = normalize_header(value)
    if not key:
        return default
    for code, synonyms in options.items():
        if key == normalize_header(code) or key in synonyms:
            return code
    return None


def coordinate(text: str) -> float | None:
    """Decimal degrees; a decimal comma (11,83) is read as a point."""
    if not text:
        return None
    value = float(text.replace(",", "."))
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def read_site_row(row: Row, columns: SiteColumns, where: str, problems: list[Problem]) -> SiteRow:
    """The row as read; what is wrong with it goes to problems (a bad value reads as empty)."""
    code, name = columns.get(row, "code"), columns.get(row, "name")
    if not code:
        problems.append(
            Problem(
                _("the site code is empty"),
                where,
                columns.columns["code"],
                _("Every site needs a code."),
            )
        )
    if not name:
        problems.append(
            Problem(
                _("the site name is empty"),
                where,
                columns.columns["name"],
                _("Every site needs a name."),
            )
        )
    site_type = choice(columns.get(row, "site_type"), TYPES, Site.Type.OTHER)
    if site_type is None:
        problems.append(
            Problem(
                _("'%(value)s' is not a site type") % {"value": columns.get(row, "site_type")},
                where,
                columns.columns.get("site_type", ""),
                _("Use one of: %(types)s.")
                % {"types": ", ".join(Site.Type.values)},  # what the importer accepts
            )
        )
    status = choice(columns.get(row, "status"), STATUSES, Site.Status.OPEN)
    if status is None:
        problems.append(
            Problem(
                _("'%(value)s' is not a status") % {"value": columns.get(row, "status")},
                where,
                columns.columns.get("status", ""),
                _("Use open or closed."),
            )
        )
    latitude, longitude = read_coordinates(row, columns, where, problems)
    aliases = re.split(r"[;|]", columns.get(row, "aliases"))
    return SiteRow(
        where=where,
        code=code,
        name=name,
        site_type=site_type or "",
        status=status or "",
        pcode=columns.get(row, "pcode"),
        area_name=columns.get(row, "area_name"),
        parent=columns.get(row, "parent"),
        latitude=latitude,
        longitude=longitude,
        aliases=[alias.strip() for alias in aliases if alias.strip()],
    )


def read_coordinates(
    row: Row, columns: SiteColumns, where: str, problems: list[Problem]
) -> tuple[float | None, float | None]:
    texts = columns.get(row, "latitude"), columns.get(row, "longitude")
    field = "/".join(columns.columns.get(key, key) for key in ("latitude", "longitude"))
    try:
        latitude, longitude = (coordinate(text) for text in texts)
    except ValueError:
        problems.append(
            Problem(
                _("the coordinates '%(lat)s', '%(lon)s' are not numbers")
                % {"lat": texts[0], "lon": texts[1]},
                where,
                field,
                _("Write decimal degrees, such as 11.8464 and 13.1571."),
            )
        )
        return None, None
    if latitude is None and longitude is None:
        return None, None
    if latitude is None or longitude is None:
        problem = Problem(
            _("only one of latitude and longitude is given"),
            where,
            field,
            _("Give both, or neither."),
        )
    elif not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        problem = Problem(
            _("latitude %(lat)s / longitude %(lon)s is not a place on Earth")
            % {"lat": latitude, "lon": longitude},
            where,
            field,
            _("Check that latitude and longitude are not swapped and are in decimal degrees."),
        )
    elif latitude == 0 and longitude == 0:
        problem = Problem(
            _("0, 0 is a placeholder, not a site location"),
            where,
            field,
            _("Leave both empty when unknown."),
        )
    else:
        return round(latitude, 6), round(longitude, 6)
    problems.append(problem)
    return None, None
