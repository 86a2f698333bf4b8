"""SPEC §5 effects on bound workspaces, driven through the real marketplace endpoints with signed calls:
suspended → grace, re-activated → active, ended → Alibaba falls back to account settlement, Huawei is
unbound and locked until the holder picks a method (which unlocks it)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from billing_center.cloud.lifecycle import SUSPENDED_REASON
from billing_center.cloud.models import CloudAccount
from billing_center.cloud.settlement import ENDED_LOCK_REASON
from billing_center.workspaces.models import Workspace, WorkspaceHistory
from tests.cloud.conftest import create_params
from tests.cloud.holder import logged_in, post_json
from tests.cloud.test_huawei import code, new_instance, order  # noqa: F401 - the order fixture is used below
from tests.factories import AccountFactory
from tests.outbox import outbox_messages
from tests.workspaces.factories import BoundWorkspaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db):
    return AccountFactory(username="alice", email="alice@example.com")


def _settle_on(account, cloud_account: CloudAccount, *ids: str, site: str) -> None:
    CloudAccount.objects.filter(pk=cloud_account.pk).update(account=account, linked_at=timezone.now())
    for workspace_id in ids:
        BoundWorkspaceFactory(id=workspace_id, account=account, site=site, settlement_method="cloud", cloud_account=cloud_account)


def _ws(workspace_id: str) -> Workspace:
    return Workspace.objects.get(pk=workspace_id)


def test_alibaba_suspension_grace_reactivation_and_fallback_on_release(aliyun, alice, django_capture_on_commit_callbacks):
    # given an Alibaba instance settling two workspaces of its holder
    assert aliyun.get(**create_params()).json()["instanceId"] == "2001"
    _settle_on(alice, CloudAccount.objects.get(), "ws-1", "ws-2", site="cn1")
    # when the instance expires (suspended)
    with django_capture_on_commit_callbacks(execute=True):
        assert aliyun.get(action="expiredInstance", instanceId="2001").json() == {"success": True}
    # then both workspaces are in grace with a deadline, recorded as the marketplace's change
    for workspace_id in ("ws-1", "ws-2"):
        workspace = _ws(workspace_id)
        assert workspace.lock_state == "grace" and workspace.lock_deadline > timezone.now()
        assert workspace.lock_reason == SUSPENDED_REASON
        assert WorkspaceHistory.objects.filter(workspace_id=workspace_id, change="lock", actor="marketplace").exists()
    assert any("suspended" in message["body"] for message in outbox_messages("alice@example.com"))
    # and the holder's view shows it at once
    view = logged_in(alice).get("/api/v1/workspaces/ws-1").json()
    assert view["lock"]["state"] == "grace"
    # when a renewal re-activates it
    renew = {"action": "renewInstance", "instanceId": "2001", "orderId": "3002", "expiredOn": "2028-01-01 00:00:00"}
    assert aliyun.get(**renew).json() == {"success": True}
    # then they are active again, still on the cloud account
    assert _ws("ws-1").lock_state == "active" and _ws("ws-1").settlement_method == "cloud"
    # when it is released
    with django_capture_on_commit_callbacks(execute=True):
        assert aliyun.get(action="releaseInstance", instanceId="2001", isRefund="false").json() == {"success": True}
    # then Alibaba workspaces fall back to account settlement and stay active, and the holder is told
    for workspace_id in ("ws-1", "ws-2"):
        workspace = _ws(workspace_id)
        assert workspace.settlement_method == "account" and workspace.cloud_account_id is None
        assert workspace.lock_state == "active"
    assert any("now settled by your Billing Center account" in m["body"] for m in outbox_messages("alice@example.com"))


def test_alibaba_suspended_then_released_ends_active_on_the_account(aliyun, alice):
    aliyun.get(**create_params())
    _settle_on(alice, CloudAccount.objects.get(), "ws-1", site="cn1")
    aliyun.get(action="expiredInstance", instanceId="2001")
    aliyun.get(action="releaseInstance", instanceId="2001", isRefund="true")
    workspace = _ws("ws-1")
    assert (workspace.settlement_method, workspace.lock_state, workspace.lock_deadline) == ("account", "active", None)


def test_huawei_release_unbinds_and_locks_until_the_holder_picks_a_method(huawei, order, alice, django_capture_on_commit_callbacks):  # noqa: F811
    # given a Huawei instance settling a workspace
    iid = huawei.v2(**new_instance()).json()["instanceId"]
    _settle_on(alice, CloudAccount.objects.get(), "ws-hw", site="cn4")
    # when it is frozen, then released
    assert code(huawei.v2(activity="updateInstanceStatus", instanceId=iid, status="FREEZE")) == "000000"
    assert _ws("ws-hw").lock_state == "grace"
    with django_capture_on_commit_callbacks(execute=True):
        assert code(huawei.v2(activity="releaseInstance", instanceId=iid)) == "000000"
    # then the workspace is unbound from it and locked, and the holder is told what to do
    workspace = _ws("ws-hw")
    assert workspace.settlement_method == "account" and workspace.cloud_account_id is None
    assert workspace.lock_state == "locked" and workspace.lock_reason == ENDED_LOCK_REASON
    assert any("until you choose another settlement method" in m["body"] for m in outbox_messages("alice@example.com"))
    # when the holder picks account settlement
    response = post_json(logged_in(alice), "/api/v1/workspaces/ws-hw/settlement", {"method": "account"})
    # then it is unlocked
    assert response.status_code == 200, response.content
    assert response.json()["lock"]["state"] == "active"
    assert response.json()["settlement"]["method"] == "account"


def test_an_unlinked_or_unbound_cloud_account_changes_no_workspace(aliyun, alice):
    aliyun.get(**create_params())
    BoundWorkspaceFactory(id="ws-free", account=alice, site="cn1")
    aliyun.get(action="expiredInstance", instanceId="2001")
    assert _ws("ws-free").lock_state == "active"
    assert not WorkspaceHistory.objects.filter(workspace_id="ws-free", change="lock").exists()


def test_an_ended_aws_subscription_locks_its_workspaces(alice):
    # given an AWS subscription settling a us1 workspace (the SNS path is tested in tests/cloud/aws)
    from datetime import timedelta

    from billing_center.cloud.services import cloud_account_transition
    from tests.cloud.factories import CloudAccountFactory

    cloud = CloudAccountFactory(vendor="aws", last_event_at=None)
    _settle_on(alice, cloud, "ws-us", site="us1")
    # when the marketplace ends it
    cloud_account_transition(cloud_account=cloud, to_state="cancelled", event_at=timezone.now() + timedelta(seconds=1))
    # then the workspace is unbound and locked
    workspace = _ws("ws-us")
    assert (workspace.settlement_method, workspace.lock_state) == ("account", "locked")
    entry = WorkspaceHistory.objects.filter(workspace_id="ws-us", change="settlement").get()
    assert entry.actor == "marketplace"


def test_the_page_offers_and_makes_the_unlock_of_a_workspace_whose_cloud_account_ended(alice):
    # given an AWS workspace locked because its subscription was cancelled
    from datetime import timedelta

    from billing_center.cloud.services import cloud_account_transition
    from tests.cloud.factories import CloudAccountFactory

    cloud = CloudAccountFactory(vendor="aws", last_event_at=None)
    _settle_on(alice, cloud, "ws-us", site="us1")
    cloud_account_transition(cloud_account=cloud, to_state="cancelled", event_at=timezone.now() + timedelta(seconds=1))
    client = logged_in(alice)
    # when the holder opens the page and settles it by their account
    assert "Workspaces that need a settlement method" in client.get("/settings/cloud-account").content.decode()
    stale = logged_in(alice, reauthenticated=False).post("/settings/cloud-account/workspaces/ws-us/settlement")
    assert stale.status_code == 302 and stale["Location"].startswith("/reauthenticate")
    response = client.post("/settings/cloud-account/workspaces/ws-us/settlement")
    # then it is unlocked
    assert response.status_code == 302
    assert _ws("ws-us").lock_state == "active"
    # and another account's workspace is a 404 there
    bob = AccountFactory(username="bob", email="bob@example.com")
    BoundWorkspaceFactory(id="ws-bob", account=bob)
    assert client.post("/settings/cloud-account/workspaces/ws-bob/settlement").status_code == 404
