"""What each Alibaba Cloud SPI action does to the cloud account (reference §4.2), and its answer.

Every handler reads the stored request (``ctx.request``), so the vendor's retry and an operator's
re-run process exactly the call first received.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from billing_center.cloud.inbox import InboxContext
from billing_center.cloud.models import CloudAccountState, Vendor
from billing_center.cloud.selectors import cloud_account_find
from billing_center.cloud.services import cloud_account_apply, cloud_account_open
from billing_center.cloud.vendors.aliyun.protocol import billable_items, boolean_param, time_param

S = CloudAccountState
SUCCESS: dict[str, Any] = {"success": True}


class UnknownInstance(Exception):
    """The call names an instance we never created (kept failed, so a late create can be followed by a retry)."""


def process(ctx: InboxContext) -> dict[str, Any]:
    params: dict[str, str] = ctx.request.get("params", {})
    event_at = _event_time()
    action = params["action"]
    if action == "createInstance":
        return _create(ctx, params, event_at)
    cloud_account = cloud_account_find(vendor=Vendor.ALIYUN, instance_id=params["instanceId"])
    if cloud_account is None:
        raise UnknownInstance(params["instanceId"])
    if action == "renewInstance":
        changes: dict[str, Any] = {"expires_at": time_param(params, "expiredOn")}
        cloud_account_apply(
            ctx,
            cloud_account=cloud_account,
            changes=changes,
            vendor_data={"orderId": params["orderId"]},
            event_at=event_at,
            # A renewal lifts an expiry freeze.
            to_state=S.ACTIVE if cloud_account.state == S.SUSPENDED else None,
            reason="renewInstance",
        )
    elif action == "upgradeInstance":
        vendor_data = {"skuId": params["skuId"]}
        if params.get("orderId"):
            vendor_data["orderId"] = params["orderId"]
        cloud_account_apply(ctx, cloud_account=cloud_account, vendor_data=vendor_data, event_at=event_at)
    elif action == "expiredInstance":
        cloud_account_apply(
            ctx, cloud_account=cloud_account, to_state=S.SUSPENDED, event_at=event_at, reason="expiredInstance"
        )
    elif action == "releaseInstance":
        cloud_account_apply(
            ctx,
            cloud_account=cloud_account,
            vendor_data={"isRefund": boolean_param(params, "isRefund")},
            to_state=S.RELEASED,
            event_at=event_at,
            reason="releaseInstance",
        )
    else:  # pragma: no cover - the view only stores the actions above
        raise ValueError(f"Unhandled Alibaba Cloud action {action!r}")
    return dict(SUCCESS)


def _create(ctx: InboxContext, params: dict[str, str], event_at: datetime) -> dict[str, Any]:
    # instanceId = orderBizId: every retry of the create gets the same one (reference §2.3).
    instance_id = params["orderBizId"]
    expires_at = time_param(params, "expiredOn") if params.get("expiredOn") else None
    vendor_data: dict[str, Any] = {
        "orderBizId": params["orderBizId"],
        "orderId": params["orderId"],
        "productCode": params["productCode"],
        "skuId": params["skuId"],
    }
    for name in ("template", "ecsInstanceId"):
        if params.get(name):
            vendor_data[name] = params[name]
    extra = billable_items(params)
    if extra:
        vendor_data["billableItems"] = extra
    cloud_account_open(
        ctx,
        vendor=Vendor.ALIYUN,
        instance_id=instance_id,
        event_at=event_at,
        reason="createInstance",
        vendor_account_id=params["aliUid"],
        product=params["productCode"],
        trial=boolean_param(params, "trial"),
        expires_at=expires_at,
        vendor_data=vendor_data,
    )
    return {
        "instanceId": instance_id,
        "appInfo": {
            "frontEndUrl": f"{settings.SITE_URL}/",
            "authUrl": f"{settings.SITE_URL}{reverse('cloud:aliyun:spi')}",
        },
    }


def _event_time() -> datetime:
    # Alibaba sends no event time, so calls are ordered as they are processed. (The time first received
    # would make an operator's later re-run of a call that came before its create look stale.)
    return timezone.now()
