"""Web forms: filling a form and editing a submission in the browser (ODK Web Forms)."""

from django.urls import URLPattern, path

from opendtm.web.views import webforms

urlpatterns: list[URLPattern] = [
    path("forms/<str:form_id>/fill/", webforms.webform_fill, name="webform-fill"),
    path("forms/<str:form_id>/fill/form.xml", webforms.webform_xform, name="webform-xform"),
    path(
        "forms/<str:form_id>/fill/media/<str:filename>",
        webforms.webform_media,
        name="webform-media",
    ),
    path(
        "forms/<str:form_id>/submissions/<int:pk>/edit/",
        webforms.webform_edit,
        name="webform-edit",
    ),
    path(
        "forms/<str:form_id>/submissions/<int:pk>/edit/form.xml",
        webforms.webform_edit_xform,
        name="webform-edit-xform",
    ),
    path(
        "forms/<str:form_id>/submissions/<int:pk>/edit/media/<str:filename>",
        webforms.webform_edit_media,
        name="webform-edit-media",
    ),
    path(
        "forms/<str:form_id>/submissions/<int:pk>/edit/instance.xml",
        webforms.webform_edit_instance,
        name="webform-edit-instance",
    ),
    path(
        "forms/<str:form_id>/submissions/<int:pk>/edit/files/<str:filename>",
        webforms.webform_edit_attachment,
        name="webform-edit-attachment",
    ),
]
