"""The DTM XLSForms opendtm ships: built from the modules here into .xlsx files beside them.

`scripts/build-dtm-forms` (python -m opendtm.tracking.forms.build) writes the files; a test
checks that the committed ones are what the builder makes.
"""

from collections.abc import Callable
from pathlib import Path

from opendtm.tracking.forms import baseline_area, site_assessment
from opendtm.tracking.forms.xlsform import CHOICES_COLUMNS, SURVEY_COLUMNS, Sheets

FOLDER = Path(__file__).resolve().parent
COLUMNS = {
    "survey": SURVEY_COLUMNS,
    "choices": CHOICES_COLUMNS,
    "settings": ["form_title", "form_id", "version", "default_language", "instance_name"],
}
# File name → the function giving its sheets.
BUILDERS: dict[str, Callable[[], Sheets]] = {
    f"{baseline_area.FORM_ID}.xlsx": baseline_area.sheets,
    f"{site_assessment.FORM_ID}.xlsx": site_assessment.sheets,
}
