"""The operation dashboard and the JSON it is drawn from, inside an operation's URLs."""

from django.urls import URLPattern, path

from opendtm.web.views import dashboard

ROUND = "dashboard/<str:assessment_type>/<int:number>/"

urlpatterns: list[URLPattern] = [
    path("dashboard/", dashboard.dashboard_page, name="dashboard"),
    path(f"{ROUND}restricted.json", dashboard.dashboard_restricted, name="dashboard-restricted"),
    path(f"{ROUND}table.csv", dashboard.dashboard_csv, name="dashboard-csv"),
    path(f"{ROUND}<slug:part>.json", dashboard.dashboard_data, name="dashboard-data"),
]
