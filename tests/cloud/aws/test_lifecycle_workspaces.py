"""SPEC §5 through AWS's own signed SNS notifications: unsubscribe-success unbinds and locks the
workspaces an AWS subscription settles; picking account settlement unlocks them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from billing_center.cloud.models import CloudAccount
from billing_center.workspaces.models import Workspace, WorkspaceHistory
from tests.cloud.aws.test_lifecycle_sns import action, registered
from tests.cloud.holder import logged_in, post_json
from tests.factories import AccountFactory
from tests.workspaces.factories import BoundWorkspaceFactory

pytestmark = pytest.mark.django_db


def test_unsubscribe_success_locks_the_workspaces_until_the_holder_picks_a_method(client, aws_settings, signer):
    # given an active AWS subscription linked to a holder and settling two AWS-site workspaces
    registered()
    assert action(client, signer, "subscribe-success", minute=1).status_code == 200
    holder = AccountFactory(username="alice", email="alice@example.com")
    cloud = CloudAccount.objects.get()
    CloudAccount.objects.filter(pk=cloud.pk).update(account=holder, linked_at=timezone.now())
    for workspace_id, site in (("ws-us", "us1"), ("ws-eu", "eu1")):
        BoundWorkspaceFactory(id=workspace_id, account=holder, site=site, settlement_method="cloud", cloud_account=cloud)
    # when AWS says unsubscribe-pending, then unsubscribe-success
    action(client, signer, "unsubscribe-pending", minute=2)
    assert Workspace.objects.get(pk="ws-us").lock_state == "active"  # cancelling changes no workspace
    assert action(client, signer, "unsubscribe-success", minute=3).status_code == 200
    # then both are unbound and locked, recorded as the marketplace's change
    for workspace_id in ("ws-us", "ws-eu"):
        workspace = Workspace.objects.get(pk=workspace_id)
        assert (workspace.settlement_method, workspace.cloud_account_id, workspace.lock_state) == ("account", None, "locked")
        assert WorkspaceHistory.objects.filter(workspace_id=workspace_id, change="lock", actor="marketplace").exists()
    # and the holder's pick of account settlement unlocks one
    response = post_json(logged_in(holder), "/api/v1/workspaces/ws-us/settlement", {"method": "account"})
    assert response.status_code == 200
    assert response.json()["lock"]["state"] == "active"
    assert Workspace.objects.get(pk="ws-eu").lock_state == "locked"
