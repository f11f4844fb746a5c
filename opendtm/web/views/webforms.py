"""Filling and editing submissions in the browser with ODK Web Forms.

The page only hosts the form: collection/webforms/webforms.js (built by scripts/build-webforms)
fetches the XForm and its media from the URLs below and sends what the user fills to the same
OpenRosa submission endpoint ODK Collect uses, signed by the session and the CSRF token.

Editing loads the submission's current XML, and its files, into the form version it was
made with; web-forms then gives the new version a new instanceID and puts the old one in
meta/deprecatedID, which the endpoint reads as "a new version of that submission".
"""

import json
from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.collection.blobs import blob_open
from opendtm.collection.models import Form, FormVersion, Submission, SubmissionVersion
from opendtm.collection.selectors.forms import form_get, form_media_get
from opendtm.collection.selectors.submissions import (
    attachment_get,
    current_version,
    submission_get,
)
from opendtm.core.errors import ApplicationError, NotFound
from opendtm.web.views.base import SignedInRequest, operation_page, page

NAME = "__NAME__"  # in a URL pattern given to the script: replaced by a file's name


def script_messages() -> dict[str, str]:
    """The texts the script shows, in the page's language (read from data-message-*)."""
    return {
        "loading": _("Loading the form…"),
        "sending": _("Sending…"),
        "sent": _("Sent. The form is empty again for the next one."),
        "saved": _("The changes are saved."),
        "failed": _("The server did not accept the submission:"),
        "offline": _(
            "The server could not be reached. Your answers are still in the form: send again."
        ),
        "load-failed": _("The form could not be loaded."),
        "sign-in": _("Sign in again in another tab, then press Send here: your answers are kept."),
    }


def submission_url(operation: Operation) -> str:
    """The OpenRosa endpoint ODK Collect posts to; the browser posts there too."""
    return reverse("openrosa:user:submission", kwargs={"slug": operation.slug})


