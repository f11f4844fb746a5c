"""Tracking API: /api/v1/operations/<slug>/rounds/..."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
