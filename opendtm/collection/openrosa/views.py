"""OpenRosa 1.0 for ODK Collect, KoboCollect and web forms, per operation.

    GET       {base}/formList                      forms the caller may fill (?formID= filters)
    GET       {base}/forms/<form_id>.xml           the current version, byte for byte
    GET       {base}/forms/<form_id>/manifest      its media files, with their MD5
    GET       {base}/forms/<form_id>/media/<version>/<filename>
    HEAD|GET  {base}/submission                    204 + X-OpenRosa-Accept-Content-Length
    POST      {base}/submission                    multipart: xml_submission_file + files

where {base} is /collect/<slug> (a user: Basic over HTTPS, or a browser session) or
/collect/key/<token>/<slug> (an app user). The hash in formList is the MD5 of the exact bytes
the download serves, which is how Collect decides to fetch a form again.

The views stay lean for devices: a token or Basic request touches neither the session nor
messages, and the form and version are read in one query.
"""

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import can
from opendtm.collection.blobs import blob_open
from opendtm.collection.models import Form, FormMedia, FormVersion
from opendtm.collection.openrosa.auth import Caller, caller_for
from opendtm.collection.openrosa.responses import (
    ListedForm,
    ListedMedia,
    OpenRosaError,
    form_list_xml,
    manifest_xml,
    message_response,
    openrosa_endpoint,
    xml_response,
)
from opendtm.collection.openrosa.uploads import XML_FIELD, prepare_upload
from opendtm.collection.selectors.forms import HEAVY_VERSION_FIELDS, forms_fillable
from opendtm.collection.services.submissions import (
    IncomingFile,
    SubmissionRefused,
    submission_receive,
)

REACHABLE = [Form.State.OPEN, Form.State.CLOSING]  # closing: still accepted, not listed


def caller_forms(caller: Caller) -> QuerySet[Form]:
    """The published forms the caller may fill, whatever their state.

    forms_fillable (what formList offers) is the same minus closing and closed forms.
    """
    forms = Form.objects.filter(operation=caller.operation, current_version__isnull=False)
    if caller.app_user is not None:
        return forms.filter(app_users=caller.app_user)
    if caller.user is None or not can(
        user=caller.user, operation=caller.operation, capability=Capability.SUBMIT
    ):
        return forms.none()
    return forms


def reachable_form(caller: Caller, form_id: str, *, with_xform: bool = False) -> Form:
    """The form by its ID, if the caller may fill it; its XForm text read only when needed."""
    forms = (
        caller_forms(caller)
        .filter(form_id=form_id, state__in=REACHABLE)
        .select_related("current_version")
        .order_by()
    )
    if not with_xform:
        forms = forms.defer(*(f"current_version__{name}" for name in HEAVY_VERSION_FIELDS))
    form = next(iter(forms[:1]), None)
    if form is None or form.current_version is None:
        raise OpenRosaError(
            _("There is no form '%(form_id)s' for you on this server.") % {"form_id": form_id},
            status=404,
            hint=_("Get blank forms again to see the forms you may fill."),
        )
    return form


def allowed(request: HttpRequest, methods: set[str]) -> None:
    if request.method not in methods:
        raise OpenRosaError(
            _("%(method)s is not used here.") % {"method": request.method},
            status=405,
            headers={"Allow": ", ".join(sorted(methods))},
        )


@openrosa_endpoint
def form_list(request: HttpRequest, slug: str, token: str | None = None) -> HttpResponse:
    allowed(request, {"GET", "HEAD"})
    caller = caller_for(request, slug, token)
    has_media = Exists(FormMedia.objects.filter(version=OuterRef("current_version")))
    forms = (
        forms_fillable(operation=caller.operation, user=caller.user, app_user=caller.app_user)
        .only(
            "form_id",
            "title",
            "current_version__version",
            "current_version__title",
            "current_version__xform_md5",
        )
        .annotate(has_media=has_media)
        .order_by("title", "form_id")
    )
    if wanted := request.GET.get("formID"):
        forms = forms.filter(form_id=wanted)
    listed = []
    for form in forms:
        version: FormVersion = form.current_version  # type: ignore[assignment]
        listed.append(
            ListedForm(
                form_id=form.form_id,
                name=form.title or version.title,
                version=version.version,
                md5=version.xform_md5,
                download_url=caller.url(request, "forms", f"{form.form_id}.xml"),
                manifest_url=(
                    caller.url(request, "forms", form.form_id, "manifest") if form.has_media else ""
                ),
            )
        )
    return xml_response(form_list_xml(listed))


