from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("opendtm.accounts.api_urls")),
    path("", include("opendtm.geo.api_urls")),
    path("", include("opendtm.collection.api.form_urls")),
    path("", include("opendtm.collection.api.submission_urls")),
    path("", include("opendtm.tracking.api.urls")),
    path("", include("opendtm.publishing.api.hapi_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
