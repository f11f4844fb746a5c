"""What the import commands share: who acts, in which operation, on which file."""

from pathlib import Path

from django.core.management.base import CommandError, OutputWrapper

from opendtm.accounts.models import Operation, User
from opendtm.accounts.selectors.operations import operation_get
from opendtm.core.errors import ApplicationError, NotFound
from opendtm.core.tables import check_upload_size
from opendtm.geo.importers.columns import ColumnsUnclear


def acting_user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user '{username}'. Give --user with an existing username.")
    return user


def operation_of(user: User, slug: str) -> Operation:
    try:
        return operation_get(user=user, slug=slug)
    except NotFound as error:
        raise CommandError(str(error)) from None


def read_upload(path: str) -> tuple[str, bytes]:
    """The file's name and content; its size is checked before a byte is read."""
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"{path}: no such file.")
    try:
        check_upload_size(file.name, file.stat().st_size)
    except ApplicationError as error:
        raise CommandError(f"{error.message} {error.hint}".strip()) from None
    return file.name, file.read_bytes()


def refuse(error: ApplicationError, stderr: OutputWrapper) -> CommandError:
    """The refusal, every problem on its own line, then the error that ends with status 1."""
    stderr.write(error.message)
    for problem in error.problems:
        stderr.write(f"  - {problem}")
    if isinstance(error, ColumnsUnclear):
        stderr.write("The file's columns: " + ", ".join(error.headers))
    if error.hint:
        stderr.write(error.hint)
    return CommandError("Nothing was imported.", returncode=1)
