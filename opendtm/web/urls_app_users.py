"""App users (devices with a token in their server URL) and a user's own ODK Collect setup."""

from django.urls import URLPattern, path

from opendtm.web.views import app_users

urlpatterns: list[URLPattern] = [
    path("app-users/", app_users.app_user_index, name="app-users"),
    path(
        "app-users/<int:app_user_id>/revoke/",
        app_users.app_user_revoke_view,
        name="app-user-revoke",
    ),
    path(
        "app-users/<int:app_user_id>/regenerate/",
        app_users.app_user_regenerate_view,
        name="app-user-regenerate",
    ),
    path(
        "app-users/<int:app_user_id>/forms/",
        app_users.app_user_forms_view,
        name="app-user-forms",
    ),
    path("collect-setup/", app_users.collect_setup, name="collect-setup"),
]
