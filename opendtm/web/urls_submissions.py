"""Pages of a form's submissions and their exports, inside /ops/<slug>/."""

from django.urls import URLPattern, path

from opendtm.web.views import submission_exports, submission_round, submissions

PREFIX = "forms/<str:form_id>/submissions/"

urlpatterns: list[URLPattern] = [
    path(PREFIX, submissions.submission_index, name="submissions"),
    path(f"{PREFIX}exports/", submission_exports.export_index, name="submission-exports"),
    path(
        f"{PREFIX}exports/<int:export_id>/",
        submission_exports.export_status,
        name="submission-export",
    ),
    path(
        f"{PREFIX}exports/<int:export_id>/download/",
        submission_exports.export_download,
        name="submission-export-download",
    ),
    path(f"{PREFIX}<int:pk>/", submissions.submission_detail, name="submission"),
    path(f"{PREFIX}<int:pk>/review/", submissions.submission_review_view, name="submission-review"),
    path(f"{PREFIX}<int:pk>/fields/", submissions.submission_edit_view, name="submission-edit"),
    path(
        f"{PREFIX}<int:pk>/round/",
        submission_round.submission_attach_view,
        name="submission-attach",
    ),
    path(
        f"{PREFIX}<int:pk>/versions/<int:version_id>/xml/",
        submissions.submission_version_xml,
        name="submission-version-xml",
    ),
    path(
        f"{PREFIX}<int:pk>/attachments/<str:name>",
        submissions.submission_attachment,
        name="submission-attachment",
    ),
]
