from django.urls import include, path

from opendtm.web.views.health import health

urlpatterns = [
    path("healthz", health, name="health"),
    path("api/v1/", include("opendtm.api_urls")),
    path("v3/displacement/", include("opendtm.publishing.api.dtm_urls")),  # IOM's DTM API v3
    path("i18n/", include("django.conf.urls.i18n")),
    path("collect/", include("opendtm.collection.openrosa.urls")),
    path("public/", include("opendtm.web.urls_public")),  # public dashboards, no sign-in
    path("", include("opendtm.web.urls")),
]
