"""A form's submissions: the filtered table, one submission, its review and field edits."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.collection.api.submissions import attachment_response
from opendtm.collection.models import Submission
from opendtm.collection.selectors.submissions import (
    SubmissionFilters,
    attachment_get,
    data_entries,
    is_inline_image,
    submission_form_get,
    submission_get,
    submission_list,
    submission_page,
    submission_version_get,
    version_history,
)
from opendtm.collection.services.edits import submission_edit_fields
from opendtm.collection.services.review import submission_review
from opendtm.core.errors import ApplicationError
from opendtm.tracking.selectors.attachments import submission_round_get
from opendtm.web.views.base import SignedInRequest, operation_page, page, refusal

FIELD_PREFIX = "field:"


class SubmissionFilterForm(forms.Form):
    received_from = forms.DateField(
        label=gettext_lazy("Received from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    received_to = forms.DateField(
        label=gettext_lazy("to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    submitter = forms.CharField(label=gettext_lazy("Submitter"), required=False, max_length=150)
    review_state = forms.ChoiceField(
        label=gettext_lazy("Review"),
        required=False,
        choices=[("", gettext_lazy("Any")), *Submission.Review.choices],
    )
    area = forms.CharField(label=gettext_lazy("Area p-code"), required=False, max_length=30)
    site = forms.CharField(label=gettext_lazy("Site code"), required=False, max_length=60)
    q = forms.CharField(
        label=gettext_lazy("Text"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class ReviewForm(forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("Review state"), choices=Submission.Review.choices)
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Needed for 'has issues', 'rejected' and 'received'."),
    )


@operation_page(Capability.VIEW_SUBMISSIONS)
def submission_index(request: SignedInRequest, operation: Operation, form_id: str) -> HttpResponse:
    form = submission_form_get(user=request.user, operation=operation, form_id=form_id)
    filter_form = SubmissionFilterForm(request.GET or None)
    filters = SubmissionFilters.from_query(
        filter_form.cleaned_data if filter_form.is_valid() else {}
    )
    submissions = submission_list(
        user=request.user, operation=operation, form=form, filters=filters
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    context: dict[str, Any] = {"form": form, "filter_form": filter_form, "query": query.urlencode()}
    status = 200
    try:
        context["page"] = submission_page(submissions, cursor=request.GET.get("cursor", ""))
    except ApplicationError as error:
        context.update(refusal(error))
        context["page"] = submission_page(submissions)
        status = 400
    template = (
        "web/submissions/_table.html"
        if request.headers.get("HX-Request")
        else "web/submissions/list.html"
    )
    return page(request, operation, template, context, status=status)


def detail_context(request: SignedInRequest, operation: Operation, form_id: str, pk: int) -> dict:
    form = submission_form_get(user=request.user, operation=operation, form_id=form_id)
    submission = submission_get(user=request.user, operation=operation, form=form, pk=pk)
    versions = list(submission.versions.all())
    current = next((version for version in versions if version.current), None)
    attachments = list(current.attachments.all()) if current else []
    return {
        "form": form,
        "submission": submission,
        "current": current,
        "entries": data_entries(current, attachments) if current else [],
        "attachments": [
            {"file": attachment, "image": is_inline_image(attachment)} for attachment in attachments
        ],
        "history": version_history(versions),
        "reviews": list(submission.reviews.all()),
        "review_form": ReviewForm(initial={"state": submission.review_state}),
        "counts_in": submission_round_get(user=request.user, submission=submission),
    }


def detail_page(
    request: SignedInRequest,
    operation: Operation,
    form_id: str,
    pk: int,
    *,
    error: ApplicationError,
    **extra: Any,
) -> HttpResponse:
    """The submission's page again, with why an action on it was refused."""
    context = {**detail_context(request, operation, form_id, pk), **refusal(error), **extra}
    return page(request, operation, "web/submissions/detail.html", context, status=400)


@operation_page(Capability.VIEW_SUBMISSIONS)
def submission_detail(
    request: SignedInRequest, operation: Operation, form_id: str, pk: int
) -> HttpResponse:
    context = detail_context(request, operation, form_id, pk)
    return page(request, operation, "web/submissions/detail.html", context)


@operation_page(Capability.REVIEW)
@require_POST
def submission_review_view(
    request: SignedInRequest, operation: Operation, form_id: str, pk: int
) -> HttpResponse:
    form = submission_form_get(user=request.user, operation=operation, form_id=form_id)
    submission = submission_get(user=request.user, operation=operation, form=form, pk=pk)
    review_form = ReviewForm(request.POST)
    if review_form.is_valid():
        try:
            submission_review(
                actor=request.user,
                submission=submission,
                state=review_form.cleaned_data["state"],
                comment=review_form.cleaned_data["comment"],
            )
        except ApplicationError as error:
            return detail_page(
                request, operation, form_id, pk, error=error, review_form=review_form
            )
        messages.success(
            request,
            _("Review saved: %(state)s.")
            % {"state": Submission.Review(review_form.cleaned_data["state"]).label},
        )
    else:
        messages.error(request, _("Choose a review state."))
    return redirect("web:submission", slug=operation.slug, form_id=form.form_id, pk=pk)


@operation_page(Capability.REVIEW)
@require_POST
def submission_edit_view(
    request: SignedInRequest, operation: Operation, form_id: str, pk: int
) -> HttpResponse:
    """The edit form posts every field; only those whose value differs are changed."""
    context = detail_context(request, operation, form_id, pk)
    current = {
        entry["path"]: entry["text"] for entry in context["entries"] if entry.get("editable")
    }
    posted = {
        key.removeprefix(FIELD_PREFIX): request.POST.get(key, "").replace("\r\n", "\n")
        for key in request.POST
        if key.startswith(FIELD_PREFIX)
    }
    changes = {
        path: value for path, value in posted.items() if path in current and value != current[path]
    }
    try:
        submission_edit_fields(
            actor=request.user,
            submission=context["submission"],
            changes=changes,
            reason=request.POST.get("reason", ""),
        )
    except ApplicationError as error:
        context.update(refusal(error))
        context["edit_values"] = dict(changes)
        context["edit_reason"] = request.POST.get("reason", "")
        return page(request, operation, "web/submissions/detail.html", context, status=400)
    messages.success(
        request,
        _("%(count)d field(s) changed; the edit is the submission's new version.")
        % {"count": len(changes)},
    )
    return redirect("web:submission", slug=operation.slug, form_id=form_id, pk=pk)


@operation_page(Capability.VIEW_SUBMISSIONS)
def submission_attachment(
    request: SignedInRequest, operation: Operation, form_id: str, pk: int, name: str
) -> FileResponse:
    form = submission_form_get(user=request.user, operation=operation, form_id=form_id)
    attachment = attachment_get(user=request.user, operation=operation, form=form, pk=pk, name=name)
    return attachment_response(attachment)


@operation_page(Capability.VIEW_SUBMISSIONS)
def submission_version_xml(
    request: SignedInRequest, operation: Operation, form_id: str, pk: int, version_id: int
) -> HttpResponse:
    """The XML as received, shown as text (never rendered as markup by the browser)."""
    form = submission_form_get(user=request.user, operation=operation, form_id=form_id)
    version = submission_version_get(
        user=request.user, operation=operation, form=form, pk=pk, version_id=version_id
    )
    response = HttpResponse(version.xml, content_type="text/plain; charset=utf-8")
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
