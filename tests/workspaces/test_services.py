"""Workspace services: every change writes one history row and one audit row; the database keeps the
invariants even when a caller bypasses the services."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from billing_center.audit.models import AuditEvent
from billing_center.audit.services import RequestMeta
from billing_center.cloud.models import CloudAccount
from billing_center.core.errors import Conflict, NotFound, ValidationFailed
from billing_center.workspaces.models import Actor, Workspace, WorkspaceHistory
from billing_center.workspaces.services import workspace_bind, workspace_settlement_set
from tests.workspaces.factories import BoundWorkspaceFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db
META = RequestMeta(ip="192.0.2.1")


def test_binding_again_to_the_same_account_changes_nothing(holder):
    WorkspaceFactory(id="ws-1")
    workspace_bind(workspace_id="ws-1", account=holder, actor=Actor.SYSTEM, meta=META)
    first = Workspace.objects.get(pk="ws-1").bound_at
    workspace_bind(workspace_id="ws-1", account=holder, actor=Actor.SYSTEM, meta=META)
    assert Workspace.objects.get(pk="ws-1").bound_at == first
    assert WorkspaceHistory.objects.filter(change="bound").count() == 1
    assert AuditEvent.objects.filter(event="workspace.bound", actor_label="system").count() == 1


def test_binding_a_workspace_of_another_account_is_refused(holder, other_holder):
    BoundWorkspaceFactory(id="ws-1", account=other_holder)
    with pytest.raises(Conflict) as refused:
        workspace_bind(workspace_id="ws-1", account=holder, actor=Actor.OPERATOR, meta=META)
    assert refused.value.code == "workspace_bound"
    assert not WorkspaceHistory.objects.exists()


def test_binding_an_unknown_workspace_is_not_found(holder):
    with pytest.raises(NotFound):
        workspace_bind(workspace_id="ws-none", account=holder, actor=Actor.OPERATOR, meta=META)


def _cloud(account, vendor="aliyun", instance="i-1", state="active"):
    return CloudAccount.objects.create(
        vendor=vendor, instance_id=instance, state=state, account=account, linked_at=account.date_joined
    )


def test_settlement_moves_to_a_cloud_account_of_the_same_account_and_vendor(holder):
    BoundWorkspaceFactory(id="ws-1", account=holder, site="cn1")
    cloud = _cloud(holder)
    workspace = workspace_settlement_set(
        workspace_id="ws-1", method="cloud", cloud_account=cloud, actor=Actor.HOLDER, actor_account=holder, meta=META
    )
    assert (workspace.settlement_method, workspace.cloud_account_id) == ("cloud", cloud.pk)
    assert workspace.settlement_changed_at is not None
    entry = WorkspaceHistory.objects.get(change="settlement")
    assert (entry.actor, entry.old, entry.new) == (
        "holder",
        {"method": "account", "cloud_account_id": None},
        {"method": "cloud", "cloud_account_id": cloud.pk},
    )
    assert AuditEvent.objects.filter(event="workspace.settlement_changed", actor=holder).count() == 1
    # and back to the account
    back = workspace_settlement_set(workspace_id="ws-1", method="account", actor=Actor.SYSTEM, meta=META)
    assert (back.settlement_method, back.cloud_account_id) == ("account", None)


def test_settlement_refusals(holder, other_holder):
    BoundWorkspaceFactory(id="ws-1", account=holder, site="cn1")
    WorkspaceFactory(id="ws-free")
    cases = [
        ({"workspace_id": "ws-1", "method": "cloud", "cloud_account": _cloud(holder, "aws", "arn-1")}, "method_not_allowed_for_site"),
        ({"workspace_id": "ws-1", "method": "cloud", "cloud_account": _cloud(other_holder, "aliyun", "i-b")}, "cloud_account_not_found"),
        ({"workspace_id": "ws-1", "method": "cloud"}, "cloud_account_required"),
        ({"workspace_id": "ws-1", "method": "account"}, "no_change"),
        ({"workspace_id": "ws-1", "method": "wire"}, "invalid_method"),
        ({"workspace_id": "ws-free", "method": "account"}, "workspace_not_bound"),
    ]
    for kwargs, code in cases:
        with pytest.raises((ValidationFailed, NotFound)) as refused:
            workspace_settlement_set(actor=Actor.SYSTEM, meta=META, **kwargs)
        assert refused.value.code == code
    assert not WorkspaceHistory.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"settlement_method": "cloud"},  # cloud without a cloud account
        {"lock_state": "grace"},  # grace without a deadline
    ],
)
def test_the_database_refuses_broken_invariants(holder, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Workspace.objects.create(id="ws-bad", name="Bad", site="cn1", account=holder, **fields)


def test_the_database_refuses_a_cloud_settlement_without_an_account(holder):
    cloud = _cloud(holder)
    with pytest.raises(IntegrityError), transaction.atomic():
        Workspace.objects.create(id="ws-bad", name="Bad", site="cn1", settlement_method="cloud", cloud_account=cloud)
