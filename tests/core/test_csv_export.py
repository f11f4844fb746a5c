import csv
import io

import pytest

from opendtm.core.csv_export import csv_lines, neutralise


@pytest.mark.parametrize(
    "text",
    ["=SUM(A1:A9)", "+1-555", "-2+3", "@SUM(1)", "\tcmd", "\rcmd", '=HYPERLINK("http://x")'],
)
def test_cells_spreadsheets_would_run_as_formulas_become_text(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", [-3, 0, 2.5, -0.75, None])
def test_numbers_and_empty_cells_are_left_alone(value):
    assert neutralise(value) is value


@pytest.mark.parametrize("text", ["Dalori Camp", "NG008021", "a=b", "Camp - North", ""])
def test_ordinary_text_is_unchanged(text):
    assert neutralise(text) == text


def test_other_values_are_written_as_text():
    assert neutralise(True) is True  # bool is an int: a number, untouched
    assert neutralise(["x"]) == "['x']"


def test_the_csv_starts_with_a_bom_and_round_trips():
    lines = list(
        csv_lines(
            ["code", "name", "individuals"],
            [["S1", "Dalori, Camp", 120], ["S2", "=cmd|' /C calc'!A0", -3]],
        )
    )
    assert lines[0].startswith("\ufeffcode,name,individuals")
    assert len(lines) == 3
    rows = list(csv.reader(io.StringIO("".join(lines).lstrip("\ufeff"))))
    assert rows == [
        ["code", "name", "individuals"],
        ["S1", "Dalori, Camp", "120"],
        ["S2", "'=cmd|' /C calc'!A0", "-3"],
    ]


def test_rows_are_produced_one_at_a_time():
    def rows():
        yield ["S1"]
        raise RuntimeError("the second row is never needed")

    lines = csv_lines(["code"], rows())
    assert next(lines) == "\ufeffcode\r\n"
    assert next(lines) == "S1\r\n"
