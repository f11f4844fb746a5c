"""The receipt's two hot-path lookups as plain SQL: the form version a submission names, and
the version already received under an instanceID.

Measured per call on SQLite: the ORM took 450 µs to find the version (and 180 µs for the
duplicate probe), building and compiling the query each time; the same SQL run directly
takes about 12 µs. Table and column names come from the models, so a rename shows up here.
"""

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from opendtm.accounts.models import Operation
from opendtm.collection.models import AppUser, Form, FormVersion, SubmissionVersion


def quoted(name: str) -> str:
    return '"' + name + '"'


FORM_TABLE = quoted(Form._meta.db_table)
VERSION_TABLE = quoted(FormVersion._meta.db_table)
SUBMISSION_VERSION_TABLE = quoted(SubmissionVersion._meta.db_table)
ASSIGNED_TABLE = quoted(AppUser.forms.through._meta.db_table)
# Only model table names are formatted in; every value is a parameter.
VERSION_SQL = (
    "SELECT v.id, v.version, v.title, f.id, f.title, f.state, f.site_field, f.area_field "  # noqa: S608
    f"FROM {VERSION_TABLE} v INNER JOIN {FORM_TABLE} f ON f.id = v.form_id "
    "WHERE f.operation_id = %s AND f.form_id = %s AND v.version = %s"
)
ASSIGNED_VERSION_SQL = (
    f"{VERSION_SQL} AND EXISTS (SELECT 1 FROM {ASSIGNED_TABLE} a "  # noqa: S608
    "WHERE a.form_id = f.id AND a.appuser_id = %s)"
)
INSTANCE_SQL = f"SELECT id FROM {SUBMISSION_VERSION_TABLE} WHERE form_id = %s AND instance_id = %s"  # noqa: S608
FORM_FIELDS = ["id", "operation_id", "form_id", "title", "state", "site_field", "area_field"]


def row_of(sql: str, params: Sequence[Any]) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def first(queryset: QuerySet[Any]) -> Any:
    """The first row of an index probe, without the ORDER BY that .first() would add."""
    return next(iter(queryset.order_by()[:1]), None)


def form_version_lookup(
    operation: Operation, form_id: str, version: str, *, assigned_to: AppUser | None
) -> FormVersion | None:
    """The form version, its form and, when assigned_to is given, the assignment: one query.

    The form and version are built from that one row with Django's deferred loading, so any
    other field read later is fetched then.
    """
    params: list[Any] = [operation.pk, form_id, version]
    if assigned_to is not None:
        row = row_of(ASSIGNED_VERSION_SQL, [*params, assigned_to.pk])
    else:
        row = row_of(VERSION_SQL, params)
    if row is None:
        return None
    pk, number, title, form_pk, form_title, state, site_field, area_field = row
    form = Form.from_db(
        "default",
        FORM_FIELDS,
        [form_pk, operation.pk, form_id, form_title, state, site_field, area_field],
    )
    form.operation = operation
    form_version = FormVersion.from_db(
        "default", ["id", "form_id", "version", "title"], [pk, form_pk, number, title]
    )
    form_version.form = form
    return form_version


def existing_version(form: Form, instance_id: str) -> SubmissionVersion | None:
    """The index probe on (form, instance_id); the row itself is read only when it exists."""
    row = row_of(INSTANCE_SQL, [form.pk, instance_id])
    if row is None:
        return None
    return (
        SubmissionVersion.objects.select_related("submission").defer("xml", "data").get(pk=row[0])
    )
