from django.urls import path

from opendtm.accounts.api.audit import AuditExportApi, AuditListApi
from opendtm.accounts.api.members import MemberDeleteApi, MemberListCreateApi
from opendtm.accounts.api.operations import MeApi, OperationDetailApi, OperationListCreateApi
from opendtm.accounts.api.tokens import TokenListCreateApi, TokenRevokeApi

operation = "operations/<slug:slug>/"

urlpatterns = [
    path("me/", MeApi.as_view(), name="api-me"),
    path("tokens/", TokenListCreateApi.as_view(), name="api-token-list"),
    path("tokens/<int:token_id>/", TokenRevokeApi.as_view(), name="api-token-detail"),
    path("operations/", OperationListCreateApi.as_view(), name="api-operation-list"),
    path(operation, OperationDetailApi.as_view(), name="api-operation-detail"),
    path(f"{operation}members/", MemberListCreateApi.as_view(), name="api-member-list"),
    path(
        f"{operation}members/<int:membership_id>/",
        MemberDeleteApi.as_view(),
        name="api-member-detail",
    ),
    path(f"{operation}audit/", AuditListApi.as_view(), name="api-audit-list"),
    path(f"{operation}audit/export.csv", AuditExportApi.as_view(), name="api-audit-export"),
]
