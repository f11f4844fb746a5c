"""XLSForm to XForm with pyxform, and ODK Validate, each in a child process with limits.

pyxform reads spreadsheets a user uploaded; a crafted or merely huge workbook must not take
the server down. So the conversion runs in `python -m opendtm.collection.conversion convert`,
a child that gets the file on stdin, caps its own address space (RLIMIT_AS,
OPENDTM_CONVERSION_MEMORY_MB) and answers JSON on stdout; the parent kills it after
OPENDTM_CONVERSION_TIMEOUT seconds. XLSX archives are checked for ZIP bombs before the child
starts.

ODK Validate (Java, shipped inside pyxform) runs in a second child when `java` is on PATH,
without the address-space cap (a JVM reserves far more than it uses) but with a heap cap
(JAVA_TOOL_OPTIONS=-Xmx512m) and the same timeout.

Refusals are ApplicationErrors whose problems carry the sheet and row pyxform named.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from opendtm.core.errors import ApplicationError, Problem
from opendtm.core.tables import check_not_empty, check_upload_size, check_xlsx_archive

XLSFORM_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".md")
XFORM_SUFFIX = ".xml"
MEMORY_EXIT = 86  # the child's exit status when pyxform ran out of memory
VALIDATE_HEAP = "-Xmx512m"
MEMORY_SIGNS = (
    "memoryerror",
    "cannot allocate memory",
    "out of memory",
    "memory allocation",
    "failed to map segment",
    "bad_alloc",
)
# openpyxl loads numpy when present; one OpenBLAS thread keeps its buffers small.
CHILD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
SOURCE_ROW = re.compile(r"^\s*\[row\s*:\s*(\d+)\]\s*")
SOURCE_SHEET = re.compile(
    r"On the '([^']+)' sheet|sheet:? '([^']+)'|'([^']+)' sheet", re.IGNORECASE
)
SOURCE_COLUMN = re.compile(r"the '([^']+)' (?:value|column)")


@dataclass(frozen=True)
class SheetProblem(Problem):
    """A problem pyxform found, with the sheet and row of the XLSForm when it said them."""

    sheet: str = ""
    row: int | None = None


@dataclass(frozen=True)
class Conversion:
    xform: str
    warnings: list[str]
    definition: dict[str, Any] | None  # pyxform's JSON, extra columns such as `indicator` kept
    itemsets: str | None  # the itemsets.csv of select_one_external questions


@dataclass(frozen=True)
class Validation:
    """ODK Validate's verdict: valid is None when it did not run (no Java) or did not finish."""

    valid: bool | None
    output: str


def form_file_kind(name: str) -> str:
    """The suffix of an XLSForm or XForm file; anything else is refused."""
    suffix = PurePath(name).suffix.lower()
    if suffix in XLSFORM_SUFFIXES or suffix == XFORM_SUFFIX:
        return suffix
    raise ApplicationError(
        _("%(name)s is not a form file: '%(suffix)s' files cannot be read here.")
        % {"name": name, "suffix": suffix or _("without extension")},
        hint=_(
            "Upload an XLSForm (.xlsx, .xls, .csv or .md) or an XForm (.xml), "
            "for example the .xlsx you edit in Excel."
        ),
    )


def check_form_file(name: str, data: bytes) -> str:
    """Size, emptiness, type and ZIP-bomb checks, before anything reads the content."""
    check_upload_size(name, len(data))
    check_not_empty(name, data)
    suffix = form_file_kind(name)
    if suffix in {".xlsx", ".xlsm"}:
        check_xlsx_archive(name, data)
    return suffix


def fallback_form_id(name: str) -> str:
    """pyxform names a form without form_id after its file, as ODK Central does."""
    stem = re.sub(r"[^A-Za-z0-9_]+", "_", PurePath(name).stem).strip("_")
    if not stem:
        return "form"
    return stem if re.match(r"[A-Za-z_]", stem) else f"form_{stem}"


