"""The indicator mapping of a form version: shown to form readers, edited by form managers."""

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.collection.models import Form, FormVersion
from opendtm.collection.selectors.forms import form_get, form_version_get, form_versions
from opendtm.core.errors import ApplicationError, NotFound
from opendtm.tracking.selectors.mapping import MappingEditor, mapping_editor
from opendtm.tracking.services.mapping_edits import MappingSpec, mapping_save
from opendtm.web.views.base import SignedInRequest, page, refusal
from opendtm.web.views.forms import forms_page


@forms_page
def form_mapping(request: SignedInRequest, operation: Operation, form_id: str) -> HttpResponse:
    form = form_get(user=request.user, operation=operation, form_id=form_id)
    version = chosen_version(request, form)
    if request.method != "POST":
        editor = mapping_editor(user=request.user, form_version=version)
        return mapping_page(request, operation, form, editor)
    require(user=request.user, operation=operation, capability=Capability.MANAGE_FORMS)
    specs = posted_specs(request.POST)
    try:
        mapping_save(actor=request.user, form_version=version, rows=specs)
    except ApplicationError as error:
        editor = mapping_editor(
            user=request.user, form_version=version, entered=specs, problems=error.problems
        )
        return mapping_page(request, operation, form, editor, error)
    messages.success(
        request,
        _(
            "Mapping of version %(version)s saved; the figures of its approved submissions are "
            "being rewritten in the background."
        )
        % {"version": version.version},
    )
    address = reverse("web:form-mapping", kwargs={"slug": operation.slug, "form_id": form_id})
    return redirect(f"{address}?version={version.version}")


def chosen_version(request: SignedInRequest, form: Form) -> FormVersion:
    """The version named in ?version=, or the current one."""
    wanted = request.GET.get("version", "").strip()
    if wanted:
        return form_version_get(user=request.user, form=form, version=wanted)
    if form.current_version is None:
        raise NotFound(_("%(form)s has no published version yet.") % {"form": form.form_id})
    return form.current_version


def posted_specs(data: QueryDict) -> list[MappingSpec]:
    """One spec per posted question path; the other columns are read in the same order."""
    columns = {name: data.getlist(name) for name in ("indicator", "sex", "age", "value")}

    def at(name: str, index: int) -> str:
        values = columns[name]
        return values[index] if index < len(values) else ""

    return [
        MappingSpec(path, *(at(name, index) for name in ("indicator", "sex", "age", "value")))
        for index, path in enumerate(data.getlist("path"))
    ]


def mapping_page(
    request: SignedInRequest,
    operation: Operation,
    form: Form,
    editor: MappingEditor,
    error: ApplicationError | None = None,
) -> HttpResponse:
    context = {
        "form": form,
        "editor": editor,
        "versions": form_versions(user=request.user, form=form),
    }
    if error is not None:
        context.update(refusal(error))
    return page(request, operation, "web/mapping/form.html", context, status=400 if error else 200)
