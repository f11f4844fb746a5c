"""Identical POSTs racing each other leave one submission; racing edits leave one current.

Real transactions in real threads (transactional_db): each thread has its own connection,
and they all start together at a barrier. On PostgreSQL the loser of a race meets the unique
(form, instanceID) constraint and re-reads the winner's row; on SQLite writers queue.

SQLite's in-memory test database (shared cache) fails a second writer at once ("table is
locked") instead of making it wait as a database file does, so on SQLite the threads work on
a file copy of the test database, as the server would.
"""

import sqlite3
import threading

import pytest
from django.db import connection, connections

from opendtm.accounts.roles import Role
from opendtm.collection.models import Submission, SubmissionAttachment, SubmissionVersion
from opendtm.collection.services.submissions import (
    IncomingFile,
    SubmissionRefused,
    submission_receive,
)
from tests.collection.factories_openrosa import instance, instance_id_of, site_form

THREADS = 8


def use_database(path: str | None) -> None:
    """Point this thread's connection at the file copy (SQLite), before it connects."""
    if path is not None:
        own = connections["default"]
        own.settings_dict = {**own.settings_dict, "NAME": path}


def race(work, database: str | None, count: int = THREADS) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        use_database(database)
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - reported by the test
            results[index] = error
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def in_thread(work, database: str | None):
    """Run `work` on a thread of its own, on the database the race used."""
    return race(lambda _index: work(), database, count=1)[0]


def file_copy(tmp_path) -> str | None:
    """On SQLite, a file copy of the test database as it is now; None on PostgreSQL."""
    if connection.vendor != "sqlite":
        return None
    path = str(tmp_path / "race.sqlite3")
    connection.ensure_connection()
    with sqlite3.connect(path) as target:
        connection.connection.backup(target)
    return path


@pytest.fixture
def setup(transactional_db, operation, member):
    return member(Role.ENUMERATOR, operation, "enum1"), site_form(operation)


def test_identical_posts_at_once_make_one_submission(operation, setup, tmp_path):
    enumerator, _form = setup
    database = file_copy(tmp_path)
    xml = instance(photo="a.jpg")

    def post(_index: int):
        return submission_receive(
            operation=operation,
            xml=xml,
            attachments=[IncomingFile("a.jpg", "image/jpeg", iter([b"photo-bytes"]))],
            submitted_by=enumerator,
        ).outcome

    outcomes = race(post, database)
    assert sorted(outcomes) == ["created"] + ["duplicate"] * (THREADS - 1), outcomes
    counts = in_thread(
        lambda: (
            Submission.objects.count(),
            SubmissionVersion.objects.count(),
            SubmissionAttachment.objects.count(),
        ),
        database,
    )
    assert counts == (1, 1, 1)


def test_edits_of_one_version_at_once_leave_one_current(operation, setup, tmp_path):
    enumerator, _form = setup
    original = instance()
    submission_receive(operation=operation, xml=original, submitted_by=enumerator)
    database = file_copy(tmp_path)

    def edit(index: int):
        xml = instance(deprecated_id=instance_id_of(original), households=100 + index)
        try:
            return submission_receive(operation=operation, xml=xml, submitted_by=enumerator).outcome
        except SubmissionRefused as refused:
            return refused.status

    outcomes = race(edit, database)
    assert sorted(outcomes, key=str) == [409] * (THREADS - 1) + ["edited"], outcomes
    current, edits = in_thread(
        lambda: (
            SubmissionVersion.objects.filter(current=True).count(),
            Submission.objects.get().edits,
        ),
        database,
    )
    assert (current, edits) == (1, 1)