def convert_xlsform(name: str, data: bytes) -> Conversion:
    suffix = check_form_file(name, data)
    if suffix == XFORM_SUFFIX:
        raise ValueError("an XForm needs no conversion")
    timeout = float(settings.OPENDTM_CONVERSION_TIMEOUT)
    memory_mb = int(settings.OPENDTM_CONVERSION_MEMORY_MB)
    command = [
        sys.executable,
        "-m",
        "opendtm.collection.conversion",
        "convert",
        suffix,
        fallback_form_id(name),
        str(memory_mb * 1024 * 1024),
    ]
    finished = run_child(command, stdin=data, timeout=timeout, env={**os.environ, **CHILD_ENV})
    if finished is None:
        raise ApplicationError(
            _("Converting %(name)s took longer than %(seconds)s seconds and was stopped.")
            % {"name": name, "seconds": f"{timeout:g}"},
            hint=_(
                "Very large choice lists slow pyxform down: move them to a CSV file used with "
                "select_one_from_file. Or ask the server admin to raise "
                "OPENDTM_CONVERSION_TIMEOUT."
            ),
        )
    reply = read_reply(finished.stdout)
    if finished.returncode == MEMORY_EXIT or (reply is None and ran_out_of_memory(finished)):
        raise ApplicationError(
            _("Converting %(name)s needed more than the %(limit)d MB of memory allowed.")
            % {"name": name, "limit": memory_mb},
            hint=_(
                "Remove unused sheets, rows and formatting from the workbook, or move long "
                "choice lists to a CSV file. The server admin can raise "
                "OPENDTM_CONVERSION_MEMORY_MB."
            ),
        )
    if reply is None:
        raise ApplicationError(
            _("The conversion of %(name)s stopped unexpectedly (exit status %(status)s).")
            % {"name": name, "status": finished.returncode},
            hint=_("Upload the file again; if this repeats, the server log has the details."),
        )
    if not reply.get("ok"):
        raise conversion_refused(name, str(reply.get("error", "")), bool(reply.get("pyxform")))
    return Conversion(
        xform=reply["xform"],
        warnings=[str(warning) for warning in reply.get("warnings", [])],
        definition=reply.get("definition"),
        itemsets=reply.get("itemsets"),
    )


def read_reply(stdout: bytes) -> dict[str, Any] | None:
    try:
        reply = json.loads(stdout)
    except ValueError:
        return None
    return reply if isinstance(reply, dict) else None


def ran_out_of_memory(finished: subprocess.CompletedProcess) -> bool:
    """A child that died without answering, in the words allocators use when refused."""
    text = finished.stderr.decode("utf-8", "replace").lower()
    return any(sign in text for sign in MEMORY_SIGNS)


def conversion_refused(name: str, message: str, from_pyxform: bool) -> ApplicationError:
    if not from_pyxform:
        return ApplicationError(
            _("pyxform could not read %(name)s: %(error)s") % {"name": name, "error": message},
            hint=_(
                "Check that the file is an XLSForm with a 'survey' sheet, saved from Excel, "
                "LibreOffice or Google Sheets."
            ),
        )
    problems = [sheet_problem(name, line) for line in split_messages(message)]
    first = problems[0]
    return ApplicationError(
        _("pyxform refused %(name)s: %(where)s%(error)s")
        % {
            "name": name,
            "where": f"{first.where.removeprefix(name).lstrip(', ')}: " if first.row else "",
            "error": first.message,
        },
        hint=_("Correct the XLSForm where each problem says and upload it again."),
        problems=problems,
    )


