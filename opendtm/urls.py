from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("opendtm.api_urls")),
    path("", include("opendtm.web.urls")),
]
