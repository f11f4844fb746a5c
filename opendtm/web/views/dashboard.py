"""The operation dashboard: a page, and the JSON its map and charts are drawn from.

The JSON parts are shared with the public view (views/public.py), which gives them another
reader. Each answer is cached under the round's published revision (selectors/dashboard.py
`round_key`), and carries that key as an ETag, so a repeat visit is answered 304 with no body.
The charts are the situation report's Vega-Lite specs (publishing/reports/charts.py), so the
PDF and the dashboard draw the same charts.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.core.csv_export import csv_lines
from opendtm.core.errors import ApplicationError, NotFound
from opendtm.publishing.reports import charts
from opendtm.publishing.reports.charts import grouped
from opendtm.tracking.models import Round
from opendtm.tracking.selectors import dashboard as selectors
from opendtm.tracking.selectors.dashboard import Reader
from opendtm.web.views.base import SignedInRequest, capabilities, operation_page, page

CACHE_SECONDS = 24 * 3600  # keys change with every publication; this only bounds memory
Query = dict[str, str]


def shown(value: float | None, blanked: bool) -> str:
    if value is not None:
        return grouped(value)
    return _("blanked") if blanked else "–"


def headlines_part(reader: Reader, round: Round, query: Query) -> dict[str, Any]:
    cards = selectors.headlines(reader, round)
    return {"cards": [{**asdict(card), "change": card.change} for card in cards]}


def areas_part(reader: Reader, round: Round, query: Query) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of one map level, each area with its figures."""
    level = number_in(query, "level", default=1)
    rows = selectors.area_values(reader, round, level=level, parent=query.get("parent", ""))
    features = [
        {
            "type": "Feature",
            "geometry": row.geometry,
            "properties": {key: value for key, value in asdict(row).items() if key != "geometry"},
        }
        for row in rows
    ]
    return {"type": "FeatureCollection", "features": features}


def sites_part(reader: Reader, round: Round, query: Query) -> dict[str, Any]:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [site.longitude, site.latitude]},
            "properties": asdict(site),
        }
        for site in selectors.site_points(reader, round)
    ]
    return {"type": "FeatureCollection", "features": features}


def trend_part(reader: Reader, round: Round, query: Query) -> dict[str, Any]:
    points = selectors.trend(reader, round, chart_area(round, query))
    rows = [
        {
            "round": str(point.number),
            "value": point.value,
            "current": point.current,
            "description": _("Round %(number)d: %(value)s")
            % {"number": point.number, "value": shown(point.value, point.blanked)},
        }
        for point in points
    ]
    counted = any(point.value is not None or point.blanked for point in points)
    spec = charts.trend_spec(rows, _("Round"), _("IDPs")) if counted else None
    return {"spec": spec, "blanked": any(point.blanked for point in points)}


def pyramid_part(reader: Reader, round: Round, query: Query) -> dict[str, Any]:
    bars = selectors.pyramid(reader, round, chart_area(round, query))
    sexes = {"f": _("Female"), "m": _("Male")}
    every_age = _("All ages")  # the one band when the round counted sexes only
    ages = list(dict.fromkeys(bar.age_band or every_age for bar in bars))
    rows = [
        {
            "age": bar.age_band or every_age,
            "sex": sexes[bar.sex],
            "value": bar.value or 0,
            "signed": -(bar.value or 0) if bar.sex == "m" else bar.value or 0,
            "description": _("%(sex)s, %(age)s: %(value)s")
            % {
                "sex": sexes[bar.sex],
                "age": bar.age_band or every_age,
                "value": shown(bar.value, bar.blanked),
            },
        }
        for bar in bars
    ]
    titles = {"x": _("IDPs"), "y": _("Age")}
    spec = charts.pyramid_spec(rows, (sexes["f"], sexes["m"]), ages, titles) if bars else None
    return {"spec": spec, "blanked": any(bar.blanked for bar in bars)}


