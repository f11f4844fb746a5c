"""HDX HAPI's IDP path, under /api/v1/ (see api/hapi.py)."""

from django.urls import path

from opendtm.publishing.api.hapi import IdpListApi

urlpatterns = [
    path("affected-people/idps", IdpListApi.as_view(), name="hapi-idps"),
]
