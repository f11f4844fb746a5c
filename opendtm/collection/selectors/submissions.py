"""Reading a form's submissions, always through the acting user's rights in the operation.

The list pages by a keyset cursor on (received_at, id), newest first (the cursor is
selectors/submission_cursor.py's), walking the `submission_page` index (form, -received_at,
-id): every page costs the same however deep it is (no OFFSET), and rows that arrive
meanwhile are newer than any cursor, so paging neither repeats nor skips a row. The count
shown is capped (COUNT_CAP) and taken on the first page only.

Free text matches the instanceID, the submitter (user name or app user name) and the
current version's parsed data as JSON text (question names and answers alike). It scans
the form's rows that the other filters leave: narrow by date first on a very large form.
"""

import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import AnyUser, require
from opendtm.collection.models import (
    Export,
    Form,
    Submission,
    SubmissionAttachment,
    SubmissionReview,
    SubmissionVersion,
)
from opendtm.collection.selectors.forms import form_get
from opendtm.collection.selectors.submission_cursor import Cursor
from opendtm.core.errors import NotFound, get_or_not_found
from opendtm.geo.pcodes import PcodeError, normalize_pcode

PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
COUNT_CAP = 10_000


def submission_form_get(*, user: AnyUser, operation: Operation, form_id: str) -> Form:
    """The form whose submissions the user may read; another operation's is not found."""
    require(user=user, operation=operation, capability=Capability.VIEW_SUBMISSIONS)
    return form_get(user=user, operation=operation, form_id=form_id)


def require_submission_reader(*, user: AnyUser, operation: Operation, form: Form) -> None:
    """The user may read submissions in the operation, and the form is one of its forms."""
    require(user=user, operation=operation, capability=Capability.VIEW_SUBMISSIONS)
    if form.operation_id != operation.pk:
        raise NotFound(_("No such form in this operation."))


@dataclass(frozen=True)
class SubmissionFilters:
    received_from: datetime.date | None = None
    received_to: datetime.date | None = None
    submitter: str = ""
    review_state: str = ""
    area: str = ""
    site: str = ""
    text: str = ""

    @classmethod
    def from_query(cls, data: Mapping[str, Any]) -> "SubmissionFilters":
        """From cleaned query parameters, named as the pages and the API name them."""
        return cls(
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            submitter=(data.get("submitter") or "").strip(),
            review_state=data.get("review_state") or "",
            area=(data.get("area") or "").strip(),
            site=(data.get("site") or "").strip(),
            text=(data.get("q") or "").strip(),
        )

    def is_empty(self) -> bool:
        return self == SubmissionFilters()


def start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def submission_list(
    *,
    user: AnyUser,
    operation: Operation,
    form: Form,
    filters: SubmissionFilters | None = None,
) -> QuerySet[Submission]:
    """The form's submissions that match, newest first, with what a table row shows."""
    require_submission_reader(user=user, operation=operation, form=form)
    filters = filters or SubmissionFilters()
    submissions = Submission.objects.filter(form=form, operation=operation)
    if filters.received_from:
        submissions = submissions.filter(received_at__gte=start_of(filters.received_from))
    if filters.received_to:
        end = start_of(filters.received_to + datetime.timedelta(days=1))
        submissions = submissions.filter(received_at__lt=end)
    if filters.review_state:
        submissions = submissions.filter(review_state=filters.review_state)
    if filters.submitter:
        submissions = submissions.filter(
            Q(submitted_by__username__iexact=filters.submitter)
            | Q(app_user__name__iexact=filters.submitter)
        )
    if filters.area:
        try:
            pcode = normalize_pcode(filters.area, operation)
        except PcodeError:
            return submissions.none()
        # A child's p-code starts with its parent's: one prefix test finds every descendant.
        submissions = submissions.filter(
            Q(admin_area__pcode__startswith=pcode) | Q(site__admin_area__pcode__startswith=pcode)
        )
    if filters.site:
        submissions = submissions.filter(site__code__iexact=filters.site)
    if filters.text:
        submissions = submissions.filter(text_match(filters.text))
    return submissions.select_related("submitted_by", "app_user", "site", "admin_area").order_by(
        "-received_at", "-id"
    )