def xml_response(text: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/xml; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"
    return response


def blob_response(sha256: str, content_type: str, name: str) -> FileResponse:
    try:
        handle = blob_open(sha256)
    except FileNotFoundError:
        raise NotFound(_("The file %(name)s is missing from storage.") % {"name": name}) from None
    response = FileResponse(handle, content_type=content_type or "application/octet-stream")
    response["Cache-Control"] = "private, no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def media_response(request: SignedInRequest, version: FormVersion, name: str) -> FileResponse:
    media = form_media_get(user=request.user, version=version, name=name)
    return blob_response(media.sha256, media.content_type, media.filename)


def fillable(form: Form) -> FormVersion:
    """The version the browser fills: the current one, if the form accepts submissions."""
    if form.current_version is None:
        raise ApplicationError(
            _("%(form)s has no published version yet.") % {"form": form.title},
            hint=_("Upload its XLSForm on the forms page, then come back."),
        )
    if form.state == Form.State.CLOSED:
        raise ApplicationError(
            _("%(form)s is closed: it accepts no new submissions.") % {"form": form.title},
            hint=_("A form manager can open it again on the form's page."),
        )
    return form.current_version


def host_context(request: SignedInRequest, **urls: str) -> dict[str, Any]:
    return {
        "urls": urls,
        "script_messages": script_messages(),
        "csrf": get_token(request),
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
    }


@operation_page(Capability.SUBMIT)
@require_safe
def webform_fill(request: SignedInRequest, operation: Operation, form_id: str) -> HttpResponse:
    form = form_get(user=request.user, operation=operation, form_id=form_id)
    context: dict[str, Any] = {"form": form, "editing": False}
    try:
        version = fillable(form)
    except ApplicationError as error:
        return page(request, operation, "web/webforms/fill.html", {**context, "error": error})
    slug = operation.slug
    context |= host_context(
        request,
        form=reverse("web:webform-xform", args=[slug, form.form_id]),
        media=reverse("web:webform-media", args=[slug, form.form_id, NAME]),
        submission=submission_url(operation),
    )
    context["version"] = version
    return page(request, operation, "web/webforms/fill.html", context)


@operation_page(Capability.SUBMIT)
@require_safe
def webform_xform(request: SignedInRequest, operation: Operation, form_id: str) -> HttpResponse:
    form = form_get(user=request.user, operation=operation, form_id=form_id)
    try:
        version = fillable(form)
    except ApplicationError as error:
        raise NotFound(error.message) from None
    return xml_response(version.xform)


@operation_page(Capability.SUBMIT)
@require_safe
def webform_media(
    request: SignedInRequest, operation: Operation, form_id: str, filename: str
) -> FileResponse:
    form = form_get(user=request.user, operation=operation, form_id=form_id)
    try:
        version = fillable(form)
    except ApplicationError as error:
        raise NotFound(error.message) from None
    return media_response(request, version, filename)


def edited(
    request: SignedInRequest, operation: Operation, form_id: str, pk: int
) -> tuple[Form, Submission, SubmissionVersion]:
    """The form, the submission and its current version, as a data manager may edit them."""
    form = form_get(user=request.user, operation=operation, form_id=form_id)
    submission = submission_get(user=request.user, operation=operation, form=form, pk=pk)
    version = current_version(submission)
    if version is None:
        raise NotFound(_("Submission %(pk)s has no current version.") % {"pk": pk})
    return form, submission, version


def attachment_names(submission: Submission, version: SubmissionVersion) -> list[str]:
    """The files the current XML refers to that the server holds, from any version.

    Collect sends an edit without the files that did not change, so they may sit on an
    older version; attachment_get finds them there.
    """
    held = {
        attachment.name
        for older in submission.versions.all()
        for attachment in older.attachments.all()
    }
    expected = set(version.attachments_expected or [])
    if not expected:
        return sorted(attachment.name for attachment in version.attachments.all())
    return sorted(held & expected)


@operation_page(Capability.REVIEW)
@require_safe
def webform_edit(
    request: SignedInRequest, operation: Operation, form_id: str, pk: int
) -> HttpResponse:
    form, submission, version = edited(request, operation, form_id, pk)
    slug = operation.slug
    args = [slug, form.form_id, pk]
    context: dict[str, Any] = {
        "form": form,
        "editing": True,
        "submission": submission,
        "version": version.form_version,
        "instance_id": version.instance_id,
        "attachments": json.dumps(attachment_names(submission, version)),
    }
    context |= host_context(
        request,
        form=reverse("web:webform-edit-xform", args=args),
        media=reverse("web:webform-edit-media", args=[*args, NAME]),
        submission=submission_url(operation),
        instance=reverse("web:webform-edit-instance", args=args),
        attachment=reverse("web:webform-edit-attachment", args=[*args, NAME]),
        next=reverse("web:submission", args=args),
    )
    return page(request, operation, "web/webforms/fill.html", context)


@operation_page(Capability.REVIEW)
@require_safe
def webform_edit_xform(
    request: SignedInRequest, operation: Operation, form_id: str, pk: int
) -> HttpResponse:
    _form, _submission, version = edited(request, operation, form_id, pk)
    return xml_response(version.form_version.xform)


@operation_page(Capability.REVIEW)
@require_safe
def webform_edit_media(
    request: SignedInRequest, operation: Operation, form_id: str, pk: int, filename: str
) -> FileResponse:
    _form, _submission, version = edited(request, operation, form_id, pk)
    return media_response(request, version.form_version, filename)


@operation_page(Capability.REVIEW)
@require_safe
def webform_edit_instance(
    request: SignedInRequest, operation: Operation, form_id: str, pk: int
) -> HttpResponse:
    _form, _submission, version = edited(request, operation, form_id, pk)
    return xml_response(version.xml)


@operation_page(Capability.REVIEW)
@require_safe
def webform_edit_attachment(
    request: SignedInRequest, operation: Operation, form_id: str, pk: int, filename: str
) -> FileResponse:
    form, _submission, _version = edited(request, operation, form_id, pk)
    attachment = attachment_get(
        user=request.user, operation=operation, form=form, pk=pk, name=filename
    )
    return blob_response(attachment.sha256, attachment.content_type, attachment.name)
