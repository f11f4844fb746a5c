"""Exports stream: peak memory with 5,000 submissions stays that of 1,000 (tracemalloc)."""

import sys
import time
import tracemalloc

import pytest

from opendtm.accounts.roles import Role
from opendtm.collection.exports.layout import ExportOptions
from opendtm.collection.exports.services import write_export
from opendtm.collection.exports.writers import CsvZipWriter, XlsxWriter
from tests.collection.factories_submissions import add_many, site_form


def peak_of(form, writer, target) -> tuple[int, float, int]:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        count = write_export(form, ExportOptions(), writer, target)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, time.perf_counter() - started, count


@pytest.mark.parametrize("writer", [CsvZipWriter, XlsxWriter], ids=["csv", "xlsx"])
def test_peak_memory_stays_flat_from_1k_to_5k_submissions(
    operation, member, tmp_path, writer, capsys
):
    # given
    form = site_form(operation, created_by=member(Role.DATA_MANAGER, operation))
    add_many(form.current_version, 1000)
    small, small_seconds, small_count = peak_of(form, writer, tmp_path / "small")
    add_many(form.current_version, 4000)
    # when
    large, large_seconds, large_count = peak_of(form, writer, tmp_path / "large")
    # then
    assert (small_count, large_count) == (1000, 5000)
    with capsys.disabled():
        sys.stdout.write(
            f"\n{writer.__name__}: 1k {small / 1e6:.1f} MB peak {small_seconds:.2f}s; "
            f"5k {large / 1e6:.1f} MB peak {large_seconds:.2f}s\n"
        )
    # Reading in chunks of 500 and writing row by row: five times the rows, same peak.
    assert large < small * 1.3 + 512 * 1024, (small, large)
