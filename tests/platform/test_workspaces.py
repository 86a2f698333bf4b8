"""Register/update, read and lock through the platform API (SPEC §12)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from billing_center.audit.models import AuditEvent
from billing_center.workspaces.models import Workspace, WorkspaceHistory
from tests.workspaces.factories import BoundWorkspaceFactory

pytestmark = pytest.mark.django_db


def test_put_registers_a_workspace_and_answers_201_with_the_workspace_view(console):
    # when the console registers a new workspace
    response = console.register("ws-prod-1", name="Production", site="us1", language="zh-Hans")
    # then: 201 and exactly the workspace view of SPEC §12
    assert response.status_code == 201, response.content
    body = response.json()
    workspace = Workspace.objects.get(pk="ws-prod-1")
    assert body == {
        "id": "ws-prod-1",
        "name": "Production",
        "site": "us1",
        "language": "zh-hans",
        "account": None,
        "settlement": {"method": "account", "cloud_account_id": None, "vendor": None},
        "lock": {"state": "active", "reason": "", "deadline": None},
        "updated_at": body["updated_at"],
    }
    assert abs(dt.datetime.fromisoformat(body["updated_at"]) - workspace.updated_at) < dt.timedelta(milliseconds=1)
    # and its history starts with "registered" by the console
    entry = WorkspaceHistory.objects.get(workspace=workspace)
    assert (entry.actor, entry.change, entry.new) == (
        "console",
        "registered",
        {"name": "Production", "site": "us1", "language": "zh-hans"},
    )
    assert AuditEvent.objects.filter(event="workspace.registered", actor_label="console").count() == 1


def test_put_again_updates_and_answers_200_recording_only_what_changed(console):
    console.register("ws-1", name="Old", site="cn1")
    # when the console renames it and moves nothing else
    response = console.register("ws-1", name="New name", site="cn1")
    # then: 200, the new name, and one "updated" history row with old and new values
    assert response.status_code == 200
    assert response.json()["name"] == "New name"
    entry = WorkspaceHistory.objects.filter(change="updated").get()
    assert (entry.old, entry.new) == ({"name": "Old"}, {"name": "New name"})
    # and the same PUT again changes nothing
    assert console.register("ws-1", name="New name", site="cn1").status_code == 200
    assert WorkspaceHistory.objects.filter(change="updated").count() == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "N", "site": "mars1", "language": "en"}, "unknown_site"),
        ({"name": "N", "site": "", "language": "en"}, "unknown_site"),
        ({"name": "N", "site": "cn1", "language": "fr"}, "unknown_language"),
        ({"name": "   ", "site": "cn1", "language": "en"}, "invalid_name"),
        ({"name": "x" * 201, "site": "cn1", "language": "en"}, "invalid_name"),
        ({"name": "N", "site": "cn1"}, "validation_failed"),
    ],
)
def test_bad_registrations_are_refused_with_nothing_stored(console, body, code):
    response = console.put("/ws-1", body)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == code
    assert not Workspace.objects.exists()
    assert not WorkspaceHistory.objects.exists()


@pytest.mark.parametrize("workspace_id", ["-starts-with-dash", "x" * 65, "has space", "semi;colon"])
def test_an_invalid_workspace_id_is_refused(console, workspace_id):
    response = console.register(workspace_id)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_workspace_id"
    assert not Workspace.objects.exists()


def test_the_site_table_is_configurable(console, settings):
    # given a deployment with its own site table
    settings.WORKSPACE_SITES = {"cn1": "aliyun", "sa1": "aws"}
    # then its sites are accepted and the default ones it dropped are not
    assert console.register("ws-1", site="sa1").status_code == 201
    assert console.register("ws-2", site="us1").json()["code"] == "unknown_site"


def test_get_reads_the_workspace_view_and_unknown_ids_answer_404(console):
    workspace = BoundWorkspaceFactory(id="ws-1", site="eu1")
    response = console.get("/ws-1")
    assert response.status_code == 200
    assert response.json()["account"] == {"username": workspace.account.username}
    assert response.json()["site"] == "eu1"
    for unknown in ("/ws-404", "/" + "x" * 65, "/bad%20id"):
        missing = console.get(unknown)
        assert missing.status_code == 404
        assert missing.json()["code"] == "workspace_not_found"


def test_lock_states_with_reasons_and_deadlines_are_set_and_kept_in_history(console):
    console.register("ws-1")
    deadline = (timezone.now() + dt.timedelta(days=7)).replace(microsecond=0)
    # when the console puts it in grace, then locks it, then unlocks it
    grace = console.put("/ws-1/lock", {"state": "grace", "reason": "Invoice overdue", "deadline": deadline.isoformat()})
    locked = console.put("/ws-1/lock", {"state": "locked", "reason": "Unpaid"})
    active = console.put("/ws-1/lock", {"state": "active", "reason": "Paid"})
    # then each answer shows the state, and the history keeps every step with its reason
    assert grace.status_code == 200, grace.content
    assert grace.json()["lock"] == {"state": "grace", "reason": "Invoice overdue", "deadline": deadline.isoformat().replace("+00:00", "Z")}
    assert locked.json()["lock"] == {"state": "locked", "reason": "Unpaid", "deadline": None}
    assert active.json()["lock"] == {"state": "active", "reason": "", "deadline": None}
    steps = list(WorkspaceHistory.objects.filter(change="lock").order_by("at", "id").values_list("new", "reason"))
    assert [(new["state"], reason) for new, reason in steps] == [
        ("grace", "Invoice overdue"),
        ("locked", "Unpaid"),
        ("active", "Paid"),
    ]
    assert AuditEvent.objects.filter(event="workspace.lock_changed", actor_label="console").count() == 3


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"state": "grace", "reason": "late"}, "deadline_required"),
        ({"state": "grace", "deadline": "2001-01-01T00:00:00Z"}, "invalid_deadline"),
        ({"state": "grace", "deadline": "2999-01-01T00:00:00"}, "invalid_deadline"),
        ({"state": "frozen"}, "validation_failed"),
        ({"state": "locked", "reason": "r" * 201}, "invalid_reason"),
    ],
)
def test_bad_lock_requests_are_refused_and_change_nothing(console, body, code):
    console.register("ws-1")
    response = console.put("/ws-1/lock", body)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == code
    assert Workspace.objects.get().lock_state == "active"
    assert not WorkspaceHistory.objects.filter(change="lock").exists()


def test_lock_of_an_unknown_workspace_answers_404(console):
    assert console.put("/ws-none/lock", {"state": "locked"}).status_code == 404
