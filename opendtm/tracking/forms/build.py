"""Write the shipped XLSForms: python -m opendtm.tracking.forms.build (scripts/build-dtm-forms)."""

import sys

from opendtm.tracking.forms import BUILDERS, COLUMNS, FOLDER
from opendtm.tracking.forms.xlsform import workbook_bytes


def built() -> dict[str, bytes]:
    return {name: workbook_bytes(sheets(), COLUMNS) for name, sheets in BUILDERS.items()}


def main() -> None:
    for name, data in built().items():
        (FOLDER / name).write_bytes(data)
        sys.stdout.write(f"wrote {FOLDER / name}\n")


if __name__ == "__main__":
    main()
