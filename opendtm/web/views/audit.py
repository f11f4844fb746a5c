from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.audit import (
    EXPORT_HEADER,
    AuditFilters,
    audit_export_rows,
    audit_list,
    audit_object_types,
)
from opendtm.core.csv_export import csv_lines
from opendtm.web.forms import AuditFilterForm
from opendtm.web.views.base import SignedInRequest, operation_page, page

PAGE_SIZE = 50


def audit_filters(
    request: SignedInRequest, operation: Operation
) -> tuple[AuditFilterForm, AuditFilters]:
    form = AuditFilterForm(request.GET or None)
    types = audit_object_types(user=request.user, operation=operation)
    form.fields["object_type"].choices = [("", "—"), *((kind, kind) for kind in types)]  # type: ignore[attr-defined]
    filters = AuditFilters.from_query(form.cleaned_data if form.is_valid() else {})
    return form, filters


@operation_page(Capability.VIEW_AUDIT)
def audit_index(request: SignedInRequest, operation: Operation) -> HttpResponse:
    """Newest first, paged by keyset on the id so that deep pages stay fast."""
    form, filters = audit_filters(request, operation)
    events = audit_list(user=request.user, operation=operation, filters=filters)
    before = request.GET.get("before", "")
    if before.isdigit():
        events = events.filter(pk__lt=int(before))
    rows = list(events[: PAGE_SIZE + 1])
    query = request.GET.copy()
    query.pop("before", None)
    context = {
        "form": form,
        "events": rows[:PAGE_SIZE],
        "next_before": rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None,
        "query": query.urlencode(),
    }
    template = (
        "web/audit/_rows.html" if request.headers.get("HX-Request") else "web/audit/list.html"
    )
    return page(request, operation, template, context)


@operation_page(Capability.VIEW_AUDIT)
def audit_export(request: SignedInRequest, operation: Operation) -> StreamingHttpResponse:
    _form, filters = audit_filters(request, operation)
    rows = audit_export_rows(user=request.user, operation=operation, filters=filters)
    response = StreamingHttpResponse(csv_lines(EXPORT_HEADER, rows), content_type="text/csv")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{operation.slug}-{stamp}.csv"'
    return response
