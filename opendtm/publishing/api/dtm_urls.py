"""IOM's DTM API v3 paths, under /v3/displacement/ (see api/dtm.py)."""

from django.urls import path

from opendtm.publishing.api.dtm import (
    CountryListApi,
    IdpAdmin0Api,
    IdpAdmin1Api,
    IdpAdmin2Api,
    OperationListApi,
)

urlpatterns = [
    path("admin0", IdpAdmin0Api.as_view(), name="dtm-admin0"),
    path("admin1", IdpAdmin1Api.as_view(), name="dtm-admin1"),
    path("admin2", IdpAdmin2Api.as_view(), name="dtm-admin2"),
    path("country-list", CountryListApi.as_view(), name="dtm-country-list"),
    path("operation-list", OperationListApi.as_view(), name="dtm-operation-list"),
]
