"""The public dashboard: no sign-in, only where the operation allows it."""

from django.urls import URLPattern, path

from opendtm.web.views import public

app_name = "public"

ROUND = "<slug:slug>/rounds/<str:assessment_type>/<int:number>/"

urlpatterns: list[URLPattern] = [
    path("<slug:slug>/", public.public_page, name="latest"),
    path(ROUND, public.public_page, name="round"),
    path(f"{ROUND}table.csv", public.public_csv, name="csv"),
    path(f"{ROUND}<slug:part>.json", public.public_data, name="data"),
]
