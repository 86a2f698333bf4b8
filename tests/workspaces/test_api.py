"""Holder API: GET /api/v1/workspaces (cursor pages, filters) and /{id} with the history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from billing_center.audit.services import RequestMeta
from billing_center.workspaces.services import workspace_lock_set
from tests.workspaces.conftest import many_workspaces
from tests.workspaces.factories import BoundWorkspaceFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/workspaces"


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_the_list_shows_only_my_workspaces_newest_first_as_workspace_views(holder_client, holder, other_holder):
    # given two of mine, one of another account, one unbound
    now = timezone.now()
    older = BoundWorkspaceFactory(id="ws-old", account=holder, created_at=now - dt.timedelta(days=2))
    newer = BoundWorkspaceFactory(id="ws-new", account=holder, site="us1", created_at=now - dt.timedelta(days=1))
    BoundWorkspaceFactory(id="ws-bob", account=other_holder)
    WorkspaceFactory(id="ws-free")
    # when I list them
    response = holder_client.get(LIST)
    # then only mine, newest first, each as the workspace view
    assert _ids(response) == [newer.pk, older.pk]
    item = response.json()["items"][0]
    assert set(item) == {"id", "name", "site", "language", "account", "settlement", "lock", "updated_at"}
    assert item["account"] == {"username": "alice"}
    assert item["site"] == "us1"
    assert item["settlement"] == {"method": "account", "cloud_account_id": None, "vendor": None}
    assert response.json()["next_cursor"] is None


def test_filters_by_site_method_lock_state_and_search(holder_client, holder):
    BoundWorkspaceFactory(id="ws-a", name="Alpha prod", account=holder, site="cn1")
    BoundWorkspaceFactory(id="ws-b", name="Beta", account=holder, site="us1", lock_state="locked", lock_reason="r")
    assert _ids(holder_client.get(LIST, {"site": "us1"})) == ["ws-b"]
    assert _ids(holder_client.get(LIST, {"lock_state": "locked"})) == ["ws-b"]
    assert sorted(_ids(holder_client.get(LIST, {"method": "account"}))) == ["ws-a", "ws-b"]
    assert _ids(holder_client.get(LIST, {"method": "cloud"})) == []
    assert _ids(holder_client.get(LIST, {"q": "alpha"})) == ["ws-a"]
    assert _ids(holder_client.get(LIST, {"q": "ws-b"})) == ["ws-b"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"site": "mars1"}, "unknown_site"),
        ({"method": "wire"}, "validation_failed"),
        ({"lock_state": "frozen"}, "validation_failed"),
        ({"cursor": "garbage"}, "invalid_cursor"),
        ({"limit": "0"}, "validation_failed"),
    ],
)
def test_bad_filters_answer_422(holder_client, holder, params, code):
    response = holder_client.get(LIST, params)
    assert response.status_code == 422
    assert response.json()["code"] == code


def test_cursor_pages_walk_every_workspace_once(holder_client, holder):
    many_workspaces(holder, 45)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 20, **({"cursor": cursor} if cursor else {})}
        body = holder_client.get(LIST, params).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 45


@pytest.mark.parametrize("count", [1, 500])
def test_the_list_runs_a_constant_number_of_queries(holder_client, holder, django_assert_num_queries, count):
    # given 1 or 500 workspaces (some on cloud-less sites, some locked)
    many_workspaces(holder, count)
    # when the holder lists them (a full page): the session with its account, one query for the page
    with django_assert_num_queries(2):
        response = holder_client.get(LIST, {"limit": 100})
    assert len(response.json()["items"]) == min(count, 100)


def test_the_detail_has_the_history_newest_first(holder_client, holder):
    workspace = BoundWorkspaceFactory(id="ws-1", account=holder)
    workspace_lock_set(workspace_id="ws-1", state="locked", reason="Unpaid", meta=RequestMeta())
    workspace_lock_set(workspace_id="ws-1", state="active", reason="Paid", meta=RequestMeta())
    response = holder_client.get(f"{LIST}/{workspace.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["lock"] == {"state": "active", "reason": "", "deadline": None}
    assert [(entry["actor"], entry["change"], entry["new"]["state"], entry["reason"]) for entry in body["history"]] == [
        ("console", "lock", "active", "Paid"),
        ("console", "lock", "locked", "Unpaid"),
    ]
    assert set(body["history"][0]) == {"at", "actor", "change", "old", "new", "reason"}


def test_another_accounts_or_an_unbound_workspace_answers_404(holder_client, other_holder):
    BoundWorkspaceFactory(id="ws-bob", account=other_holder)
    WorkspaceFactory(id="ws-free")
    for workspace_id in ("ws-bob", "ws-free", "ws-none"):
        response = holder_client.get(f"{LIST}/{workspace_id}")
        assert response.status_code == 404
        assert response.json()["code"] == "workspace_not_found"


def test_the_holder_api_needs_a_session():
    assert Client().get(LIST).status_code == 401
    assert Client().get(f"{LIST}/ws-1").status_code == 401


def test_the_list_answer_is_the_schemas_validated_dump_byte_for_byte(holder_client, holder):
    # given workspaces of every shape: cloud-settled, in grace with a deadline, locked, plain
    import json

    from ninja.renderers import JSONRenderer

    from billing_center.workspaces.models import Workspace
    from billing_center.workspaces.schemas import WorkspacePageOut
    from billing_center.workspaces.selectors import workspace_view
    from tests.cloud.factories import CloudAccountFactory

    cloud = CloudAccountFactory(account=holder, linked_at=timezone.now())
    now = timezone.now()
    BoundWorkspaceFactory(id="ws-cloud", account=holder, settlement_method="cloud", cloud_account=cloud)
    BoundWorkspaceFactory(
        id="ws-grace", account=holder, lock_state="grace", lock_reason="Late", lock_deadline=now + dt.timedelta(days=3)
    )
    BoundWorkspaceFactory(id="ws-lock", account=holder, name="Zoë <b>", lock_state="locked", lock_reason="Unpaid")
    many_workspaces(holder, 30)
    for params in ({}, {"limit": 5}, {"q": "ws-"}):
        # when listed, the answer (written without ninja's output validation) ...
        response = holder_client.get(LIST, params)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json; charset=utf-8"
        # ... is exactly what validating the same rows against WorkspacePageOut would have written
        body = response.json()
        rows = Workspace.objects.select_related("account", "cloud_account").in_bulk([item["id"] for item in body["items"]])
        validated = WorkspacePageOut.model_validate(
            {"items": [workspace_view(rows[item["id"]]) for item in body["items"]], "next_cursor": body["next_cursor"]}
        ).model_dump()
        renderer = JSONRenderer()
        assert response.content == json.dumps(validated, cls=renderer.encoder_class).encode()
