"""Form pages, inside an operation's URLs: /ops/<slug>/forms/..."""

from django.urls import path

from opendtm.web.views import form_templates, forms

# The fixed words (upload, uploads, templates) come before form IDs; the upload service
# refuses them as form IDs.
version = "forms/<str:form_id>/versions/<str:version>/"
urlpatterns = [
    path("forms/", forms.form_index, name="forms"),
    path("forms/upload/", forms.form_upload, name="form-upload"),
    path("forms/uploads/<int:upload_id>/", forms.form_upload_status, name="form-upload-status"),
    path("forms/templates/", form_templates.form_templates, name="form-templates"),
    path(
        "forms/templates/<str:form_id>.xlsx",
        form_templates.form_template_download,
        name="form-template-download",
    ),
    path("forms/<str:form_id>/", forms.form_detail, name="form"),
    path("forms/<str:form_id>/settings/", forms.form_settings, name="form-settings"),
    path("forms/<str:form_id>/state/", forms.form_state, name="form-state"),
    path(f"{version}xform.xml", forms.form_version_xform, name="form-version-xform"),
    path(f"{version}source/", forms.form_version_xlsform, name="form-version-xlsform"),
    path(f"{version}media/", forms.form_media_upload, name="form-media-add"),
    path(f"{version}media/<str:name>", forms.form_version_media, name="form-version-media"),
]
