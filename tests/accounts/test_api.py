"""The accounts REST API: operations, me, members, the audit log and API tokens."""

import csv
import datetime
import io

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from opendtm.accounts.models import ApiToken, AuditEvent, Membership, User
from opendtm.accounts.roles import Capability, Role
from opendtm.accounts.services.audit import Action
from opendtm.accounts.services.tokens import token_create, token_revoke
from tests.factories import MembershipFactory, OperationFactory, UserFactory, api_key_for
from tests.query_counts import assert_queries_do_not_grow

API = "/api/v1"


@pytest.fixture
def client_for(db):
    """client_for(user) -> an APIClient that sends a fresh API token of that user."""

    def make(user: User, scheme: str = "Token") -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"{scheme} {api_key_for(user)}")
        return client

    return make


@pytest.fixture
def admin_api(client_for, admin_user):
    return client_for(admin_user)


def assert_refused(response, status: int = 400) -> dict:
    """A refusal in the one error shape: message, hint and problems with their fields."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"message", "hint", "problems"}
    for problem in body["problems"]:
        assert set(problem) == {"message", "where", "field", "hint"}
    return body


# Authentication


def test_an_anonymous_request_is_asked_to_authenticate(operation):
    response = APIClient().get(f"{API}/operations/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "token", "bearer"])
def test_a_token_authenticates_with_either_keyword(client_for, admin_user, operation, scheme):
    response = client_for(admin_user, scheme).get(f"{API}/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "opadmin"


def test_token_use_is_recorded_as_last_used(admin_user, operation):
    token, key = token_create(user=admin_user, name="script")
    assert token.last_used_at is None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(f"{API}/me/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < datetime.timedelta(minutes=1)


@pytest.mark.parametrize(
    "header",
    [
        "Token odtm_000000000000_wrong",
        "Token not-a-key-at-all",
        "Bearer",
        "Token a b",
    ],
)
def test_unknown_or_malformed_tokens_are_refused(operation, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get(f"{API}/me/").status_code == 401


def test_a_revoked_token_is_refused(admin_user, operation):
    token, key = token_create(user=admin_user, name="script")
    token_revoke(actor=admin_user, token=token)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(f"{API}/me/").status_code == 401


def test_an_expired_token_is_refused(admin_user, operation):
    token, key = token_create(
        user=admin_user, name="script", expires_at=timezone.now() + datetime.timedelta(hours=1)
    )
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(f"{API}/me/").status_code == 401


def test_a_token_of_a_deactivated_user_is_refused(admin_user, operation):
    key = api_key_for(admin_user)
    User.objects.filter(pk=admin_user.pk).update(is_active=False)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get(f"{API}/me/").status_code == 401


# Me and operations


def test_me_lists_my_operations_with_my_roles(client_for, member, operation, other_operation):
    user = member(Role.ENUMERATOR, operation, "fieldworker")
    MembershipFactory(user=user, operation=operation, role=Role.PROTECTION_OFFICER)
    body = client_for(user).get(f"{API}/me/").json()
    assert body["username"] == "fieldworker"
    assert body["is_superuser"] is False
    [mine] = body["operations"]
    assert mine["slug"] == "nga-ne"
    assert mine["roles"] == ["enumerator", "protection_officer"]
    assert Capability.VIEW_PROTECTION in mine["capabilities"]
    assert Capability.MANAGE_SITES not in mine["capabilities"]


def test_operation_list_shows_only_my_operations_with_roles(
    client_for, member, operation, other_operation
):
    viewer = member(Role.VIEWER, operation)
    body = client_for(viewer).get(f"{API}/operations/").json()
    assert body["count"] == 1
    [item] = body["results"]
    assert item["slug"] == "nga-ne"
    assert item["roles"] == ["viewer"]
    assert sorted(item["capabilities"]) == ["view_areas", "view_published"]
    assert item["pcode_prefix"] == "NG"


def test_a_superuser_lists_every_operation_without_protection_data(
    client_for, superuser, operation, other_operation
):
    body = client_for(superuser).get(f"{API}/operations/").json()
    assert {item["slug"] for item in body["results"]} == {"nga-ne", "sdn"}
    for item in body["results"]:
        assert item["roles"] == []
        assert Capability.MANAGE_USERS in item["capabilities"]
        assert Capability.VIEW_PROTECTION not in item["capabilities"]


def test_operation_list_queries_do_not_grow_with_operations(
    django_assert_max_num_queries, client_for
):
    user = UserFactory(username="many")
    MembershipFactory(user=user, operation=OperationFactory(), role=Role.VIEWER)

    def add_rows(numbers):
        for _ in numbers:
            operation = OperationFactory()
            MembershipFactory(user=user, operation=operation, role=Role.VIEWER)
            MembershipFactory(user=user, operation=operation, role=Role.ENUMERATOR)

    body = assert_queries_do_not_grow(
        django_assert_max_num_queries,
        client_for(user),
        f"{API}/operations/",
        add_rows,
        ceiling=5,
    )
    assert body["count"] == 32
    assert all(item["roles"] for item in body["results"])


def test_me_queries_do_not_grow_with_operations(django_assert_max_num_queries, client_for):
    user = UserFactory(username="many")
    MembershipFactory(user=user, operation=OperationFactory(), role=Role.VIEWER)

    def add_rows(numbers):
        for _ in numbers:
            MembershipFactory(user=user, operation=OperationFactory(), role=Role.VIEWER)

    body = assert_queries_do_not_grow(
        django_assert_max_num_queries, client_for(user), f"{API}/me/", add_rows, ceiling=4
    )
    assert len(body["operations"]) == 32


def test_a_superuser_creates_an_operation(client_for, superuser):
    response = client_for(superuser).post(
        f"{API}/operations/",
        {"name": "Sudan Darfur", "country": "Sudan", "admin_level_names": ["Country", "State"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "sudan-darfur"
    assert (body["country_iso3"], body["country_iso2"]) == ("SDN", "SD")
    assert AuditEvent.objects.filter(
        action=Action.CREATE, object_type="accounts.operation"
    ).exists()


def test_only_a_superuser_creates_operations(admin_api):
    response = admin_api.post(
        f"{API}/operations/",
        {"name": "Chad", "country": "TCD", "admin_level_names": ["Country"]},
        format="json",
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "X", "country": "Atlantis", "admin_level_names": ["Country"]}, ""),
        ({"name": "X", "country": "NGA", "admin_level_names": []}, "admin_level_names"),
        ({"name": "X", "country": "NGA", "admin_level_names": "Country"}, "admin_level_names"),
        ({"country": "NGA", "admin_level_names": ["Country"]}, "name"),
        (
            {"name": "X", "country": "NGA", "admin_level_names": ["C"], "pcode_style": "iso4"},
            "pcode_style",
        ),
        (
            {"name": "X", "country": "NGA", "admin_level_names": ["C"], "suppression_threshold": 0},
            "suppression_threshold",
        ),
        ({"name": "X", "country": "NGA", "admin_level_names": ["C"], "colour": "red"}, "colour"),
    ],
)
def test_operation_create_refuses_bad_input(client_for, superuser, payload, field):
    body = assert_refused(client_for(superuser).post(f"{API}/operations/", payload, format="json"))
    if field:
        assert field in {problem["field"] for problem in body["problems"]}


def test_a_taken_slug_is_refused(client_for, superuser, operation):
    body = assert_refused(
        client_for(superuser).post(
            f"{API}/operations/",
            {"name": "Nigeria", "slug": "nga-ne", "country": "NGA", "admin_level_names": ["C"]},
            format="json",
        )
    )
    assert "nga-ne" in body["message"]


def test_operation_detail_includes_my_roles(client_for, member, operation):
    manager = member(Role.DATA_MANAGER, operation)
    body = client_for(manager).get(f"{API}/operations/nga-ne/").json()
    assert body["name"] == "Nigeria North-East"
    assert body["roles"] == ["data_manager"]
    assert Capability.MANAGE_SITES in body["capabilities"]


def test_an_operation_i_do_not_belong_to_is_not_found(
    client_for, member, operation, other_operation
):
    viewer = member(Role.VIEWER, operation)
    assert client_for(viewer).get(f"{API}/operations/sdn/").status_code == 404
    assert client_for(viewer).get(f"{API}/operations/nowhere/").status_code == 404


def test_an_operation_admin_updates_the_operation(admin_api, operation):
    response = admin_api.patch(
        f"{API}/operations/nga-ne/",
        {"suppression_threshold": 10, "admin_level_names": ["Country", "State", "LGA"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    operation.refresh_from_db()
    assert operation.suppression_threshold == 10
    assert operation.admin_level_names == ["Country", "State", "LGA"]
    event = AuditEvent.objects.get(action=Action.UPDATE, object_type="accounts.operation")
    assert event.after["suppression_threshold"] == 10


def test_a_data_manager_cannot_update_the_operation(client_for, member, operation):
    manager = member(Role.DATA_MANAGER, operation)
    response = client_for(manager).patch(
        f"{API}/operations/nga-ne/", {"name": "Renamed"}, format="json"
    )
    assert response.status_code == 403
    operation.refresh_from_db()
    assert operation.name == "Nigeria North-East"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"country_iso3": "SDN"}, "country_iso3"),
        ({"suppression_threshold": "many"}, "suppression_threshold"),
        ({"default_language": "xx"}, "default_language"),
        ({"admin_level_names": [" ", ""]}, ""),
    ],
)
def test_operation_update_refuses_bad_input(admin_api, operation, payload, field):
    body = assert_refused(admin_api.patch(f"{API}/operations/nga-ne/", payload, format="json"))
    if field:
        assert [problem["field"] for problem in body["problems"]] == [field]
        assert body["problems"][0]["where"] == "request body"


def test_malformed_json_is_refused_in_the_error_shape(admin_api, operation):
    response = admin_api.patch(
        f"{API}/operations/nga-ne/", data="{not json", content_type="application/json"
    )
    body = assert_refused(response)
    assert "JSON" in body["message"] or "JSON" in body["hint"]
    literal_null = admin_api.patch(
        f"{API}/operations/nga-ne/", data="null", content_type="application/json"
    )
    assert_refused(literal_null)


@pytest.mark.parametrize("payload", [[], "text", 3])
def test_a_body_that_is_not_an_object_is_refused(admin_api, operation, payload):
    assert_refused(admin_api.patch(f"{API}/operations/nga-ne/", payload, format="json"))


# Members


@pytest.fixture
def team(member, operation):
    return {
        "manager": member(Role.DATA_MANAGER, operation, "manager"),
        "viewer": member(Role.VIEWER, operation, "viewer"),
    }


def test_an_admin_lists_members_with_their_roles(admin_api, team, operation):
    response = admin_api.get(f"{API}/operations/nga-ne/members/")
    assert response.status_code == 200
    members = {item["username"]: item for item in response.json()}
    assert set(members) == {"opadmin", "manager", "viewer"}
    [membership] = members["manager"]["memberships"]
    assert membership["role"] == "data_manager"
    assert membership["id"] == Membership.objects.get(user__username="manager").pk


def test_reading_the_member_list_is_audited(admin_api, team, operation):
    admin_api.get(f"{API}/operations/nga-ne/members/")
    event = AuditEvent.objects.get(action=Action.READ, object_type="accounts.membership")
    assert event.actor_name == "opadmin"
    assert event.operation == operation


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ENUMERATOR, Role.DATA_MANAGER])
def test_only_user_managers_see_members(client_for, member, operation, role):
    user = member(role, operation)
    assert client_for(user).get(f"{API}/operations/nga-ne/members/").status_code == 403
    assert not AuditEvent.objects.filter(action=Action.READ).exists()


def test_member_list_queries_do_not_grow_with_members(
    django_assert_max_num_queries, admin_api, member, operation
):
    def add_rows(numbers):
        for _ in numbers:
            user = member(Role.VIEWER, operation)
            MembershipFactory(user=user, operation=operation, role=Role.ENUMERATOR)

    body = assert_queries_do_not_grow(
        django_assert_max_num_queries,
        admin_api,
        f"{API}/operations/nga-ne/members/",
        add_rows,
        ceiling=7,
    )
    assert len(body) == 32


def test_adding_a_new_username_creates_the_account_and_shows_its_password_once(
    admin_api, operation
):
    response = admin_api.post(
        f"{API}/operations/nga-ne/members/",
        {
            "username": "amina",
            "email": "amina@example.org",
            "full_name": "Amina Bello",
            "roles": ["enumerator", "viewer"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] is True
    assert body["full_name"] == "Amina Bello"
    assert sorted(item["role"] for item in body["memberships"]) == ["enumerator", "viewer"]
    assert APIClient().login(username="amina", password=body["password"])


def test_adding_an_existing_username_grants_roles_without_a_password(
    admin_api, operation, other_operation, member
):
    existing = member(Role.VIEWER, other_operation, "fatima")
    response = admin_api.post(
        f"{API}/operations/nga-ne/members/",
        {"username": "Fatima", "roles": ["data_manager"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["created"], body["password"], body["username"]) == (False, "", "fatima")
    assert Membership.objects.filter(
        user=existing, operation=operation, role=Role.DATA_MANAGER
    ).exists()


def test_an_operation_admin_cannot_grant_the_protection_role(admin_api, operation):
    response = admin_api.post(
        f"{API}/operations/nga-ne/members/",
        {"username": "newcomer", "roles": ["protection_officer"]},
        format="json",
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="newcomer").exists()


def test_a_data_manager_cannot_add_members(client_for, team, operation):
    response = client_for(team["manager"]).post(
        f"{API}/operations/nga-ne/members/",
        {"username": "newcomer", "roles": ["viewer"]},
        format="json",
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="newcomer").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": "x", "roles": []}, "roles"),
        ({"username": "x", "roles": ["king"]}, "roles.0"),
        ({"username": "x"}, "roles"),
        ({"roles": ["viewer"]}, "username"),
        ({"username": "x", "roles": ["viewer"], "email": "not-an-email"}, "email"),
        ({"username": "bad name!", "roles": ["viewer"]}, "username"),
    ],
)
def test_member_grant_refuses_bad_input(admin_api, operation, payload, field):
    body = assert_refused(
        admin_api.post(f"{API}/operations/nga-ne/members/", payload, format="json")
    )
    assert field in {problem["field"] for problem in body["problems"]}


def test_an_admin_removes_a_role(admin_api, team, operation):
    membership = Membership.objects.get(user=team["viewer"], operation=operation)
    response = admin_api.delete(f"{API}/operations/nga-ne/members/{membership.pk}/")
    assert response.status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(
        action=Action.DELETE, object_type="accounts.membership", object_id=str(membership.pk)
    ).exists()


def test_the_last_operation_admin_cannot_be_removed(admin_api, admin_user, operation):
    membership = Membership.objects.get(user=admin_user, operation=operation)
    body = assert_refused(admin_api.delete(f"{API}/operations/nga-ne/members/{membership.pk}/"))
    assert "last operation admin" in body["message"]
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_removing_an_unknown_membership_is_not_found(admin_api, operation):
    assert admin_api.delete(f"{API}/operations/nga-ne/members/999999/").status_code == 404
    huge = 2**70
    assert admin_api.delete(f"{API}/operations/nga-ne/members/{huge}/").status_code == 404


def test_a_viewer_cannot_remove_roles(client_for, team, operation):
    membership = Membership.objects.get(user=team["manager"], operation=operation)
    response = client_for(team["viewer"]).delete(
        f"{API}/operations/nga-ne/members/{membership.pk}/"
    )
    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


# Audit log


def make_event(operation, actor, *, at, action=Action.UPDATE, label="", note=""):
    event = AuditEvent(
        at=at,
        actor=actor,
        actor_name=actor.username,
        operation=operation,
        action=action,
        object_type="geo.site",
        object_label=label,
        note=note,
    )
    event.save()
    return event


def test_the_audit_log_lists_newest_first_with_a_cursor(admin_api, admin_user, operation):
    now = timezone.now()
    for days in range(5):
        make_event(operation, admin_user, at=now - datetime.timedelta(days=days), label=f"d{days}")
    first = admin_api.get(f"{API}/operations/nga-ne/audit/?page_size=2").json()
    assert [item["object_label"] for item in first["results"]] == ["d0", "d1"]
    assert first["previous"] is None
    second = admin_api.get(first["next"]).json()
    assert [item["object_label"] for item in second["results"]] == ["d2", "d3"]


def test_audit_filters(admin_api, admin_user, member, operation):
    now = timezone.now()
    other = member(Role.VIEWER, operation, "other")
    make_event(operation, admin_user, at=now - datetime.timedelta(days=10), label="old")
    make_event(operation, admin_user, at=now, action=Action.DELETE, label="deleted camp")
    make_event(operation, other, at=now, label="by other", note="fixed the name")
    url = f"{API}/operations/nga-ne/audit/"

    def labels(query: str) -> set[str]:
        response = admin_api.get(url + query)
        assert response.status_code == 200, response.content
        return {item["object_label"] for item in response.json()["results"]}

    assert labels("?action=delete") == {"deleted camp"}
    assert labels("?actor=other") == {"by other"}
    assert labels("?q=the+name") == {"by other"}
    since = (now - datetime.timedelta(days=1)).date().isoformat()
    assert "old" not in labels(f"?since={since}")
    until = (now - datetime.timedelta(days=5)).date().isoformat()
    assert labels(f"?until={until}") == {"old"}
    assert "old" in labels("?action=&q=&actor=")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?since=yesterday", "since"),
        ("?until=2024-02-30", "until"),
        ("?action=burn", "action"),
        ("?since=2024-03-01&until=2024-01-01", "until"),
    ],
)
def test_bad_audit_filters_are_refused(admin_api, operation, query, field):
    body = assert_refused(admin_api.get(f"{API}/operations/nga-ne/audit/{query}"))
    assert [problem["field"] for problem in body["problems"]] == [field]
    assert body["problems"][0]["where"] == "query string"


@pytest.mark.parametrize(("cursor", "status"), [("abc", 404), ("%%%", 200), ("cD0x", 404)])
def test_a_broken_cursor_is_not_a_crash(admin_api, operation, cursor, status):
    assert admin_api.get(f"{API}/operations/nga-ne/audit/?cursor={cursor}").status_code == status


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ENUMERATOR, Role.DATA_MANAGER])
def test_only_operation_admins_read_the_audit_log(client_for, member, operation, role):
    client = client_for(member(role, operation))
    assert client.get(f"{API}/operations/nga-ne/audit/").status_code == 403
    assert client.get(f"{API}/operations/nga-ne/audit/export.csv").status_code == 403
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_audit_list_queries_do_not_grow_with_events(
    django_assert_max_num_queries, admin_api, admin_user, operation
):
    def add_rows(numbers):
        for number in numbers:
            actor = UserFactory()
            make_event(operation, actor, at=timezone.now(), label=f"event {number}")

    body = assert_queries_do_not_grow(
        django_assert_max_num_queries,
        admin_api,
        f"{API}/operations/nga-ne/audit/",
        add_rows,
        ceiling=5,
    )
    assert len(body["results"]) >= 30


def read_csv(response) -> list[list[str]]:
    """The rows of a streamed CSV, read to its end: the stream holds a database cursor."""
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_audit_export_is_csv_recorded_and_neutralises_formulas(
    admin_api, admin_user, operation
):
    make_event(
        operation,
        admin_user,
        at=timezone.now() - datetime.timedelta(minutes=1),
        label='=HYPERLINK("http://evil.example","click")',
    )
    response = admin_api.get(f"{API}/operations/nga-ne/audit/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:4] == ["id", "at", "actor", "action"]
    labels = [row[6] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example","click")' in labels
    assert not any(label.startswith("=") for label in labels)
    export = AuditEvent.objects.get(action=Action.EXPORT)
    assert export.actor_name == "opadmin"
    assert export.operation == operation


def test_the_audit_export_answers_csv_whatever_the_accept_header(admin_api, operation):
    response = admin_api.get(f"{API}/operations/nga-ne/audit/export.csv", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert read_csv(response)[0][0] == "id"


def test_the_audit_export_takes_the_list_filters(admin_api, admin_user, operation):
    make_event(operation, admin_user, at=timezone.now(), action=Action.DELETE, label="gone")
    make_event(operation, admin_user, at=timezone.now(), label="kept")
    rows = read_csv(admin_api.get(f"{API}/operations/nga-ne/audit/export.csv?action=delete"))
    assert [row[6] for row in rows[1:]] == ["gone"]
    assert_refused(admin_api.get(f"{API}/operations/nga-ne/audit/export.csv?since=soon"))


def test_the_audit_export_of_an_empty_selection_is_a_header(admin_api, operation):
    rows = read_csv(admin_api.get(f"{API}/operations/nga-ne/audit/export.csv?actor=nobody"))
    assert rows == [
        [
            "id",
            "at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object_label",
            "before",
            "after",
            "note",
        ]
    ]
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == 1


# Tokens


def test_creating_a_token_shows_its_key_once(client_for, admin_user, operation):
    client = client_for(admin_user)
    response = client.post(f"{API}/tokens/", {"name": "nightly sync"}, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["key"].startswith("odtm_")
    listed = client.get(f"{API}/tokens/").json()
    assert "nightly sync" in {token["name"] for token in listed}
    assert all("key" not in token and "digest" not in token for token in listed)
    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Bearer {created['key']}")
    assert fresh.get(f"{API}/me/").json()["username"] == "opadmin"


def test_token_list_queries_do_not_grow_with_tokens(
    django_assert_max_num_queries, client_for, admin_user
):
    def add_rows(numbers):
        for number in numbers:
            token_create(user=admin_user, name=f"script {number}")

    body = assert_queries_do_not_grow(
        django_assert_max_num_queries, client_for(admin_user), f"{API}/tokens/", add_rows, ceiling=3
    )
    assert len(body) == 32  # the client's own token, and 31


def test_i_see_only_my_own_tokens(client_for, admin_user, member, operation):
    token_create(user=member(Role.VIEWER, operation, "someone"), name="theirs")
    names = {token["name"] for token in client_for(admin_user).get(f"{API}/tokens/").json()}
    assert "theirs" not in names


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({}, "name"),
        ({"name": "x", "expires_at": "tomorrow"}, "expires_at"),
        ({"name": "x", "key": "chosen"}, "key"),
    ],
)
def test_token_create_refuses_bad_input(client_for, admin_user, payload, field):
    body = assert_refused(client_for(admin_user).post(f"{API}/tokens/", payload, format="json"))
    assert field in {problem["field"] for problem in body["problems"]}


def test_a_token_expiring_in_the_past_is_refused(client_for, admin_user):
    past = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    body = assert_refused(
        client_for(admin_user).post(
            f"{API}/tokens/", {"name": "x", "expires_at": past}, format="json"
        )
    )
    assert "past" in body["message"]


def test_revoking_a_token_stops_it(client_for, admin_user):
    token, key = token_create(user=admin_user, name="old script")
    response = client_for(admin_user).delete(f"{API}/tokens/{token.pk}/")
    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    revoked = APIClient()
    revoked.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert revoked.get(f"{API}/me/").status_code == 401


def test_another_persons_token_cannot_be_revoked(client_for, admin_user, member, operation):
    theirs, _key = token_create(user=member(Role.VIEWER, operation), name="theirs")
    response = client_for(admin_user).delete(f"{API}/tokens/{theirs.pk}/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_even_a_superuser_cannot_revoke_another_persons_token(client_for, superuser, admin_user):
    theirs, _key = token_create(user=admin_user, name="theirs")
    assert client_for(superuser).delete(f"{API}/tokens/{theirs.pk}/").status_code == 404


# Odd input of every kind is refused, never a server error (SQLite and PostgreSQL alike).

ODD_VALUES = ["", "x", -1, 10**30, 1.5, None, True, [], {}, ["x"], {"a": 1}, "\x00", "NG0" * 30]


@pytest.mark.parametrize(
    ("method", "url", "valid"),
    [
        (
            "post",
            f"{API}/operations/",
            {"name": "Op", "country": "NGA", "admin_level_names": ["Country"]},
        ),
        ("patch", f"{API}/operations/nga-ne/", {}),
        ("post", f"{API}/operations/nga-ne/members/", {"username": "u1", "roles": ["viewer"]}),
        ("post", f"{API}/tokens/", {"name": "t"}),
    ],
)
def test_odd_body_values_are_never_a_server_error(
    client_for, superuser, operation, method, url, valid
):
    client = client_for(superuser)
    fields = [*valid, "slug", "email", "full_name", "expires_at", "suppression_threshold"]
    for name in [*fields, "default_language", "pcode_style"]:
        for value in ODD_VALUES:
            response = getattr(client, method)(url, {**valid, name: value}, format="json")
            assert response.status_code in {200, 201, 400}, (name, value, response.content)


def test_a_name_too_long_for_a_slug_is_refused(client_for, superuser):
    body = assert_refused(
        client_for(superuser).post(
            f"{API}/operations/",
            {"name": "Nigeria " * 20, "country": "NGA", "admin_level_names": ["Country"]},
            format="json",
        )
    )
    assert {problem["field"] for problem in body["problems"]} == {"slug"}


@pytest.mark.parametrize(
    "query",
    ["actor=%00", "action=x", "since=0", "until=99999-01-01", "q=" + "x" * 5000, "page_size=-1"],
)
def test_odd_audit_queries_are_never_a_server_error(admin_api, operation, query):
    for path in ("audit/", "audit/export.csv"):
        response = admin_api.get(f"{API}/operations/nga-ne/{path}?{query}")
        assert response.status_code in {200, 400}, (path, response.content)
        if response.streaming:
            b"".join(response.streaming_content)
