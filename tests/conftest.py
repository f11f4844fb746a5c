import pytest
from django.db.backends.sqlite3.base import DatabaseOperations as SQLiteOperations

from opendtm.accounts.audit_guard import TABLE, statements
from opendtm.accounts.roles import Role
from opendtm.collection.services import submission_parsing
from tests.factories import MembershipFactory, OperationFactory, UserFactory


@pytest.fixture(scope="session", autouse=True)
def _flush_lifts_audit_guard():
    """Transactional tests end with a flush that DELETEs every table on SQLite.

    The append-only triggers refuse that, so in tests the flush drops them first and puts
    them back last. PostgreSQL flushes with TRUNCATE, which the triggers leave alone.
    """
    original = SQLiteOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        sql = original(self, style, tables, **kwargs)
        if TABLE not in tables:
            return sql
        return [*statements("sqlite", install=False), *sql, *statements("sqlite", install=True)]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SQLiteOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(autouse=True)
def _parse_plans_cleared():
    """The ingest caches each form version's parse plan by the version's id for the whole
    process; test databases reuse ids, so every test starts with that cache empty."""
    submission_parsing._plans.clear()


@pytest.fixture
def operation(db):
    return OperationFactory(name="Nigeria North-East", slug="nga-ne")


@pytest.fixture
def other_operation(db):
    return OperationFactory(name="Sudan", slug="sdn", country_iso3="SDN", country_iso2="SD")


@pytest.fixture
def member(db):
    """member(role, operation) -> a user holding that role there."""

    def make(role: str, operation, username: str | None = None):
        user = UserFactory(**({"username": username} if username else {}))
        MembershipFactory(user=user, operation=operation, role=role)
        return user

    return make


@pytest.fixture
def admin_user(member, operation):
    return member(Role.OPERATION_ADMIN, operation, "opadmin")


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)
