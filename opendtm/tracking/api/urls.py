"""Tracking API: /api/v1/operations/<slug>/rounds/..., figures, indicators and settings."""

from django.urls import path

from opendtm.tracking.api.figures import AreaTimeSeriesApi, LatestFigureListApi, RoundFigureListApi
from opendtm.tracking.api.indicators import IndicatorDetailApi, IndicatorListCreateApi
from opendtm.tracking.api.issues import IssueExplainApi, IssueListApi
from opendtm.tracking.api.round_actions import (
    RoundAttachApi,
    RoundCorrectApi,
    RoundMoveApi,
    RoundPublishApi,
    RoundValidateApi,
)
from opendtm.tracking.api.rounds import RoundDetailApi, RoundListCreateApi
from opendtm.tracking.api.tracking_settings import TrackingSettingsApi

operation = "operations/<slug:slug>/"
rounds = f"{operation}rounds/"
one = f"{rounds}<str:assessment_type>/<int:number>/"

urlpatterns = [
    path(rounds, RoundListCreateApi.as_view(), name="api-round-list"),
    path(one, RoundDetailApi.as_view(), name="api-round-detail"),
    path(f"{one}move/", RoundMoveApi.as_view(), name="api-round-move"),
    path(f"{one}validate/", RoundValidateApi.as_view(), name="api-round-validate"),
    path(f"{one}publish/", RoundPublishApi.as_view(), name="api-round-publish"),
    path(f"{one}correct/", RoundCorrectApi.as_view(), name="api-round-correct"),
    path(f"{one}attach/", RoundAttachApi.as_view(), name="api-round-attach"),
    path(f"{one}issues/", IssueListApi.as_view(), name="api-round-issue-list"),
    path(
        f"{one}issues/<int:issue_id>/explain/",
        IssueExplainApi.as_view(),
        name="api-round-issue-explain",
    ),
    path(f"{one}figures/", RoundFigureListApi.as_view(), name="api-round-figures"),
    path(f"{operation}figures/latest/", LatestFigureListApi.as_view(), name="api-figures-latest"),
    path(
        f"{operation}areas/<str:pcode>/time-series/",
        AreaTimeSeriesApi.as_view(),
        name="api-area-time-series",
    ),
    path(f"{operation}indicators/", IndicatorListCreateApi.as_view(), name="api-indicator-list"),
    path(
        f"{operation}indicators/<slug:code>/",
        IndicatorDetailApi.as_view(),
        name="api-indicator-detail",
    ),
    path(
        f"{operation}tracking-settings/",
        TrackingSettingsApi.as_view(),
        name="api-tracking-settings",
    ),
]
