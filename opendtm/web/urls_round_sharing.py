"""A published round's Share section and its downloads, inside an operation's URLs."""

from django.urls import URLPattern, path

from opendtm.web.views import round_sharing

SHARE = "rounds/<str:assessment_type>/<int:number>/share/"

urlpatterns: list[URLPattern] = [
    path(SHARE, round_sharing.round_share, name="round-share"),
    path(f"{SHARE}<str:level>.<str:format>", round_sharing.round_export, name="round-export"),
    path(
        f"{SHARE}rounds/<str:level>.<str:format>",
        round_sharing.round_series,
        name="round-series",
    ),
    path(f"{SHARE}schema/<str:level>.csv", round_sharing.round_schema, name="round-schema"),
    path(
        f"{SHARE}restricted/<str:level>.<str:format>",
        round_sharing.round_restricted,
        name="round-restricted",
    ),
]
