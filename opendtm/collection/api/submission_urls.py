from django.urls import path

from opendtm.collection.api.exports import (
    SubmissionExportDetailApi,
    SubmissionExportDownloadApi,
    SubmissionExportListApi,
)
from opendtm.collection.api.submissions import (
    SubmissionAttachmentApi,
    SubmissionAttachmentListApi,
    SubmissionDetailApi,
    SubmissionListApi,
    SubmissionReviewListApi,
    SubmissionVersionListApi,
    SubmissionVersionXmlApi,
)

submissions = "operations/<slug:slug>/forms/<str:form_id>/submissions/"
one = f"{submissions}<int:pk>/"

# The fixed word "exports" comes before the submission id pattern.
urlpatterns = [
    path(submissions, SubmissionListApi.as_view(), name="api-submission-list"),
    path(
        f"{submissions}exports/",
        SubmissionExportListApi.as_view(),
        name="api-submission-export-list",
    ),
    path(
        f"{submissions}exports/<int:export_id>/",
        SubmissionExportDetailApi.as_view(),
        name="api-submission-export-detail",
    ),
    path(
        f"{submissions}exports/<int:export_id>/download/",
        SubmissionExportDownloadApi.as_view(),
        name="api-submission-export-download",
    ),
    path(one, SubmissionDetailApi.as_view(), name="api-submission-detail"),
    path(f"{one}versions/", SubmissionVersionListApi.as_view(), name="api-submission-versions"),
    path(
        f"{one}versions/<int:version_id>/xml/",
        SubmissionVersionXmlApi.as_view(),
        name="api-submission-version-xml",
    ),
    path(
        f"{one}attachments/",
        SubmissionAttachmentListApi.as_view(),
        name="api-submission-attachment-list",
    ),
    path(
        f"{one}attachments/<str:name>",
        SubmissionAttachmentApi.as_view(),
        name="api-submission-attachment",
    ),
    path(f"{one}reviews/", SubmissionReviewListApi.as_view(), name="api-submission-reviews"),
]
