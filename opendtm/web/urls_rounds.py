"""Round pages, inside an operation's URLs: /ops/<slug>/rounds/..., and tracking settings."""

from django.urls import URLPattern, path

from opendtm.web.views import round_issues, rounds, tracking_settings

ROUND = "rounds/<str:assessment_type>/<int:number>/"

urlpatterns: list[URLPattern] = [
    path("rounds/", rounds.round_list_view, name="rounds"),
    path(ROUND, rounds.round_detail, name="round"),
    path(f"{ROUND}coverage/", rounds.round_coverage_map, name="round-coverage"),
    path(f"{ROUND}move/", rounds.round_move_view, name="round-move"),
    path(f"{ROUND}publish/", rounds.round_publish_view, name="round-publish"),
    path(f"{ROUND}correct/", rounds.round_correct_view, name="round-correct"),
    path(f"{ROUND}issues/", round_issues.round_issues, name="round-issues"),
    path(f"{ROUND}validate/", round_issues.round_validate_view, name="round-validate"),
    path(
        f"{ROUND}issues/<int:pk>/explain/",
        round_issues.issue_explain_view,
        name="issue-explain",
    ),
    path("tracking/settings/", tracking_settings.settings_page, name="tracking-settings"),
    path("tracking/indicators/new/", tracking_settings.indicator_new, name="indicator-new"),
    path(
        "tracking/indicators/<str:code>/", tracking_settings.indicator_edit, name="indicator-edit"
    ),
    path(
        "tracking/indicators/<str:code>/delete/",
        tracking_settings.indicator_delete_view,
        name="indicator-delete",
    ),
]
