"""OpenRosa routes, under /collect/: one set per operation, and the same behind an app token.

Anything else under /collect/ still answers as OpenRosa (404 with the headers Collect needs
to show the message), never with an HTML page or a redirect.
"""

from django.urls import URLPattern, include, path, re_path

from opendtm.collection.openrosa import views

app_name = "openrosa"

routes: list[URLPattern] = [
    path("formList", views.form_list, name="form-list"),
    path("forms/<str:form_id>.xml", views.form_download, name="form-download"),
    path("forms/<str:form_id>/manifest", views.form_manifest, name="form-manifest"),
    path(
        "forms/<str:form_id>/media/<int:version_pk>/<str:filename>",
        views.form_media,
        name="form-media",
    ),
    path("submission", views.submission, name="submission"),
]

urlpatterns = [
    path("key/<str:token>/<slug:slug>/", include((routes, "key"), namespace="key")),
    path("<slug:slug>/", include((routes, "user"), namespace="user")),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not-found"),
]