def split_messages(message: str) -> list[str]:
    """pyxform joins several errors with newlines, each starting '[row : n]'."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if len(lines) > 1 and all(SOURCE_ROW.match(line) for line in lines):
        return lines
    return [message.strip() or _("no message")]


def sheet_problem(name: str, message: str) -> SheetProblem:
    row_match = SOURCE_ROW.match(message)
    row = int(row_match[1]) if row_match else None
    text = message[row_match.end() :] if row_match else message
    sheet_match = SOURCE_SHEET.search(text)
    sheet = next((group for group in sheet_match.groups() if group), "") if sheet_match else ""
    column_match = SOURCE_COLUMN.search(text)
    where = ", ".join(
        part
        for part in (
            name,
            _("sheet '%(sheet)s'") % {"sheet": sheet} if sheet else "",
            _("row %(row)d") % {"row": row} if row is not None else "",
        )
        if part
    )
    if row is not None:
        hint = _("Fix row %(row)d%(sheet)s of the XLSForm.") % {
            "row": row,
            "sheet": _(" of the '%(sheet)s' sheet") % {"sheet": sheet} if sheet else "",
        }
    else:
        hint = _("Fix the XLSForm as the message says.")
    return SheetProblem(
        message=text,
        where=where,
        field=column_match[1] if column_match else "",
        hint=hint,
        sheet=sheet,
        row=row,
    )


def java_available() -> bool:
    return shutil.which("java") is not None


def validate_xform(xform: str, *, form_id: str = "form") -> Validation:
    """Run ODK Validate on the XForm when Java is on PATH and validation is switched on."""
    if not settings.OPENDTM_CONVERSION_VALIDATE or not java_available():
        return Validation(valid=None, output="")
    timeout = float(settings.OPENDTM_CONVERSION_TIMEOUT)
    env = {**os.environ, **CHILD_ENV, "JAVA_TOOL_OPTIONS": VALIDATE_HEAP}
    with tempfile.TemporaryDirectory(prefix="opendtm-validate-") as folder:
        path = Path(folder) / f"{fallback_form_id(form_id)}.xml"
        path.write_text(xform, encoding="utf-8")
        command = [sys.executable, "-m", "opendtm.collection.conversion", "validate", str(path)]
        finished = run_child(command, stdin=b"", timeout=timeout, env=env)
    if finished is None:
        return Validation(
            valid=None,
            output=_("ODK Validate did not finish within %(seconds)s seconds.")
            % {"seconds": f"{timeout:g}"},
        )
    reply = read_reply(finished.stdout)
    if reply is None:
        return Validation(
            valid=None,
            output=_("ODK Validate could not run (exit status %(status)s): %(error)s")
            % {
                "status": finished.returncode,
                "error": clean_validate_output(finished.stderr.decode("utf-8", "replace")),
            },
        )
    return Validation(
        valid=reply.get("valid"), output=clean_validate_output(str(reply.get("output", "")))
    )


def clean_validate_output(text: str) -> str:
    """Validate's messages without the JVM's notice about JAVA_TOOL_OPTIONS."""
    lines = [line for line in text.splitlines() if not line.startswith("Picked up JAVA_")]
    cleaned = "\n".join(lines).strip()
    return "" if cleaned.rstrip(":") == "ODK Validate Warnings" else cleaned


def run_child(
    command: list[str], *, stdin: bytes, timeout: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess | None:
    """Run a child in its own process group; None when it ran out of time.

    On time out the whole group is killed, so a JVM that ODK Validate started goes too.
    """
    with subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env=env,
    ) as process:
        try:
            stdout, stderr = process.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)  # not reaped yet: the id is still ours
            process.communicate()
            return None
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


# The children. Their only output is one JSON object on stdout.


def child_convert(suffix: str, form_id: str, memory_bytes: int) -> int:
    """Convert stdin under the memory cap, set once pyxform and its readers are loaded."""
    import resource

    import openpyxl  # noqa: F401 - loaded before the cap, as pyxform loads it lazily
    import xlrd  # noqa: F401
    from pyxform.xls2xform import convert  # noqa: F401

    out = sys.stdout.buffer
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        reply = convert_stdin(suffix, form_id)
        out.write(json.dumps(reply, default=str).encode())
        out.flush()
    except MemoryError:
        out.write(b'{"ok": false, "error": "memory"}')
        out.flush()
        os._exit(MEMORY_EXIT)
    except RecursionError:
        out.write(b'{"ok": false, "pyxform": false, "error": "the form nests too deeply"}')
    return 0


def convert_stdin(suffix: str, form_id: str) -> dict[str, Any]:
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    data = sys.stdin.buffer.read()
    warnings: list[str] = []
    with tempfile.TemporaryDirectory(prefix="opendtm-xlsform-") as folder:
        path = Path(folder) / f"{form_id}{suffix}"  # pyxform's form_id when settings has none
        path.write_bytes(data)
        try:
            result = convert(xlsform=str(path), file_type=suffix, warnings=warnings)
        except PyXFormError as error:
            return {"ok": False, "pyxform": True, "error": str(error)}
        except (MemoryError, RecursionError):
            raise
        except Exception as error:  # pyxform and its readers raise many kinds
            return {"ok": False, "pyxform": False, "error": f"{error.__class__.__name__}: {error}"}
    return {
        "ok": True,
        "xform": result.xform,
        "warnings": warnings,
        "definition": result._pyxform,
        "itemsets": result.itemsets,
    }


def child_validate(path: str) -> int:
    from pyxform.validators.odk_validate import ODKValidateError, check_xform

    try:
        warnings = check_xform(path)
    except ODKValidateError as error:
        reply = {"valid": False, "output": str(error)}
    else:
        reply = {"valid": True, "output": "\n".join(warnings)}
    sys.stdout.write(json.dumps(reply))
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["convert"] and len(argv) == 4:
        return child_convert(argv[1], argv[2], int(argv[3]))
    if argv[:1] == ["validate"] and len(argv) == 2:
        return child_validate(argv[1])
    sys.stderr.write("usage: conversion convert SUFFIX FORM_ID MEMORY_BYTES | validate PATH\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
