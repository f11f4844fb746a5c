"""Round pages, inside an operation's URLs: /ops/<slug>/rounds/..."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
