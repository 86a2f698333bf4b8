"""What each Huawei activity does to the cloud account (reference §4.2), for V2 and V1 alike.

The stored request holds ``version``, ``activity``, the received ``fields`` and ``event_at`` (the
call's own timestamp): the vendor's retry and an operator's re-run process exactly the first call.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime

from billing_center.cloud.inbox import InboxContext
from billing_center.cloud.models import CloudAccount, CloudAccountState, Vendor
from billing_center.cloud.selectors import cloud_account_find
from billing_center.cloud.services import cloud_account_apply, cloud_account_open
from billing_center.cloud.vendors.huawei import apig
from billing_center.cloud.vendors.huawei.protocol import (
    SUCCESS,
    V1_ACTIVITIES,
    V2_ACTIVITIES,
    expire_time,
    status_target,
)

S = CloudAccountState


class UnknownInstance(Exception):
    """The instance the call names is not (or no longer) recorded."""


def success(**extra: Any) -> dict[str, Any]:
    return {"resultCode": SUCCESS, "resultMsg": "success", **extra}


def process(ctx: InboxContext) -> dict[str, Any]:
    request = ctx.request
    version = request["version"]
    activity = (V2_ACTIVITIES if version == "v2" else V1_ACTIVITIES)[request["activity"]]
    fields: dict[str, str] = request["fields"]
    parsed = parse_datetime(request["event_at"])
    if parsed is None:
        raise ValueError("The stored Huawei call has no event time")
    event_at: datetime = parsed
    if activity.kind == "new":
        return _new(ctx, version, fields, event_at)
    cloud_account = cloud_account_find(vendor=Vendor.HUAWEI, instance_id=fields["instanceId"])
    if cloud_account is None:
        raise UnknownInstance(fields["instanceId"])
    if activity.kind == "refresh":
        _refresh(ctx, version, cloud_account, fields, event_at)
    elif activity.kind == "status":
        target = status_target(activity, fields)
        cloud_account_apply(ctx, cloud_account=cloud_account, to_state=target, event_at=event_at, reason=activity.name)
    elif activity.kind == "upgrade":
        if version == "v2":
            order = apig.query_order(order_id=fields["orderId"], order_line_id=fields["orderLineId"])
            vendor_data = {"orderId": fields["orderId"], "orderLineId": fields["orderLineId"], "skuCode": order.sku_code}
            changes: dict[str, Any] = {"product": order.product_id} if order.product_id else {}
        else:
            vendor_data = {"orderId": fields["orderId"]}
            changes = {"product": fields["productId"][:256]}
        cloud_account_apply(ctx, cloud_account=cloud_account, changes=changes, vendor_data=vendor_data, event_at=event_at)
    else:  # release
        cloud_account_apply(
            ctx, cloud_account=cloud_account, to_state=S.RELEASED, event_at=event_at, reason=activity.name
        )
    return success()


def _new(ctx: InboxContext, version: str, fields: dict[str, str], event_at: datetime) -> dict[str, Any]:
    # instanceId = the first call's businessId (a retry's differs; the stored first call is processed).
    instance_id = fields["businessId"]
    vendor_data: dict[str, Any] = {"guideVersion": version, "orderId": fields["orderId"]}
    if version == "v2":
        order = apig.query_order(order_id=fields["orderId"], order_line_id=fields["orderLineId"])
        vendor_data |= {
            "orderLineId": fields["orderLineId"],
            "orderType": order.order_type,
            "customerName": order.customer_name,
            "chargingMode": order.charging_mode,
            "skuCode": order.sku_code,
            "productName": order.product_name,
        }
        account_id, product = order.customer_id, order.product_id
        trial = order.order_type == "TRIAL"
        expires_at = expire_time(order.expire_time) if order.expire_time else None
    else:
        account_id, product = fields["customerId"][:128], fields["productId"][:256]
        trial = fields.get("trialFlag") == "1"
        expires_at = expire_time(fields["expireTime"]) if fields.get("expireTime") else None
        vendor_data |= {
            name: fields[name] for name in ("customerName", "contactPhone", "contactEmail") if fields.get(name)
        }
    cloud_account_open(
        ctx,
        vendor=Vendor.HUAWEI,
        instance_id=instance_id,
        event_at=event_at,
        reason="newInstance",
        vendor_account_id=account_id,
        product=product,
        trial=trial,
        expires_at=expires_at,
        vendor_data=vendor_data,
    )
    return success(instanceId=instance_id)


def _refresh(
    ctx: InboxContext, version: str, cloud_account: CloudAccount, fields: dict[str, str], event_at: datetime
) -> None:
    vendor_data: dict[str, Any] = {"orderId": fields["orderId"]}
    expires_at: datetime | None
    if fields.get("expireTime"):
        expires_at = expire_time(fields["expireTime"])
    else:
        order = apig.query_order(order_id=fields["orderId"], order_line_id=fields["orderLineId"])
        expires_at = expire_time(order.expire_time) if order.expire_time else cloud_account.expires_at
    changes: dict[str, Any] = {"expires_at": expires_at}
    if version == "v2":
        vendor_data["orderLineId"] = fields["orderLineId"]
        if fields["scene"] == "TRIAL_TO_FORMAL":
            changes["trial"] = False
    elif fields.get("trialToFormal") == "1":
        changes["trial"] = False
    cloud_account_apply(ctx, cloud_account=cloud_account, changes=changes, vendor_data=vendor_data, event_at=event_at)
