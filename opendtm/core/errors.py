"""One error vocabulary for services, views and the API.

Services raise these; views render them as messages and the API as JSON. Each problem says
what was wrong, where (file, sheet, row, feature, field) and how to fix it.
"""

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TypeVar

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Problem:
    message: str
    where: str = ""
    field: str = ""
    hint: str = ""

    def __str__(self) -> str:
        location = ", ".join(
            part for part in (self.where, self.field and f"'{self.field}'") if part
        )
        text = f"{location}: {self.message}" if location else self.message
        if not self.hint:
            return text
        return f"{text}{'' if text.endswith(('.', '!', '?')) else '.'} {self.hint}"

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class ApplicationError(Exception):
    """A request the domain refuses. Nothing was written."""

    def __init__(self, message: str, *, hint: str = "", problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.problems = list(problems)

    def as_dict(self) -> dict:
        return {
            "message": self.message,
            "hint": self.hint,
            "problems": [problem.as_dict() for problem in self.problems],
        }


class NotFound(Http404):
    """Absent, or outside what the acting user may see: the two look the same on purpose."""


class Forbidden(PermissionDenied):
    """The user sees the operation but their role does not allow this."""


def clean_or_refuse(instance: Model, *, exclude: Sequence[str] = ()) -> None:
    """Model validation, reported in the same vocabulary as every other refusal."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        problems = [
            Problem(message=str(message), field="" if field == NON_FIELD_ERRORS else field)
            for field, messages in error.message_dict.items()
            for message in messages
        ]
        raise ApplicationError(
            _("Some values are not valid: %(problems)s")
            % {"problems": "; ".join(str(problem) for problem in problems)},
            problems=problems,
        ) from None


def get_or_not_found(queryset: QuerySet[M], message: str = "", **filters: object) -> M:
    try:
        return queryset.get(**filters)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise NotFound(message or _("Not found.")) from None
