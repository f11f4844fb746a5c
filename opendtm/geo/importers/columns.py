"""Finding which columns of a COD-AB file hold p-codes and names, for each admin level.

COD-AB files name their columns many ways: adm1_pcode, ADM1_PCODE, admin1Pcod, admin1Pcode,
adm1_name, ADM1_EN, admin1Name... Headers are compared with case, spaces and punctuation
removed. When a level's columns cannot be told apart, the caller is asked, by prompt or by
a --columns option such as "adm1_pcode=CODE1,adm1_name=NAME1".
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from opendtm.core.errors import ApplicationError

LANGUAGE_SUFFIXES = "fr|ar|es|pt|ru|ha|so|uk|local|alt"
PCODE = re.compile(r"^adm(?:in)?([0-5])(?:pcode|pcod|pcd|code)$")
NAME = re.compile(r"^adm(?:in)?([0-5])(?:name|nameen|en|nam|name_en)$")
ALT_NAME = re.compile(
    rf"^adm(?:in)?([0-5])(?:name[1-3]|alt\d?\w*|(?:name)?(?:{LANGUAGE_SUFFIXES}))$"
)
VALID_ON = re.compile(r"^(?:validon|date|codversiondate)$")
SPEC_KEY = re.compile(r"^adm([0-5])_(pcode|name|alt)$|^valid_on$")


def normalize_header(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


@dataclass
class LevelColumns:
    pcode: str = ""
    name: str = ""
    alt_names: list[str] = field(default_factory=list)


@dataclass
class ColumnMap:
    levels: dict[int, LevelColumns] = field(default_factory=dict)
    valid_on: str = ""

    @property
    def deepest(self) -> int:
        return max(self.levels)

    def describe(self) -> str:
        parts = []
        for level, columns in sorted(self.levels.items()):
            parts.append(f"adm{level}_pcode={columns.pcode}")
            if columns.name:
                parts.append(f"adm{level}_name={columns.name}")
        if self.valid_on:
            parts.append(f"valid_on={self.valid_on}")
        return ",".join(parts)


class ColumnsUnclear(ApplicationError):
    """The file's columns need a person to say which is which."""

    def __init__(self, message: str, *, headers: list[str], guess: ColumnMap) -> None:
        super().__init__(
            message,
            hint=_(
                "Say which column is which, for example --columns "
                "adm1_pcode=ADM1_PCODE,adm1_name=ADM1_EN (on the page: the column form)."
            ),
        )
        self.headers = headers
        self.guess = guess


def detect_columns(headers: list[str], source: str) -> ColumnMap:
    found = ColumnMap()
    candidates: dict[int, list[str]] = {}
    for header in headers:
        key = normalize_header(header)
        if match := PCODE.match(key):
            found.levels.setdefault(int(match[1]), LevelColumns()).pcode = header
        elif match := NAME.match(key):
            candidates.setdefault(int(match[1]), []).append(header)
        elif match := ALT_NAME.match(key):
            found.levels.setdefault(int(match[1]), LevelColumns()).alt_names.append(header)
        elif VALID_ON.match(key) and (not found.valid_on or key == "validon"):
            found.valid_on = header  # validOn is the COD's own validity date; prefer it
    for level, names in candidates.items():
        columns = found.levels.setdefault(level, LevelColumns())
        if len(names) == 1:
            columns.name = names[0]
        else:
            raise ColumnsUnclear(
                _("%(source)s: several columns could be the admin %(level)s name: %(names)s.")
                % {"source": source, "level": level, "names": ", ".join(names)},
                headers=headers,
                guess=found,
            )
    check_complete(found, headers, source)
    return found


def check_complete(found: ColumnMap, headers: list[str], source: str) -> None:
    found.levels = {level: cols for level, cols in found.levels.items() if cols.pcode or cols.name}
    if not any(columns.pcode for columns in found.levels.values()):
        raise ColumnsUnclear(
            _(
                "%(source)s: no column looks like a p-code column (such as adm1_pcode). Columns: %(headers)s."
            )
            % {"source": source, "headers": ", ".join(headers)},
            headers=headers,
            guess=found,
        )
    for level, columns in sorted(found.levels.items()):
        if not columns.pcode:
            raise ColumnsUnclear(
                _("%(source)s: admin %(level)s has a name column (%(name)s) but no p-code column.")
                % {"source": source, "level": level, "name": columns.name},
                headers=headers,
                guess=found,
            )
        if not columns.name and level > 0:
            raise ColumnsUnclear(
                _("%(source)s: admin %(level)s has a p-code column (%(pcode)s) but no name column.")
                % {"source": source, "level": level, "pcode": columns.pcode},
                headers=headers,
                guess=found,
            )


def parse_column_spec(spec: str, headers: list[str], source: str) -> ColumnMap:
    """A mapping given by a person: "adm1_pcode=admin1Pcod,adm1_name=admin1Name,valid_on=date"."""
    mapping = ColumnMap()
    for part in filter(None, (item.strip() for item in spec.split(","))):
        key, _sep, column = (text.strip() for text in part.partition("="))
        match = SPEC_KEY.match(key.lower())
        if not match or not column:
            raise ApplicationError(
                _("'%(part)s' in the column mapping is not of the form adm1_pcode=COLUMN.")
                % {"part": part},
                hint=_("Keys are admN_pcode, admN_name, admN_alt (N from 0 to 5) and valid_on."),
            )
        if column not in headers:
            raise ApplicationError(
                _("%(source)s has no column '%(column)s'. Its columns are: %(headers)s.")
                % {"source": source, "column": column, "headers": ", ".join(headers)}
            )
        if key.lower() == "valid_on":
            mapping.valid_on = column
            continue
        columns = mapping.levels.setdefault(int(match[1]), LevelColumns())
        if match[2] == "pcode":
            columns.pcode = column
        elif match[2] == "name":
            columns.name = column
        else:
            columns.alt_names.append(column)
    check_complete(mapping, headers, source)
    return mapping
