"""The situation report of a published round: its text read back from the PDF with
pdftotext, its map and charts checked in the page before printing and on the printed page."""

import re
from itertools import pairwise

import pytest
from PIL import Image

from opendtm.accounts.models import AuditEvent
from opendtm.core.errors import ApplicationError, Forbidden, NotFound
from opendtm.publishing.reports.charts import BLANKED, CLASS_COLOURS
from opendtm.publishing.selectors.tables import table
from opendtm.publishing.services.reports import situation_report, situation_report_html
from tests.publishing.reports.conftest import first_page_png, pdf_lines, pdf_text
from tests.tracking.conftest import month_round

IDPS = "idp_individuals"


def marks(html: str, kind: str) -> dict[str, str]:
    """aria-label -> path of every mark of one kind (geoshape, bar, point) in the charts."""
    found = re.findall(
        rf'<path aria-label="([^"]*)" role="graphics-symbol" '
        rf'aria-roledescription="{kind}"[^>]*? d="([^"]*)"',
        html,
    )
    return dict(found)


def box(path: str) -> tuple[float, float, float, float]:
    """Left, top, right and bottom of a path's absolute M/L points."""
    points = [tuple(map(float, pair)) for pair in re.findall(r"[ML]([-\d.]+),([-\d.]+)", path)]
    xs, ys = [x for x, _y in points], [y for _x, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def pixels(png, colour: str) -> int:
    """How many pixels of the PNG are exactly this colour."""
    wanted = tuple(int(colour[index : index + 2], 16) for index in (1, 3, 5))
    with Image.open(png) as image:
        return sum(count for count, rgb in image.convert("RGB").getcolors(1 << 20) if rgb == wanted)


def test_the_report_tells_a_round_s_public_figures(rounds, manager, tmp_path):
    report = situation_report(actor=manager, round=rounds[1], language="en")
    text = pdf_text(report.pdf, tmp_path)
    assert report.filename == "nga-ne-sa-round-2-en.pdf"
    assert "DISPLACEMENT SITUATION REPORT Nigeria North-East" in text
    assert "Site assessment · round 2 · Feb. 1, 2026 to Feb. 28, 2026" in text
    # 60 + 4 + 43 IDPs against 90 in round 1; 23 households against 19.
    assert "IDP individuals IDP households Sites assessed 107 23 3 /3" in text
    assert "+17 (+19%) since round 1 +4 (+21%) since round 1" in text
    assert "3 of the 3 open sites were assessed (100%)." in text
    assert "Round 2, Site assessment: reference period from Feb. 1, 2026 to Feb. 28, 2026" in text
    assert "figures below 5 people, and those that would reveal them" in text
    assert "Shelter ranked first need 67% Food ranked first need 33%" in text  # 2 of 3 sites
    assert "do not imply official endorsement" in text  # the standard disclaimer
    assert "Lighting" not in text  # a protection indicator never reaches a public output
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.actor, event.object_id, event.note) == (
        manager,
        str(rounds[1].pk),
        "situation report (en)",
    )


def test_small_counts_stay_blanked_and_the_note_says_why(rounds, manager, tmp_path):
    by_area = table(rounds[1], 2, codes=[IDPS, "idp_households"])  # as the report reads it
    blanked = {place.name for place in by_area.places if by_area.why(place, IDPS)}
    assert blanked == {"Askira/Uba", "Bama"}  # 4 IDPs, and 43 that would give the 4 away
    report = situation_report(actor=manager, round=rounds[1], language="en")
    lines = pdf_lines(report.pdf, tmp_path)
    rows = {
        line.split(" Borno ")[0]: line.split(" Borno ")[1] for line in lines if " Borno " in line
    }
    assert rows == {"Abadam": "60 12", "Askira/Uba": "blanked blanked", "Bama": "blanked blanked"}
    text = " ".join(lines)
    assert f"LGA, round 2: {by_area.note}" in text
    html = situation_report_html(actor=manager, round=rounds[1], language="en")
    assert "Askira/Uba: 4" not in html
    assert "Bama: 43" not in html
    pyramid = marks(html, "bar")
    # 3 women and 2 men of 60 and over: blanked, and the 0-4s that would reveal them too.
    assert pyramid["Female, 60+: blanked"]
    assert pyramid["Male, 60+: blanked"]
    assert "Female, 0-4: blanked" in pyramid
    assert pyramid["Female, 18-59: 23"]
    assert pyramid["Male, 5-17: 15"]


