"""POST /api/v1/workspaces/{id}/settlement and POST /api/v1/cloud-accounts/{id}/workspaces: every rule
of SPEC §4 with its §12 code."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from billing_center.audit.models import AuditEvent
from billing_center.cloud.models import CloudAccountState, Vendor
from billing_center.cloud.settlement import month_zone, same_month
from billing_center.workspaces.models import Workspace, WorkspaceHistory
from tests.cloud.factories import CloudAccountFactory
from tests.cloud.holder import logged_in, post_json
from tests.factories import AccountFactory
from tests.workspaces.factories import BoundWorkspaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db):
    return AccountFactory(username="alice", email="alice@example.com")


def linked(account, **fields):
    return CloudAccountFactory(account=account, linked_at=timezone.now(), **fields)


def settle(client, workspace_id: str, method: str, cloud_account_id: int | None = None):
    body: dict = {"method": method}
    if cloud_account_id is not None:
        body["cloud_account_id"] = cloud_account_id
    return post_json(client, f"/api/v1/workspaces/{workspace_id}/settlement", body)


def code(response) -> str:
    return response.json()["code"]


def test_a_workspace_moves_to_an_active_cloud_account_of_its_sites_vendor(alice):
    # given an Alibaba workspace and an active Alibaba cloud account of the same holder
    cloud = linked(alice, vendor=Vendor.ALIYUN)
    BoundWorkspaceFactory(id="ws-1", account=alice, site="cn1")
    # when the holder settles it there
    response = settle(logged_in(alice), "ws-1", "cloud", cloud.pk)
    # then the view shows it, the history records it as the holder's change, and it is audited
    assert response.status_code == 200, response.content
    assert response.json()["settlement"] == {"method": "cloud", "cloud_account_id": cloud.pk, "vendor": "aliyun"}
    entry = WorkspaceHistory.objects.get(workspace_id="ws-1", change="settlement")
    assert entry.actor == "holder" and entry.new == {"method": "cloud", "cloud_account_id": cloud.pk}
    assert AuditEvent.objects.filter(event="workspace.settlement_changed", target_id="ws-1").exists()


def test_it_needs_a_recent_reauthentication(alice):
    cloud = linked(alice)
    BoundWorkspaceFactory(id="ws-1", account=alice)
    response = settle(logged_in(alice, reauthenticated=False), "ws-1", "cloud", cloud.pk)
    assert response.status_code == 403 and code(response) == "reauthentication_required"
    assert Workspace.objects.get(pk="ws-1").settlement_method == "account"


def test_no_change_is_refused(alice):
    BoundWorkspaceFactory(id="ws-1", account=alice)
    response = settle(logged_in(alice), "ws-1", "account")
    assert response.status_code == 422 and code(response) == "no_change"


@pytest.mark.parametrize(("site", "vendor"), [("cn1", Vendor.AWS), ("us1", Vendor.ALIYUN), ("cn4", Vendor.AWS)])
def test_a_cloud_account_of_another_vendor_than_the_sites_is_refused(alice, site, vendor):
    cloud = linked(alice, vendor=vendor)
    BoundWorkspaceFactory(id="ws-1", account=alice, site=site)
    response = settle(logged_in(alice), "ws-1", "cloud", cloud.pk)
    assert response.status_code == 422 and code(response) == "method_not_allowed_for_site"
    assert "Choose another cloud account." in response.json()["detail"] + response.json().get("title", "")


def test_the_any_method_flag_lets_any_vendor_settle(alice):
    alice.any_settlement_method = True
    alice.save()
    cloud = linked(alice, vendor=Vendor.AWS)
    BoundWorkspaceFactory(id="ws-1", account=alice, site="cn1")
    response = settle(logged_in(alice), "ws-1", "cloud", cloud.pk)
    assert response.status_code == 200
    assert response.json()["settlement"]["vendor"] == "aws"


@pytest.mark.parametrize("state", ["pending", "suspended", "cancelling", "cancelled", "released", "failed"])
def test_only_an_active_cloud_account_takes_a_workspace(alice, state):
    cloud = linked(alice, state=state)
    BoundWorkspaceFactory(id="ws-1", account=alice, site="cn1")
    response = settle(logged_in(alice), "ws-1", "cloud", cloud.pk)
    assert response.status_code == 422 and code(response) == "cloud_account_not_active"


def test_a_workspace_on_a_cloud_account_is_locked_in_until_it_is_cancelled_or_released(alice):
    # given a workspace settled on an active cloud account
    cloud = linked(alice)
    other = linked(alice)
    BoundWorkspaceFactory(id="ws-1", account=alice, settlement_method="cloud", cloud_account=cloud)
    client = logged_in(alice)
    # then neither account settlement nor another cloud account is allowed
    for response in (settle(client, "ws-1", "account"), settle(client, "ws-1", "cloud", other.pk)):
        assert response.status_code == 422 and code(response) == "cloud_settlement_locked_in"
    # and a suspended subscription still holds it
    type(cloud).objects.filter(pk=cloud.pk).update(state=CloudAccountState.SUSPENDED)
    assert code(settle(client, "ws-1", "account")) == "cloud_settlement_locked_in"
    # but once it is cancelled the holder may move it
    type(cloud).objects.filter(pk=cloud.pk).update(state=CloudAccountState.CANCELLED)
    assert settle(client, "ws-1", "account").status_code == 200


def test_at_most_one_change_per_calendar_month(alice, time_machine):
    # given a holder who moved a workspace on 2026-12-05 (UTC site)
    cloud = linked(alice, vendor=Vendor.AWS)
    BoundWorkspaceFactory(id="ws-1", account=alice, site="us1")
    time_machine.move_to(datetime(2026, 12, 5, 12, 0, tzinfo=UTC))
    client = logged_in(alice)
    assert settle(client, "ws-1", "cloud", cloud.pk).status_code == 200
    type(cloud).objects.filter(pk=cloud.pk).update(state=CloudAccountState.CANCELLED)
    # when they change it again on the last moment of December (UTC)
    time_machine.move_to(datetime(2026, 12, 31, 23, 59, tzinfo=UTC))
    client = logged_in(alice)
    refused = settle(client, "ws-1", "account")
    # then it is refused, and allowed from January 1st
    assert refused.status_code == 422 and code(refused) == "changed_this_month"
    time_machine.move_to(datetime(2027, 1, 1, 0, 1, tzinfo=UTC))
    client = logged_in(alice)
    assert settle(client, "ws-1", "account").status_code == 200


def test_the_month_of_a_cn_site_is_asia_shanghais(alice, time_machine):
    # given a cn1 workspace moved on 2026-12-31 16:30 UTC, which is already 2027-01-01 in Shanghai
    cloud = linked(alice, vendor=Vendor.ALIYUN)
    BoundWorkspaceFactory(id="ws-1", account=alice, site="cn1")
    time_machine.move_to(datetime(2026, 12, 31, 16, 30, tzinfo=UTC))
    assert settle(logged_in(alice), "ws-1", "cloud", cloud.pk).status_code == 200
    type(cloud).objects.filter(pk=cloud.pk).update(state=CloudAccountState.RELEASED)
    # when it is changed again on 2027-01-31 in Shanghai
    time_machine.move_to(datetime(2027, 1, 31, 10, 0, tzinfo=UTC))
    refused = settle(logged_in(alice), "ws-1", "account")
    # then it is the same (Shanghai) month: refused
    assert refused.status_code == 422, refused.content
    assert code(refused) == "changed_this_month"
    assert month_zone("cn6").key == "Asia/Shanghai" and month_zone("eu1").key == "UTC"
    assert not same_month(
        datetime(2026, 12, 31, 16, 30, tzinfo=UTC), datetime(2026, 12, 31, 12, 0, tzinfo=UTC), month_zone("cn1")
    )


def test_unknown_or_others_workspaces_are_404(alice):
    bob = AccountFactory(username="bob", email="bob@example.com")
    BoundWorkspaceFactory(id="ws-bob", account=bob)
    client = logged_in(alice)
    for workspace_id in ("ws-bob", "ws-none"):
        response = settle(client, workspace_id, "account")
        assert response.status_code == 404 and code(response) == "workspace_not_found"


@pytest.mark.parametrize(
    "body",
    [{"method": "wire"}, {"method": "cloud"}, {"method": "cloud", "cloud_account_id": "x"}, {}, {"method": "cloud", "cloud_account_id": 0}],
)
def test_malformed_bodies_are_422_and_change_nothing(alice, body):
    BoundWorkspaceFactory(id="ws-1", account=alice)
    response = post_json(logged_in(alice), "/api/v1/workspaces/ws-1/settlement", body)
    assert response.status_code == 422
    assert not WorkspaceHistory.objects.filter(workspace_id="ws-1", change="settlement").exists()


def test_one_cloud_account_settles_many_workspaces_from_several_sites_each_judged_alone(alice):
    # given an AWS cloud account, two AWS-site workspaces, an Alibaba one, and one locked in elsewhere
    cloud = linked(alice, vendor=Vendor.AWS)
    elsewhere = linked(alice, vendor=Vendor.AWS)
    BoundWorkspaceFactory(id="ws-us", account=alice, site="us1")
    BoundWorkspaceFactory(id="ws-eu", account=alice, site="eu1")
    BoundWorkspaceFactory(id="ws-cn", account=alice, site="cn1")
    BoundWorkspaceFactory(id="ws-held", account=alice, site="ap1", settlement_method="cloud", cloud_account=elsewhere)
    # when the holder binds all four (and one unknown id) at once
    response = post_json(
        logged_in(alice),
        f"/api/v1/cloud-accounts/{cloud.pk}/workspaces",
        {"workspace_ids": ["ws-us", "ws-eu", "ws-cn", "ws-held", "ws-nope"]},
    )
    # then each has its own answer, and the refusals undo nothing
    assert response.status_code == 200
    assert response.json()["results"] == [
        {"workspace_id": "ws-us", "ok": True, "code": None},
        {"workspace_id": "ws-eu", "ok": True, "code": None},
        {"workspace_id": "ws-cn", "ok": False, "code": "method_not_allowed_for_site"},
        {"workspace_id": "ws-held", "ok": False, "code": "cloud_settlement_locked_in"},
        {"workspace_id": "ws-nope", "ok": False, "code": "workspace_not_found"},
    ]
    assert set(Workspace.objects.filter(cloud_account=cloud).values_list("pk", flat=True)) == {"ws-us", "ws-eu"}


def test_binding_needs_a_recent_reauthentication_and_a_non_empty_list(alice):
    cloud = linked(alice)
    stale = post_json(logged_in(alice, reauthenticated=False), f"/api/v1/cloud-accounts/{cloud.pk}/workspaces", {"workspace_ids": ["a"]})
    assert stale.status_code == 403
    empty = post_json(logged_in(alice), f"/api/v1/cloud-accounts/{cloud.pk}/workspaces", {"workspace_ids": []})
    assert empty.status_code == 422


def test_the_page_binds_several_workspaces(alice):
    cloud = linked(alice, vendor=Vendor.ALIYUN)
    BoundWorkspaceFactory(id="ws-a", account=alice, site="cn1")
    BoundWorkspaceFactory(id="ws-b", account=alice, site="cn6")
    client = logged_in(alice)
    response = client.post(f"/settings/cloud-account/{cloud.pk}/workspaces", {"workspace_ids": ["ws-a", "ws-b"]})
    assert response.status_code == 302
    assert set(Workspace.objects.filter(cloud_account=cloud).values_list("pk", flat=True)) == {"ws-a", "ws-b"}
    page = client.get("/settings/cloud-account").content.decode()
    assert "Workspace ws-a is now settled by this cloud account." in page
