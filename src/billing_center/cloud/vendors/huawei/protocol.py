"""Huawei KooGallery activities, their fields, result codes and dedup keys (reference §3)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils.translation import gettext as _

from billing_center.cloud.models import CloudAccount, CloudAccountState
from billing_center.cloud.vendors._common import Rejected, length_check, required_check

# The timestamp of a signed call must be within this many seconds of our clock; nonces are kept twice as long.
TIMESTAMP_WINDOW_SECONDS = 60
NONCE_TTL_SECONDS = 2 * TIMESTAMP_WINDOW_SECONDS

# Dates outside these years are refused (they cannot be real, and the edges overflow time-zone arithmetic).
MIN_YEAR, MAX_YEAR = 2000, 9998

SUCCESS = "000000"
RESULT_CODES = {
    "invalid_token": "000001",
    "stale_timestamp": "000001",
    "replayed_nonce": "000001",
    "invalid_parameters": "000002",
    "unknown_instance": "000003",
    "internal_error": "000005",
}
RESULT_MESSAGES = {
    SUCCESS: "success",
    "000001": "authentication failed",
    "000002": "invalid parameters",
    "000003": "instance does not exist",
    "000005": "internal error",
}

SCENES = frozenset({"TRIAL_TO_FORMAL", "RENEWAL", "UNSUBSCRIBE_RENEWAL_PERIOD", "RENEWAL_CHANGE"})
STATUSES = frozenset({"FREEZE", "UNFREEZE"})


@dataclass(frozen=True)
class Activity:
    name: str
    required: tuple[str, ...]
    # What the activity does, common to both interfaces: new, query, refresh, status, upgrade, release.
    kind: str


V2_ACTIVITIES = {
    activity.name: activity
    for activity in (
        Activity("newInstance", ("orderId", "orderLineId", "businessId"), "new"),
        Activity("queryInstance", ("instanceId",), "query"),
        Activity("refreshInstance", ("instanceId", "orderId", "orderLineId", "scene"), "refresh"),
        Activity("updateInstanceStatus", ("instanceId", "status"), "status"),
        Activity("upgradeInstance", ("instanceId", "orderId", "orderLineId"), "upgrade"),
        Activity("releaseInstance", ("instanceId",), "release"),
    )
}
V1_ACTIVITIES = {
    activity.name: activity
    for activity in (
        Activity("newInstance", ("customerId", "businessId", "orderId", "productId"), "new"),
        Activity("queryInstance", ("instanceId",), "query"),
        Activity("refreshInstance", ("instanceId", "orderId", "expireTime"), "refresh"),
        Activity("expireInstance", ("instanceId",), "status"),
        Activity("instanceStatus", ("instanceId", "status"), "status"),
        Activity("upgrade", ("instanceId", "orderId", "productId"), "upgrade"),
        Activity("releaseInstance", ("instanceId",), "release"),
    )
}


def activity_check(fields: dict[str, str], activities: dict[str, Activity]) -> Activity:
    activity = activities.get(fields.get("activity", ""))
    if activity is None:
        raise Rejected("invalid_parameters", _("Unknown activity."))
    required_check(fields, activity.required)
    length_check(
        fields,
        (("instanceId", 1000), ("orderId", 128), ("orderLineId", 128), ("businessId", 128), ("customerId", 128)),
    )
    if "scene" in activity.required and fields["scene"] not in SCENES:
        raise Rejected("invalid_parameters", _("Unknown scene."))
    if "status" in activity.required and fields["status"] not in STATUSES:
        raise Rejected("invalid_parameters", _("Unknown status."))
    if fields.get("expireTime"):
        expire_time(fields["expireTime"])
    return activity


def expire_time(value: str) -> datetime:
    """``yyyyMMddHHmmss`` (UTC) as Huawei writes expiry times."""
    try:
        moment = datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        raise Rejected("invalid_parameters", _("expireTime must read yyyyMMddHHmmss.")) from None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise Rejected("invalid_parameters", _("expireTime must read yyyyMMddHHmmss."))
    return moment


def v1_time_stamp(value: str) -> datetime:
    """``yyyyMMddHHmmssSSS`` (UTC), the V1 ``timeStamp``."""
    if len(value) != 17 or not value.isascii() or not value.isdigit():
        raise Rejected("stale_timestamp", _("timeStamp must read yyyyMMddHHmmssSSS."))
    try:
        return datetime.strptime(value, "%Y%m%d%H%M%S%f").replace(tzinfo=UTC)
    except ValueError:
        raise Rejected("stale_timestamp", _("timeStamp must read yyyyMMddHHmmssSSS.")) from None


def probe_instance_id(order_id: str, order_line_id: str) -> str:
    """The instance id a ``testFlag=1`` probe gets: stable per order, never a stored subscription."""
    digest = hashlib.sha256(f"{order_id}|{order_line_id}".encode()).hexdigest()[:24]
    return f"test-{digest}"


def status_target(activity: Activity, fields: dict[str, str]) -> str:
    """The state a status activity asks for (V1 expireInstance is a freeze)."""
    status = "FREEZE" if activity.name == "expireInstance" else fields["status"]
    return CloudAccountState.SUSPENDED if status == "FREEZE" else CloudAccountState.ACTIVE


def dedup_key(version: str, activity: Activity, fields: dict[str, str], cloud_account: CloudAccount | None) -> str:
    """One key per distinct call (reference §4.3): the vendor's retries of it find the first answer."""
    prefix = f"{version}|{activity.name}"
    if activity.kind == "new":
        return f"{prefix}|{fields['orderId']}|{fields.get('orderLineId', '')}"
    instance_id = fields["instanceId"]
    if activity.kind in {"refresh", "upgrade"}:
        parts = [fields.get("orderId", ""), fields.get("orderLineId", ""), fields.get("scene", "")]
        if activity.kind == "refresh":
            parts.append(fields.get("expireTime", ""))
        return f"{prefix}|{instance_id}|{'|'.join(parts)}"
    if activity.kind == "status":
        # A freeze names only the instance: one per stretch of the state it leaves (the time the
        # account entered it), so freeze → unfreeze → freeze are three calls, a retry is not.
        target = status_target(activity, fields)
        leaves = CloudAccountState.ACTIVE if target == CloudAccountState.SUSPENDED else CloudAccountState.SUSPENDED
        since = (cloud_account.transitions or {}).get(leaves, "") if cloud_account is not None else ""
        return f"{prefix}|{instance_id}|{target}|{since}"
    return f"{prefix}|{instance_id}"