def needs_part(reader: Reader, round: Round, query: Query) -> dict[str, Any]:
    shares = selectors.needs(reader, round, chart_area(round, query))
    return {"spec": charts.needs_spec(shares) if shares else None, "blanked": False}


def round_to(value: float) -> int:
    return int(round(value))


PARTS: dict[str, Callable[[Reader, Round, Query], dict[str, Any]]] = {
    "headlines": headlines_part,
    "areas": areas_part,
    "sites": sites_part,
    "trend": trend_part,
    "pyramid": pyramid_part,
    "needs": needs_part,
}
QUERY_KEYS = ("level", "parent", "area")


def number_in(query: Query, name: str, default: int) -> int:
    text = query.get(name, "") or str(default)
    if not text.isdigit():
        raise ApplicationError(_("%(name)s must be a number.") % {"name": name})
    return int(text)


def chart_area(round: Round, query: Query) -> Any:
    return selectors.area_get(operation=round.operation, pcode=query.get("area", ""))


def answer(request: HttpRequest, *, reader: Reader, round: Round, part: str) -> HttpResponse:
    """One JSON part, from the cache when the round's revision is unchanged; 304 when the
    browser holds it already."""
    build = PARTS.get(part)
    if build is None:
        raise NotFound(_("No dashboard part '%(part)s'.") % {"part": part})
    query = {name: request.GET.get(name, "").strip() for name in QUERY_KEYS}
    key = ":".join(
        ["dashboard", reader.name, selectors.round_key(round), get_language() or "", part]
        + [query[name] for name in QUERY_KEYS]
    )
    etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    if etag in request.headers.get("If-None-Match", ""):
        return revalidated(HttpResponse(status=304), etag, reader)
    body = cache.get(key)
    if body is None:
        try:
            body = json.dumps(build(reader, round, query), separators=(",", ":"))
        except ApplicationError as error:
            return JsonResponse(error.as_dict(), status=400)
        cache.set(key, body, CACHE_SECONDS)
    response = HttpResponse(body, content_type="application/json")
    return revalidated(response, etag, reader)


def revalidated(response: HttpResponse, etag: str, reader: Reader) -> HttpResponse:
    """Kept by the browser, asked again each visit: a changed round answers anew."""
    response["ETag"] = etag
    audience = "public" if reader.name == "public" else "private"
    response["Cache-Control"] = f"{audience}, no-cache"
    response["Vary"] = "Cookie, Accept-Language"
    return response


