"""Demo cloud accounts for the demo account: one per vendor, linked, in several states, settling the
demo workspaces of their sites. Runs after the demo workspaces (loaders run by name); idempotent by
instance id."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from billing_center.audit.services import SYSTEM
from billing_center.cloud.models import CloudAccount, CloudAccountState, Vendor
from billing_center.cloud.services import cloud_account_record, cloud_account_transition
from billing_center.core.demo import demo_loader_register
from billing_center.workspaces.models import Actor, SettlementMethod, Workspace
from billing_center.workspaces.services import workspace_settlement_set

# (vendor, account id, instance id, product, trial, final state, workspaces it settles)
DEMO_CLOUD_ACCOUNTS: list[tuple[str, str, str, str, bool, str, tuple[str, ...]]] = [
    (Vendor.ALIYUN, "1234567890123456", "demo-aliyun-0001", "cmgj00012345", False, CloudAccountState.ACTIVE, ("demo-cn1-prod",)),
    (Vendor.HUAWEI, "hw-demo-customer", "demo-huawei-0001", "00301-666666-0--0", True, CloudAccountState.SUSPENDED, ("demo-cn4-iot",)),
    (Vendor.AWS, "123456789012", "arn:aws:license-manager::123456789012:license:l-demo0001", "prod-demo", False, CloudAccountState.ACTIVE, ("demo-us1-shop",)),
    (Vendor.AWS, "123456789012", "arn:aws:license-manager::123456789012:license:l-demo0002", "prod-demo", False, CloudAccountState.CANCELLED, ()),
]


@transaction.atomic
def demo_cloud_accounts_load(*, account: Any, stdout: Any) -> int:
    """Create the demo cloud accounts that do not exist yet; returns how many were created."""
    created = 0
    now = timezone.now()
    for vendor, vendor_account_id, instance_id, product, trial, state, workspace_ids in DEMO_CLOUD_ACCOUNTS:
        if CloudAccount.objects.filter(vendor=vendor, instance_id=instance_id).exists():
            continue
        cloud_account, _created = cloud_account_record(
            vendor=vendor,
            instance_id=instance_id,
            event_at=now,
            vendor_account_id=vendor_account_id,
            product=product,
            trial=trial,
            expires_at=now + timedelta(days=365),
            state=CloudAccountState.ACTIVE,
        )
        CloudAccount.objects.filter(pk=cloud_account.pk).update(account=account, linked_at=now)
        cloud_account.refresh_from_db()
        for workspace_id in workspace_ids:
            workspace = Workspace.objects.filter(pk=workspace_id, account=account).first()
            if workspace is None or workspace.settlement_method != SettlementMethod.ACCOUNT:
                continue
            workspace_settlement_set(
                workspace_id=workspace_id,
                method=SettlementMethod.CLOUD,
                cloud_account=cloud_account,
                actor=Actor.SYSTEM,
                meta=SYSTEM,
                any_vendor=True,
            )
        if state != CloudAccountState.ACTIVE:
            cloud_account_transition(
                cloud_account=cloud_account, to_state=state, event_at=now + timedelta(seconds=1), reason="demo"
            )
        created += 1
    stdout.write(f"Demo cloud accounts created: {created} (Alibaba Cloud, Huawei Cloud, AWS; active, suspended, cancelled).\n")
    return created


def _loader(*, account: Any, count: int, stdout: Any) -> int:
    return demo_cloud_accounts_load(account=account, stdout=stdout)


# Named after "workspaces" so it runs after the demo workspaces exist.
demo_loader_register(
    "workspaces_cloud", help="demo cloud accounts of each vendor settling demo workspaces", load=_loader, always=True
)
