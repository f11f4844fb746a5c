"""Figures pages and the form mapping editor, inside an operation's URLs."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