@openrosa_endpoint
def form_download(
    request: HttpRequest, slug: str, form_id: str, token: str | None = None
) -> HttpResponse:
    allowed(request, {"GET", "HEAD"})
    form = reachable_form(caller_for(request, slug, token), form_id, with_xform=True)
    version: FormVersion = form.current_version  # type: ignore[assignment]
    response = xml_response(version.xform)
    response["ETag"] = f'"{version.xform_md5}"'
    return response


@openrosa_endpoint
def form_manifest(
    request: HttpRequest, slug: str, form_id: str, token: str | None = None
) -> HttpResponse:
    allowed(request, {"GET", "HEAD"})
    caller = caller_for(request, slug, token)
    form = reachable_form(caller, form_id)
    media = FormMedia.objects.filter(version_id=form.current_version_id).order_by("filename")
    return xml_response(
        manifest_xml(
            ListedMedia(
                filename=item.filename,
                md5=item.md5,
                download_url=caller.url(
                    request, "forms", form.form_id, "media", str(item.version_id), item.filename
                ),
            )
            for item in media
        )
    )


@openrosa_endpoint
def form_media(
    request: HttpRequest,
    slug: str,
    form_id: str,
    version_pk: int,
    filename: str,
    token: str | None = None,
) -> HttpResponseBase:
    allowed(request, {"GET", "HEAD"})
    form = reachable_form(caller_for(request, slug, token), form_id)
    item = FormMedia.objects.filter(
        version_id=version_pk, version__form=form, filename=filename
    ).first()
    if item is None:
        raise OpenRosaError(
            _("The form '%(form)s' has no file %(name)s.") % {"form": form.title, "name": filename},
            status=404,
        )
    try:
        stored = blob_open(item.sha256)
    except FileNotFoundError:
        raise OpenRosaError(
            _("The file %(name)s is missing from the server's storage.") % {"name": filename},
            status=404,
            hint=_("Tell the server admin."),
        ) from None
    response = FileResponse(
        stored,
        content_type=item.content_type or "application/octet-stream",
        as_attachment=True,
        filename=item.filename,
    )
    response["ETag"] = f'"{item.md5}"'
    return response


@openrosa_endpoint
def submission(request: HttpRequest, slug: str, token: str | None = None) -> HttpResponse:
    allowed(request, {"GET", "HEAD", "POST"})
    if request.method != "POST":
        caller_for(request, slug, token)  # a 401 here is how Collect learns to send a password
        response = HttpResponse(status=204)
        response["X-OpenRosa-Accept-Content-Length"] = str(settings.OPENDTM_MAX_SUBMISSION_BYTES)
        return response
    prepare_upload(request)
    caller = caller_for(request, slug, token)
    if caller.user is not None and not can(
        user=caller.user, operation=caller.operation, capability=Capability.SUBMIT
    ):
        raise SubmissionRefused(
            _("Your account may not send forms to %(operation)s.")
            % {"operation": caller.operation.name},
            status=403,
            hint=_("Ask a data manager to give you the enumerator role."),
        )
    files = request.FILES
    xml_file = files.get(XML_FIELD)
    if xml_file is None:
        raise OpenRosaError(
            _("The upload has no form in it (no part named xml_submission_file)."),
            status=400,
            hint=_("Send it from ODK Collect or a web form."),
        )
    attachments = [
        IncomingFile(
            name=upload.name or field,
            content_type=upload.content_type or "",
            chunks=upload.chunks(),
        )
        for field, uploads in files.lists()
        if field != XML_FIELD
        for upload in uploads
    ]
    received = submission_receive(
        operation=caller.operation,
        xml=xml_file.read(),
        attachments=attachments,
        submitted_by=caller.user,
        app_user=caller.app_user,
        device_id=request.GET.get("deviceID", ""),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    messages = {
        "created": _("Thank you: the form was received."),
        "appended": _("Thank you: the files were added to the form already received."),
        "duplicate": _("This form was already received; nothing new was added."),
        "edited": _("Thank you: the edited form was received."),
    }
    return message_response(messages[received.outcome], status=received.status)


@openrosa_endpoint
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    raise OpenRosaError(
        _("Nothing here. ODK Collect's server address looks like %(example)s.")
        % {"example": request.build_absolute_uri("/collect/<operation>")},
        status=404,
    )
