"""CSV written for spreadsheets: streamed row by row, with formulas neutralised.

A cell that starts with =, +, -, @, a tab or a carriage return is run as a formula by Excel
and LibreOffice (CSV injection). Such cells get a leading apostrophe, which spreadsheets
show as text. Numbers are left alone, so -3 stays a number.
"""

import csv
from collections.abc import Iterable, Iterator
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    if isinstance(value, int | float) or value is None:
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(header)  # the BOM makes Excel read UTF-8
    for row in rows:
        yield writer.writerow([neutralise(value) for value in row])
