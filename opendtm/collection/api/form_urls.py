from django.urls import path

from opendtm.collection.api.form_uploads import FormUploadDetailApi, FormUploadListCreateApi
from opendtm.collection.api.forms import (
    FormDetailApi,
    FormListApi,
    FormMediaFileApi,
    FormMediaListApi,
    FormVersionXformApi,
    FormVersionXlsformApi,
)

forms = "operations/<slug:slug>/forms/"
version = f"{forms}<str:form_id>/versions/<str:version>/"

# The fixed word "uploads" comes before the form ID pattern; no form may be named so.
urlpatterns = [
    path(forms, FormListApi.as_view(), name="api-form-list"),
    path(f"{forms}uploads/", FormUploadListCreateApi.as_view(), name="api-form-upload-list"),
    path(
        f"{forms}uploads/<int:upload_id>/",
        FormUploadDetailApi.as_view(),
        name="api-form-upload-detail",
    ),
    path(f"{forms}<str:form_id>/", FormDetailApi.as_view(), name="api-form-detail"),
    path(f"{version}xform/", FormVersionXformApi.as_view(), name="api-form-version-xform"),
    path(f"{version}xlsform/", FormVersionXlsformApi.as_view(), name="api-form-version-xlsform"),
    path(f"{version}media/", FormMediaListApi.as_view(), name="api-form-media-list"),
    path(f"{version}media/<str:name>", FormMediaFileApi.as_view(), name="api-form-media-file"),
]
