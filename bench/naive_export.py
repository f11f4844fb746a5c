"""The export baseline: materialise every row first, then write, as simple exporters do.

Same tables, same cells as the product's writers; the only difference is that nothing is
streamed, so memory grows with the number of rows.
"""

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from opendtm.collection.exports.layout import Table


class NaiveWriter:
    def __init__(self, tables: list[Table]) -> None:
        self.tables = tables
        self.rows: dict[str, list[list[Any]]] = {table.name: [] for table in tables}

    def write(self, table: Table, row: list[Any]) -> None:
        self.rows[table.name].append(list(row))


class NaiveCsv(NaiveWriter):
    def close(self, target: Path) -> None:
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for table in self.tables:
                text = io.StringIO()
                writer = csv.writer(text)
                writer.writerow(table.headers)
                writer.writerows(self.rows[table.name])
                archive.writestr(f"{table.name}.csv", text.getvalue())


class NaiveXlsx(NaiveWriter):
    def close(self, target: Path) -> None:
        workbook = Workbook()
        workbook.remove(workbook.active)
        for table in self.tables:
            sheet = workbook.create_sheet(table.name[:31])
            sheet.append(table.headers)
            for row in self.rows[table.name]:
                sheet.append(row)
        workbook.save(target)


NAIVE_WRITERS = {"csv": NaiveCsv, "xlsx": NaiveXlsx}