def text_match(text: str) -> Q:
    in_data = SubmissionVersion.objects.filter(submission=OuterRef("pk"), current=True).filter(
        # SQLite keeps JSON text ASCII-escaped: "\u0645" for an Arabic letter.
        Q(data__icontains=text) | Q(data__icontains=json.dumps(text)[1:-1])
    )
    return (
        Q(instance_id__icontains=text)
        | Q(submitted_by__username__icontains=text)
        | Q(app_user__name__icontains=text)
        | Q(Exists(in_data))
    )


@dataclass(frozen=True)
class SubmissionPage:
    rows: list[Submission]
    next_cursor: str
    count: int | None
    count_capped: bool


def submission_page(
    submissions: QuerySet[Submission],
    *,
    cursor: str = "",
    size: int = PAGE_SIZE,
    with_count: bool | None = None,
) -> SubmissionPage:
    """One page of a newest-first list, and the cursor of the next (older) page.

    The condition `received_at <= t AND (received_at < t OR id < n)` lets the database seek
    in the index to t and read forward; the OR alone would make it read from the top.
    The count, capped at COUNT_CAP, is taken on the first page unless with_count says.
    """
    size = max(1, min(size, MAX_PAGE_SIZE))
    if cursor:
        position = Cursor.decode(cursor)
        submissions = submissions.filter(received_at__lte=position.received_at).filter(
            Q(received_at__lt=position.received_at) | Q(id__lt=position.id)
        )
    rows = list(submissions[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    count = None
    capped = False
    if with_count if with_count is not None else not cursor:
        count = submissions.order_by()[: COUNT_CAP + 1].count()
        capped = count > COUNT_CAP
        count = min(count, COUNT_CAP)
    return SubmissionPage(
        rows=rows,
        next_cursor=Cursor.after(rows[-1]).encode() if more else "",
        count=count,
        count_capped=capped,
    )


def submission_get(*, user: AnyUser, operation: Operation, form: Form, pk: int) -> Submission:
    """One submission with its versions (newest first), their attachments, and its reviews."""
    submissions = submission_list(user=user, operation=operation, form=form).prefetch_related(
        Prefetch(
            "versions",
            queryset=SubmissionVersion.objects.select_related(
                "form_version", "submitted_by", "app_user"
            )
            .prefetch_related("attachments")
            .order_by("-received_at", "-id"),
        ),
        Prefetch(
            "reviews",
            queryset=SubmissionReview.objects.select_related("reviewed_by").order_by(
                "-reviewed_at", "-id"
            ),
        ),
    )
    return get_or_not_found(
        submissions,
        _("No submission %(pk)s of this form.") % {"pk": pk},
        pk=pk,
    )


def current_version(submission: Submission) -> SubmissionVersion | None:
    """The current version, from the prefetched versions when they are there."""
    versions = list(submission.versions.all())
    return next((version for version in versions if version.current), None)


def submission_version_get(
    *, user: AnyUser, operation: Operation, form: Form, pk: int, version_id: int
) -> SubmissionVersion:
    require(user=user, operation=operation, capability=Capability.VIEW_SUBMISSIONS)
    return get_or_not_found(
        SubmissionVersion.objects.select_related("form_version", "submission"),
        _("No such version of submission %(pk)s.") % {"pk": pk},
        pk=version_id,
        submission_id=pk,
        submission__form=form,
        submission__operation=operation,
    )


def attachment_get(
    *, user: AnyUser, operation: Operation, form: Form, pk: int, name: str
) -> SubmissionAttachment:
    """A submission's file by name: the current version's, else the newest older one's."""
    require(user=user, operation=operation, capability=Capability.VIEW_SUBMISSIONS)
    attachment = (
        SubmissionAttachment.objects.filter(
            name=name,
            version__submission_id=pk,
            version__submission__form=form,
            version__submission__operation=operation,
        )
        .order_by("-version__current", "-version__received_at", "-version_id")
        .first()
    )
    if attachment is None:
        raise NotFound(_("No file %(name)s in this submission.") % {"name": name})
    return attachment


def export_list(*, user: AnyUser, operation: Operation, form: Form) -> QuerySet[Export]:
    require_submission_reader(user=user, operation=operation, form=form)
    return Export.objects.filter(form=form).select_related("created_by", "form")


def export_get(*, user: AnyUser, operation: Operation, form: Form, export_id: int) -> Export:
    return get_or_not_found(
        export_list(user=user, operation=operation, form=form),
        _("No export %(id)s of this form.") % {"id": export_id},
        pk=export_id,
    )


# Laying a submission out for people: by the form's questions, and version against version.

INLINE_IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")


def is_inline_image(attachment: SubmissionAttachment) -> bool:
    """Shown in the page only when both the declared type and the name say a safe image."""
    return attachment.content_type.split(";")[
        0
    ].strip().lower() in INLINE_IMAGE_TYPES and attachment.name.lower().endswith(IMAGE_SUFFIXES)


def data_entries(
    version: SubmissionVersion, attachments: list[SubmissionAttachment] | None = None
) -> list[dict[str, Any]]:
    """The version's answers in form order, with labels: groups and repeat instances as
    headings, questions as rows. Paths carry repeat indices (hh[2]/size), as edits take them.
    """
    fields = (version.form_version.schema or {}).get("fields", [])
    children: dict[str, list[dict[str, Any]]] = {}
    for item in fields:
        children.setdefault(item["path"].rpartition("/")[0], []).append(item)
    files = {attachment.name: attachment for attachment in attachments or []}
    entries: list[dict[str, Any]] = []

    def walk(node: Any, parent: str, indexed: str, depth: int) -> None:
        for item in children.get(parent, []):
            name = item["name"]
            path = f"{indexed}/{name}" if indexed else name
            value = node.get(name) if isinstance(node, Mapping) else None
            label = item.get("label") or name
            if item["kind"] == "group":
                entries.append({"kind": "group", "label": label, "path": path, "depth": depth})
                walk(value, item["path"], path, depth + 1)
            elif item["kind"] == "repeat":
                instances = value if isinstance(value, list) else [value] if value else []
                for number, instance in enumerate(instances, start=1):
                    entries.append(
                        {
                            "kind": "repeat",
                            "label": f"{label} #{number}",
                            "path": f"{path}[{number}]",
                            "depth": depth,
                        }
                    )
                    walk(instance, item["path"], f"{path}[{number}]", depth + 1)
            else:
                text = value if isinstance(value, str) else "" if value is None else str(value)
                entries.append(
                    {
                        "kind": "field",
                        "label": label,
                        "path": path,
                        "depth": depth,
                        "text": text,
                        "type": item.get("type", "string"),
                        "file": files.get(text) if item.get("type") == "binary" else None,
                        "editable": item.get("type") != "binary"
                        and not item["path"].startswith("meta/")
                        and version.parse_status == SubmissionVersion.Parse.PARSED,
                        "multiline": len(text) > 80 or "\n" in text,
                    }
                )

    walk(version.data or {}, "", "", 0)
    return entries


def flatten(data: Any, path: str = "") -> dict[str, str]:
    """Every answer of parsed data by indexed path, e.g. {"hh[1]/size": "5"}."""
    flat: dict[str, str] = {}
    if isinstance(data, Mapping):
        for key, value in data.items():
            flat.update(flatten(value, f"{path}/{key}" if path else key))
    elif isinstance(data, list):
        for number, item in enumerate(data, start=1):
            flat.update(flatten(item, f"{path}[{number}]"))
    elif data is not None:
        flat[path] = str(data)
    return flat


def version_differences(older: Any, newer: Any) -> list[dict[str, str]]:
    """What changed from one version's data to the next, metadata left out."""
    before, after = flatten(older or {}), flatten(newer or {})
    changes = []
    for path in [*after, *(key for key in before if key not in after)]:
        if path.startswith("meta/"):
            continue
        if before.get(path, "") != after.get(path, ""):
            changes.append(
                {"path": path, "before": before.get(path, ""), "after": after.get(path, "")}
            )
    return changes


def version_history(versions: list[SubmissionVersion]) -> list[dict[str, Any]]:
    """Versions newest first, each with what it changed from the one before."""
    ordered = sorted(versions, key=lambda version: (version.received_at, version.pk))
    history = []
    for index, version in enumerate(ordered):
        previous = ordered[index - 1] if index else None
        history.append(
            {
                "version": version,
                "changes": version_differences(previous.data, version.data) if previous else [],
                "first": previous is None,
            }
        )
    return list(reversed(history))