def test_the_map_and_charts_are_drawn_and_printed(rounds, manager, tmp_path):
    html = situation_report_html(actor=manager, round=rounds[1], language="en")
    areas = marks(html, "geoshape")
    assert set(areas) == {
        "Abadam: 60",
        "Askira/Uba: Blanked (small count)",
        "Bama: Blanked (small count)",
    }
    # Three squares side by side, one ring each; a ring wound the other way would be drawn
    # as the globe around the square, the three on top of one another.
    boxes = sorted(box(path) for path in areas.values())
    for (_l, top, right, bottom), (left, *_rest) in pairwise(boxes):
        assert abs(right - left) < 1
        assert 150 < bottom - top < 250
    assert all(path.count("M") == 1 for path in areas.values())
    assert set(marks(html, "point")) == {"Round 1: 90", "Round 2: 107"}
    assert set(marks(html, "bar")) >= {
        "Shelter ranked first need: 2 places",
        "Food ranked first need: 1 place",
    }
    report = situation_report(actor=manager, round=rounds[1], language="en")
    text = pdf_text(report.pdf, tmp_path)
    # The charts' own text, printed: the map's legend, the trend's labels, the pyramid's
    # age bands, the needs' axis.
    assert "IDPs by LGA 0–20 21–40 41–60 Blanked (small count)" in text
    assert "107 Female Male 100 90" in text
    assert "60+" in text
    assert "18-59" in text
    assert "Share of places naming it their first need" in text
    # And their shapes, on page one: Abadam in the darkest blue, the blanked two in grey,
    # far more pixels of each than their legend's swatch holds.
    png = first_page_png(report.pdf, "situation-report-en")
    assert pixels(png, CLASS_COLOURS[-1]) > 2000
    assert pixels(png, BLANKED) > 2 * 2000


def test_only_those_who_publish_make_reports_of_published_rounds(rounds, member, operation):
    from opendtm.accounts.roles import Role

    viewer = member(Role.VIEWER, operation, "viewer")
    with pytest.raises(Forbidden):
        situation_report(actor=viewer, round=rounds[1], language="en")
    manager = rounds[1].revisions.get().published_by
    collecting = month_round(manager, operation, 3)
    with pytest.raises(NotFound, match="no published figures"):
        situation_report(actor=manager, round=collecting, language="en")
    with pytest.raises(ApplicationError, match="English or French"):
        situation_report(actor=manager, round=rounds[1], language="ar")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_the_report_in_french(rounds, manager, tmp_path, french):
    report = situation_report(actor=manager, round=rounds[1], language="fr")
    text = pdf_text(report.pdf, tmp_path)
    first_page_png(report.pdf, "situation-report-fr")
    assert report.filename == "nga-ne-sa-round-2-fr.pdf"
    assert "RAPPORT DE SITUATION SUR LES DÉPLACEMENTS Nigeria North-East" in text
    assert "Évaluation des sites · cycle 2 · du 1 février 2026 au 28 février 2026" in text
    # The catalogue's own French labels, and French numbers.
    assert "Personnes déplacées internes Ménages PDI Sites évalués (PDI)" in text
    assert "+17 (+19 %) depuis le cycle 1" in text
    assert "Sites évalués" in text
    assert "3 des 3 sites ouverts ont été évalués (100 %)." in text
    assert "PDI par LGA 0–20 21–40 41–60 Masqué (petit effectif)" in text
    assert "Abri : premier besoin 67 %" in text
    assert "Féminin Masculin" in text
    assert "Méthodologie" in text
    assert "n'impliquent ni reconnaissance ni acceptation officielles" in text
    assert re.search(r"LGA, cycle 2 : \d+ chiffres inférieurs à 5 personnes", text)
    for english in ("since round", "Share of places", "Blanked", "blanked", "Methodology"):
        assert english not in text
