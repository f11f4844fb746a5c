"""Finding which columns of a COD-AB file hold p-codes and names, for each admin level.

COD-AB files name their columns many ways: adm1_pcode, ADM1_PCODE, admin1Pcod, admin1Pcode,
adm1_name, ADM1_EN, admin1Name... Headers are compared with case, spaces and punctuation
removed. When a level's columns cannot be told apart, the caller is asked, by prompt or by
a --columns option such as "adm1_pcode=CODE1,adm1_name=NAME1".
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from opendtm.core.errors import ApplicationError

LANGUAGE_SUFFIXES = "fr|ar|es|pt|ru|ha|so|uk|local|alt"
PCODE = re.compile(r"^adm(?:in)?([0-5])(?:pcode|pcod|pcd|code)$")
NAME = re.compile(r"^adm(?:in)?([0-5])(?:name|nameen|en|nam)$")
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
        """The mapping as a --columns spec; columns not known yet are left out."""
        parts = []
        for level, columns in sorted(self.levels.items()):
            parts += [f"adm{level}_pcode={columns.pcode}"] if columns.pcode else []
            parts += [f"adm{level}_name={columns.name}"] if columns.name else []
        if self.valid_on:
            parts.append(f"valid_on={self.valid_on}")
        return ",".join(parts)


class ColumnsUnclear(ApplicationError):
    """The file's columns need a person to say which is which.

    `missing` lists the mapping keys still to answer (such as adm1_name); it is empty when
    not even the admin level of the file can be told.
    """

    def __init__(
        self, message: str, *, headers: list[str], guess: ColumnMap, missing: Sequence[str] = ()
    ) -> None:
        super().__init__(
            message,
            hint=_(
                "Say which column is which, for example --columns "
                "adm1_pcode=ADM1_PCODE,adm1_name=ADM1_EN (on the page: the column form)."
            ),
        )
        self.headers = headers
        self.guess = guess
        self.missing = list(missing)


def guess_columns(headers: list[str]) -> tuple[ColumnMap, dict[int, list[str]]]:
    """The columns recognised by name, and the levels with several candidate name columns."""
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
    ambiguous = {}
    for level, names in candidates.items():
        columns = found.levels.setdefault(level, LevelColumns())
        if len(names) == 1:
            columns.name = names[0]
        else:
            ambiguous[level] = names
    return found, ambiguous


def detect_columns(headers: list[str], source: str) -> ColumnMap:
    found, ambiguous = guess_columns(headers)
    check_unambiguous(found, ambiguous, headers, source)
    check_complete(found, headers, source)
    return found


def check_unambiguous(
    found: ColumnMap, ambiguous: dict[int, list[str]], headers: list[str], source: str
) -> None:
    if ambiguous:
        level = min(ambiguous)
        raise ColumnsUnclear(
            _("%(source)s: several columns could be the admin %(level)s name: %(names)s.")
            % {"source": source, "level": level, "names": ", ".join(ambiguous[level])},
            headers=headers,
            guess=found,
            missing=[f"adm{level}_name"],
        )


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
            missing=[f"adm{level}_pcode" for level in sorted(found.levels)],
        )
    for level, columns in sorted(found.levels.items()):
        if not columns.pcode:
            raise ColumnsUnclear(
                _("%(source)s: admin %(level)s has a name column (%(name)s) but no p-code column.")
                % {"source": source, "level": level, "name": columns.name},
                headers=headers,
                guess=found,
                missing=[f"adm{level}_pcode"],
            )
        if not columns.name and level > 0:
            raise ColumnsUnclear(
                _("%(source)s: admin %(level)s has a p-code column (%(pcode)s) but no name column.")
                % {"source": source, "level": level, "pcode": columns.pcode},
                headers=headers,
                guess=found,
                missing=[f"adm{level}_name"],
            )


def parse_column_spec(spec: str, headers: list[str], source: str) -> ColumnMap:
    """Columns named by a person, such as "adm1_pcode=admin1Pcod,adm1_name=admin1Name".

    The spec overrides what is recognised by name, so it only needs the unclear columns.
    A column name may differ from the header in case.
    """
    mapping, ambiguous = guess_columns(headers)
    for part in filter(None, (item.strip() for item in spec.split(","))):
        key, _sep, column = (text.strip() for text in part.partition("="))
        match = SPEC_KEY.match(key.lower())
        if not match or not column:
            raise ApplicationError(
                _("'%(part)s' in the column mapping is not of the form adm1_pcode=COLUMN.")
                % {"part": part},
                hint=_("Keys are admN_pcode, admN_name, admN_alt (N from 0 to 5) and valid_on."),
            )
        column = header_named(column, headers, source)
        if key.lower() == "valid_on":
            mapping.valid_on = column
            continue
        level = int(match[1])
        columns = mapping.levels.setdefault(level, LevelColumns())
        if match[2] == "pcode":
            columns.pcode = column
        elif match[2] == "name":
            columns.name = column
            ambiguous.pop(level, None)
        elif column not in columns.alt_names:
            columns.alt_names.append(column)
    check_unambiguous(mapping, ambiguous, headers, source)
    check_complete(mapping, headers, source)
    return mapping


def header_named(column: str, headers: list[str], source: str) -> str:
    if column in headers:
        return column
    alike = [header for header in headers if header.lower() == column.lower()]
    if len(alike) == 1:
        return alike[0]
    raise ApplicationError(
        _("%(source)s has no column '%(column)s'. Its columns are: %(headers)s.")
        % {"source": source, "column": column, "headers": ", ".join(headers)},
        hint=_("Copy the column name exactly as the file's header row spells it."),
    )
