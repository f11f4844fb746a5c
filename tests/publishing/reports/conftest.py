"""Two published site-assessment rounds over three Borno LGAs, drawn as squares side by side,
with IDPs counted by sex and age so the report has a pyramid; and helpers to read a PDF."""

import subprocess
from pathlib import Path

import pytest

from opendtm.accounts.roles import Role
from opendtm.geo.models import AdminArea
from tests.factories import AdminAreaFactory, SiteFactory
from tests.publishing.conftest import publish
from tests.publishing.reports.french import FRENCH, write_mo
from tests.tracking.conftest import tracked_form

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "reports"

AGED_FORM = """
| survey |
| | type | name | label | indicator | indicator_sex | indicator_age | indicator_value |
| | text | site_code | Site code | | | | |
| | integer | idp_hh | IDP households | idp_households | | | |
| | integer | idp_ind | IDP individuals | idp_individuals | | | |
| | integer | idp_f | Female IDPs | idp_individuals | f | | |
| | integer | idp_m | Male IDPs | idp_individuals | m | | |
| | integer | f0 | Girls 0-4 | idp_individuals | f | 0-4 | |
| | integer | f5 | Girls 5-17 | idp_individuals | f | 5-17 | |
| | integer | f18 | Women 18-59 | idp_individuals | f | 18-59 | |
| | integer | f60 | Women 60+ | idp_individuals | f | 60+ | |
| | integer | m0 | Boys 0-4 | idp_individuals | m | 0-4 | |
| | integer | m5 | Boys 5-17 | idp_individuals | m | 5-17 | |
| | integer | m18 | Men 18-59 | idp_individuals | m | 18-59 | |
| | integer | m60 | Men 60+ | idp_individuals | m | 60+ | |
| | select_one needs | need1 | First need | need_rank_* | | | 1 |
| | select_one yn | dark | Lighting inadequate? | pr_lighting_inadequate | | | |
| choices |
| | list_name | name | label |
| | needs | food | Food |
| | needs | shelter | Shelter |
| | yn | yes | Yes |
| | yn | no | No |
| settings |
| | form_title | form_id | version |
| | Site assessment | site_assessment | 2026010101 |
"""

AGES = ("0", "5", "18", "60")


def site(hh: int, f: list[int], m: list[int], need: str) -> dict:
    """One site's answers: households, women and men by age band (0-4, 5-17, 18-59, 60+)."""
    answers = {"idp_hh": hh, "idp_ind": sum(f) + sum(m), "idp_f": sum(f), "idp_m": sum(m)}
    answers.update({f"f{age}": count for age, count in zip(AGES, f, strict=True)})
    answers.update({f"m{age}": count for age, count in zip(AGES, m, strict=True)})
    return {**answers, "need1": need, "dark": "yes"}


# Abadam, Askira/Uba (tiny: blanked), Bama. Each round, women and men of 60+ are under 5.
ROUND_1 = [
    site(10, [6, 10, 11, 3], [5, 6, 7, 2], "food"),  # 50
    site(1, [0, 1, 1, 0], [0, 0, 1, 0], "shelter"),  # 3
    site(8, [5, 8, 9, 0], [4, 5, 6, 0], "food"),  # 37
]
ROUND_2 = [
    site(12, [7, 12, 12, 3], [6, 8, 10, 2], "food"),  # 60
    site(2, [0, 1, 1, 0], [0, 1, 1, 0], "shelter"),  # 4
    site(9, [6, 9, 10, 0], [5, 6, 7, 0], "shelter"),  # 43
]


def square(west: float, south: float) -> dict:
    """A one-degree square, wound counter-clockwise as GeoJSON files have it."""
    corners = [[west, south], [west + 1, south], [west + 1, south + 1], [west, south + 1]]
    return {"type": "Polygon", "coordinates": [[*corners, corners[0]]]}


@pytest.fixture
def lgas(borno, operation):
    """Borno's two LGAs and a third, Bama, each with a site and a square boundary."""
    state, (abadam, askira), (s1, s2) = borno
    bama = AdminAreaFactory(
        operation=operation, level=2, pcode="NG008003", name="Bama", parent=state
    )
    s3 = SiteFactory(admin_area=bama, code="S3")
    for west, area in enumerate((abadam, askira, bama)):
        AdminArea.objects.filter(pk=area.pk).update(geometry_simplified=square(12.0 + west, 11.0))
    return [abadam, askira, bama], [s1, s2, s3]


@pytest.fixture
def rounds(lgas, manager, operation):
    """Site assessment rounds 1 and 2, published."""
    version = tracked_form(operation, AGED_FORM)
    sites = lgas[1]
    return (
        publish(manager, operation, version, sites, 1, ROUND_1),
        publish(manager, operation, version, sites, 2, ROUND_2),
    )


@pytest.fixture
def viewer(member, operation):
    return member(Role.VIEWER, operation, "viewer")


def pdf_lines(pdf: bytes, folder: Path) -> list[str]:
    """The PDF's lines as pdftotext lays them out, runs of spaces (no-break ones too) made
    one space."""
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def pdf_text(pdf: bytes, folder: Path) -> str:
    return " ".join(pdf_lines(pdf, folder))


def first_page_png(pdf: bytes, name: str) -> Path:
    """Page one as a PNG under test-artifacts/reports/, kept for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-singlefile", str(source), str(ARTIFACTS / name)],
        check=True,
    )
    return ARTIFACTS / f"{name}.png"


@pytest.fixture
def french(settings, tmp_path):
    """The report's French strings in a catalogue that comes first."""
    write_mo(tmp_path / "locale" / "fr" / "LC_MESSAGES" / "django.mo", FRENCH)
    settings.LOCALE_PATHS = [tmp_path / "locale", *settings.LOCALE_PATHS]
