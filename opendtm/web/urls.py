from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

from opendtm.web.views import areas, audit, imports, members, operations, sites, tokens

app_name = "web"

operation_urls: list[URLPattern | URLResolver] = [
    path("", operations.overview, name="operation"),
    path("settings/", operations.operation_settings, name="operation-settings"),
    path("areas/", areas.area_tree, name="areas"),
    path("areas/import/", areas.area_import, name="areas-import"),
    path("areas/<str:pcode>/", areas.area_detail, name="area"),
    path("areas/<str:pcode>/children/", areas.area_children, name="area-children"),
    path("imports/<str:kind>/<int:job_id>/", imports.import_status, name="import"),
    path("sites/", sites.site_index, name="sites"),
    path("sites/new/", sites.site_new, name="site-new"),
    path("sites/import/", sites.site_import, name="sites-import"),
    path("sites/matches/", sites.site_matches, name="site-matches"),
    path("sites/matches/<int:match_id>/", sites.site_match_decide, name="site-match-decide"),
    path("sites/<str:code>/", sites.site_detail, name="site"),
    path("sites/<str:code>/edit/", sites.site_edit, name="site-edit"),
    path("members/", members.member_index, name="members"),
    path("members/<int:membership_id>/remove/", members.member_remove_view, name="member-remove"),
    path("audit/", audit.audit_index, name="audit"),
    path("audit/export.csv", audit.audit_export, name="audit-export"),
    # Collection pages, one module each: forms, submissions, app users, web forms.
    path("", include("opendtm.web.urls_forms")),
    path("", include("opendtm.web.urls_submissions")),
    path("", include("opendtm.web.urls_app_users")),
    path("", include("opendtm.web.urls_webforms")),
    # Tracking pages: rounds and their issues; figures and the form mapping editor.
    path("", include("opendtm.web.urls_rounds")),
    path("", include("opendtm.web.urls_figures")),
    path("", include("opendtm.web.urls_sharing_keys")),  # subscription keys to the public API
    path("", include("opendtm.web.urls_round_report")),  # a round's PDF situation report
    path("", include("opendtm.web.urls_round_sharing")),  # a round's files, public and restricted
    path("", include("opendtm.web.urls_dashboard")),  # the dashboard: map, charts, table
]

urlpatterns = [
    path("", operations.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(template_name="web/password.html", success_url="/"),
        name="password",
    ),
    path("account/tokens/", tokens.token_index, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", tokens.token_revoke_view, name="token-revoke"),
    path("ops/new/", operations.operation_new, name="operation-new"),
    path("ops/<slug:slug>/", include(operation_urls)),
]
