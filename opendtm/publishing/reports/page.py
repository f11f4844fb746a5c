"""What the report's page shows, in the active language: the charts drawn from its content
and the sentences around the figures. The template (publishing/report.html) lays them out."""

from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from opendtm.publishing.reports import charts
from opendtm.publishing.reports.charts import grouped
from opendtm.publishing.reports.content import Cell, Headline, ReportContent
from opendtm.publishing.reports.shapes import map_features
from opendtm.tracking.models import AssessmentType


def shown(cell: Cell) -> str:
    """A figure as the report prints it: grouped digits, or why there is none."""
    if cell.value is not None:
        return grouped(cell.value)
    return _("blanked") if cell.blanked else "–"


def printed(cell: Cell) -> dict[str, Any]:
    return {"text": shown(cell), "blanked": cell.blanked}


def signed(value: float) -> str:
    sign = "+" if value > 0 else "−" if value < 0 else ""  # a true minus sign
    return f"{sign}{grouped(abs(value))}"


def percent(number: str) -> str:
    return _("%(number)s%%") % {"number": number}


def change_text(headline: Headline, content: ReportContent) -> str:
    if content.previous is None:
        return _("The first published round of this type.")
    if headline.change is None:
        return _("Not comparable with round %(number)d.") % {"number": content.previous.number}
    change = signed(headline.change)
    if headline.change_percent is not None:
        change = f"{change} ({percent(signed(headline.change_percent))})"
    return _("%(change)s since round %(number)d") % {
        "change": change,
        "number": content.previous.number,
    }


def coverage_text(content: ReportContent) -> list[str]:
    coverage = content.coverage
    count = len(coverage.assessed)
    figures = {"assessed": grouped(count), "expected": grouped(coverage.expected)}
    if not coverage.expected:
        sentence = ngettext(
            "%(assessed)s place was assessed.", "%(assessed)s places were assessed.", count
        )
    elif content.round.assessment_type == AssessmentType.SITE:
        sentence = _("%(assessed)s of the %(expected)s open sites were assessed (%(percent)s).")
    else:
        sentence = _("%(assessed)s of the %(expected)s areas were assessed (%(percent)s).")
    if coverage.expected:
        figures["percent"] = percent(grouped(100 * count / coverage.expected))
    found = [sentence % figures]
    if coverage.new:
        found.append(
            _("%(count)s of them were not assessed in the previous round.")
            % {"count": grouped(len(coverage.new))}
        )
    return found


def methodology(content: ReportContent) -> list[str]:
    round, revision = content.round, content.revision
    published = revision.published_at or timezone.now()
    return [
        _(
            "Round %(number)d, %(type)s: reference period from %(start)s to %(end)s, "
            "published on %(published)s (revision %(revision)d)."
        )
        % {
            "number": round.number,
            "type": AssessmentType(round.assessment_type).label,
            "start": date_format(round.period_start),
            "end": date_format(round.period_end),
            "published": date_format(published),
            "revision": revision.number,
        },
        _(
            "Enumerators collected the figures from key informants at each place assessed, "
            "and every assessment was reviewed before the round was published."
        ),
        _(
            "Counts of people are added up over places, never over rounds: each round stands "
            "on its own, and changes are measured against the previous published round of "
            "the same type."
        ),
        _(
            "To protect the people counted, figures below %(threshold)d people, and those "
            "that would reveal them through a total, are not published."
        )
        % {"threshold": content.threshold},
    ]


def default_disclaimer() -> str:
    return _(
        "The boundaries and names shown and the designations used in this report do not "
        "imply official endorsement or acceptance by the organisations publishing it. "
        "Figures are estimates from key informants and may be revised in later rounds."
    )


def drawn(content: ReportContent, level_name: str) -> dict[str, str]:
    """The charts the content allows, as SVG: a part with nothing to show is left out."""
    language = get_language() or "en"
    found = {}
    if content.shapes:
        features, classes = map_features(content.shapes)
        legend = _("IDPs by %(level)s") % {"level": level_name}
        found["map"] = charts.map_spec(features, classes, legend)
    if content.trend:
        found["trend"] = trend_chart(content)
    if content.pyramid:
        found["pyramid"] = pyramid_chart(content)
    if content.needs:
        found["needs"] = needs_chart(content)
    return {name: charts.svg(spec, language=language, name=name) for name, spec in found.items()}


def trend_chart(content: ReportContent) -> charts.Spec:
    points = [
        {
            "round": str(point.number),
            "value": point.idps.value,
            "current": point.current,
            "description": _("Round %(number)d: %(value)s")
            % {"number": point.number, "value": shown(point.idps)},
        }
        for point in content.trend
    ]
    return charts.trend_spec(points, _("Round"), _("IDPs"))


def pyramid_chart(content: ReportContent) -> charts.Spec:
    sexes = {"f": _("Female"), "m": _("Male")}
    every_age = _("All ages")  # the one band when the round counted sexes only
    ages = list(dict.fromkeys(bar.age_band or every_age for bar in content.pyramid))
    bars = [
        {
            "age": bar.age_band or every_age,
            "sex": sexes[bar.sex],
            "value": bar.idps.value or 0,
            "signed": -(bar.idps.value or 0) if bar.sex == "m" else bar.idps.value or 0,
            "description": _("%(sex)s, %(age)s: %(value)s")
            % {
                "sex": sexes[bar.sex],
                "age": bar.age_band or every_age,
                "value": shown(bar.idps),
            },
        }
        for bar in content.pyramid
    ]
    titles = {"x": _("IDPs"), "y": _("Age")}
    return charts.pyramid_spec(bars, (sexes["f"], sexes["m"]), ages, titles)


def needs_chart(content: ReportContent) -> charts.Spec:
    return charts.needs_spec(content.needs)


def page_context(content: ReportContent, *, logo: str, disclaimer: str) -> dict[str, Any]:
    round = content.round
    operation = round.operation
    level_name = operation.level_name(content.map_level)
    return {
        "language": get_language(),
        "operation": operation,
        "round": round,
        "assessment_type": AssessmentType(round.assessment_type).label,
        "period": _("%(start)s to %(end)s")
        % {"start": date_format(round.period_start), "end": date_format(round.period_end)},
        "logo": logo,
        "headlines": [
            {
                "label": headline.label,
                "value": printed(headline.current),
                "change": change_text(headline, content),
            }
            for headline in content.headlines
        ],
        "assessed": len(content.coverage.assessed),
        "expected": content.coverage.expected,
        "level_name": level_name,
        "parent_level_name": operation.level_name(max(content.map_level - 1, 0)),
        "charts": drawn(content, level_name),
        "areas": [
            {
                "name": row.name,
                "parent": row.parent,
                "idps": printed(row.idps),
                "households": printed(row.households),
            }
            for row in content.areas
        ],
        "coverage": coverage_text(content),
        "methodology": methodology(content),
        "notes": [
            _("%(level)s, round %(number)d: %(note)s")
            % {
                "level": operation.level_name(int(found.level)),
                "number": found.round.number,
                "note": found.note,
            }
            for found in content.blanking
        ],
        "disclaimer": disclaimer or default_disclaimer(),
        "made_on": date_format(timezone.localdate()),
    }