def area_csv(reader: Reader, round: Round, query: Query, name: str) -> StreamingHttpResponse:
    """The table under the map, as the map shows it: one level, inside a parent or not."""
    level = number_in(query, "level", default=1)
    rows = selectors.area_values(reader, round, level=level, parent=query.get("parent", ""))
    header = [_("P-code"), _("Name"), _("Parent p-code"), _("IDPs"), _("IDP households")]
    lines = csv_lines(
        header,
        (
            [row.pcode, row.name, row.parent, blank(row.idps, row.blanked), blank(row.households)]
            for row in rows
        ),
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-admin{level}.csv"'
    return response


def blank(value: float | None, blanked: bool = False) -> Any:
    if blanked:
        return _("blanked")
    return "" if value is None else round_to(value)


def csv_query(request: HttpRequest) -> Query:
    return {name: request.GET.get(name, "").strip() for name in QUERY_KEYS}


def file_stem(round: Round) -> str:
    return f"{round.operation.slug}-{round.assessment_type}{round.number}"


def page_context(
    rounds: list[Round], current: Round, *, data_url: str, round_url: Callable[[Round], str]
) -> dict[str, Any]:
    """What both dashboard pages show: the round picker, and where the data is."""
    return {
        "rounds": [(round_url(item), item) for item in reversed(rounds)],
        "round": current,
        "current_url": round_url(current),
        "data_url": data_url,
        "basemap_url": settings.OPENDTM_BASEMAP_URL,
        "text": dashboard_text(),
    }


def dashboard_text() -> dict[str, str]:
    """The words the page's script writes, in the page's language."""
    return {
        "idps": _("IDPs"),
        "households": _("IDP households"),
        "blanked": _("blanked"),
        "noFigures": _("No figures"),
        "noChart": _("Nothing to draw for this selection."),
        "since": _("since the previous round"),
        "firstRound": _("The first published round of this type."),
        "allAreas": _("All areas"),
        "sitePage": _("Open the site page"),
        "places": _("places"),
        "failed": _("The dashboard could not load its data. Reload the page to try again."),
    }


def round_picked(request: HttpRequest, rounds: list[Round]) -> Round:
    """The round in ?round=SA-3, or the latest published."""
    if not rounds:
        raise NotFound(_("No round is published yet: the dashboard shows published rounds."))
    wanted = request.GET.get("round", "")
    for item in rounds:
        if wanted == f"{item.assessment_type}-{item.number}":
            return item
    return rounds[-1]


@operation_page(Capability.VIEW_PUBLISHED)
def dashboard_page(request: SignedInRequest, operation: Operation) -> HttpResponse:
    rounds = selectors.dashboard_rounds(operation=operation)
    if not rounds:
        return page(request, operation, "web/dashboard/empty.html")
    current = round_picked(request, rounds)
    slug = operation.slug
    granted = capabilities(request, operation)
    context = page_context(
        rounds,
        current,
        data_url=reverse(
            "web:dashboard-data", args=[slug, current.assessment_type, current.number, "PART"]
        ),
        round_url=lambda item: "?round=" + f"{item.assessment_type}-{item.number}",
    )
    context.update(
        csv_url=reverse("web:dashboard-csv", args=[slug, current.assessment_type, current.number]),
        site_url=reverse("web:site", args=[slug, "CODE"])
        if Capability.VIEW_SITES in granted
        else "",
        restricted_url=reverse(
            "web:dashboard-restricted", args=[slug, current.assessment_type, current.number]
        )
        if Capability.VIEW_PROTECTION in granted
        else "",
        public_url=reverse("public:round", args=[slug, current.assessment_type, current.number])
        if operation.public_dashboard
        else "",
    )
    return page(request, operation, "web/dashboard/page.html", context)


def member_round(
    request: SignedInRequest, operation: Operation, assessment_type: str, number: int
) -> tuple[Reader, Round]:
    reader = selectors.member_reader(user=request.user, operation=operation)
    found = selectors.dashboard_round(
        operation=operation, assessment_type=assessment_type, number=number
    )
    return reader, found


@operation_page(Capability.VIEW_PUBLISHED)
@gzip_page
def dashboard_data(
    request: SignedInRequest, operation: Operation, assessment_type: str, number: int, part: str
) -> HttpResponse:
    reader, found = member_round(request, operation, assessment_type, number)
    return answer(request, reader=reader, round=found, part=part)


@operation_page(Capability.VIEW_PUBLISHED)
def dashboard_csv(
    request: SignedInRequest, operation: Operation, assessment_type: str, number: int
) -> HttpResponseBase:
    reader, found = member_round(request, operation, assessment_type, number)
    return area_csv(reader, found, csv_query(request), file_stem(found))


@operation_page(Capability.VIEW_PUBLISHED)  # the round first (404), then protection (403)
def dashboard_restricted(
    request: SignedInRequest, operation: Operation, assessment_type: str, number: int
) -> HttpResponse:
    """Protection-risk indicators: refused (403) without the protection capability, every
    read audited, and never kept by a cache."""
    found = selectors.dashboard_round(
        operation=operation, assessment_type=assessment_type, number=number
    )
    risks = selectors.protection_risks(user=request.user, round=found)
    response = JsonResponse({"risks": [asdict(risk) for risk in risks]})
    response["Cache-Control"] = "private, no-store"
    return response
