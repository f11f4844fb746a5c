from django.urls import path

from opendtm.geo.api.areas import AreaDetailApi, AreaGeojsonApi, AreaListApi
from opendtm.geo.api.imports import (
    AreaImportDetailApi,
    AreaImportListCreateApi,
    SiteImportDetailApi,
    SiteImportListCreateApi,
)
from opendtm.geo.api.sites import (
    SiteDetailApi,
    SiteGeojsonApi,
    SiteListCreateApi,
    SiteMatchDecideApi,
    SiteMatchListApi,
)

areas = "operations/<slug:slug>/areas/"
sites = "operations/<slug:slug>/sites/"

# Fixed words (geojson, imports, matches) come before the p-code and site code patterns.
urlpatterns = [
    path(areas, AreaListApi.as_view(), name="api-area-list"),
    path(f"{areas}geojson/", AreaGeojsonApi.as_view(), name="api-area-geojson"),
    path(f"{areas}imports/", AreaImportListCreateApi.as_view(), name="api-area-import-list"),
    path(
        f"{areas}imports/<int:job_id>/",
        AreaImportDetailApi.as_view(),
        name="api-area-import-detail",
    ),
    path(f"{areas}<str:pcode>/", AreaDetailApi.as_view(), name="api-area-detail"),
    path(sites, SiteListCreateApi.as_view(), name="api-site-list"),
    path(f"{sites}geojson/", SiteGeojsonApi.as_view(), name="api-site-geojson"),
    path(f"{sites}imports/", SiteImportListCreateApi.as_view(), name="api-site-import-list"),
    path(
        f"{sites}imports/<int:job_id>/",
        SiteImportDetailApi.as_view(),
        name="api-site-import-detail",
    ),
    path(f"{sites}matches/", SiteMatchListApi.as_view(), name="api-site-match-list"),
    path(
        f"{sites}matches/<int:match_id>/",
        SiteMatchDecideApi.as_view(),
        name="api-site-match-detail",
    ),
    # Site codes may hold slashes (BOR/MAI/001): the path converter takes them whole.
    path(f"{sites}<path:code>/", SiteDetailApi.as_view(), name="api-site-detail"),
]
