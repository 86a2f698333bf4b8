"""AWS Marketplace writes: the registration (cloud account + landing id) and the lifecycle inbox handler.

Every state change goes through the cloud app's one state machine (``cloud_account_apply`` /
``cloud_account_transition``); the inbox (``inbox_process``) stores each SNS / EventBridge call before
:func:`inbox_handle` acts on it, so a retried call gets its first answer and changes nothing more.

Correlation (``reference/marketplaces.md`` §1.3, §4.1): a cloud account is keyed on the licence ARN
(``instance_id``) with the buyer's AWS account id (``vendor_account_id``); ``vendor_data`` keeps the
legacy ``customer_identifier`` (what SNS names), the ``agreement_id`` (what agreement events name) and
the licence's ``l-…`` suffix (what licence events name). A lifecycle event that arrives before the
buyer registered is kept as ``unmatched`` in its inbox row and applied when the registration happens.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_center.audit.services import SYSTEM, RequestMeta, audit_record
from billing_center.cloud import events
from billing_center.cloud.inbox import InboxContext
from billing_center.cloud.models import (
    AwsRegistration,
    CloudAccount,
    CloudAccountState,
    InboxEvent,
    InboxStatus,
    Vendor,
)
from billing_center.cloud.services import cloud_account_apply, cloud_account_record
from billing_center.cloud.vendors.aws import metering
from billing_center.cloud.vendors.aws.metering import Entitlement, ResolvedCustomer
from billing_center.cloud.vendors.aws.payloads import parse_utc
from billing_center.cloud.vendors.aws.selectors import (
    aws_cloud_accounts_named,
    aws_registration_lookup,
    registration_key_hash,
)
from billing_center.core.errors import Conflict

logger = logging.getLogger(__name__)

S = CloudAccountState
REGISTRATION_TTL = timedelta(hours=24)
FINAL_USAGE_WINDOW = timedelta(hours=1)

SNS_ACTIONS: dict[str, str | None] = {
    "subscribe-success": S.ACTIVE,
    "subscribe-fail": S.FAILED,
    "unsubscribe-pending": S.CANCELLING,
    "unsubscribe-success": S.CANCELLED,
    # Re-read with GetEntitlements: current entitlements → active, none → cancelled.
    "entitlement-updated": None,
}


# --- Registration -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    key: str  # the opaque landing id (only its hash is stored)
    cloud_account: CloudAccount
    created: bool


def _entitlements_json(entitlements: list[Entitlement] | None) -> list[dict[str, Any]] | None:
    return None if entitlements is None else [e.as_json() for e in entitlements]


@transaction.atomic
def aws_registration_create(
    *,
    customer: ResolvedCustomer,
    free_trial: bool,
    entitlements: list[Entitlement] | None,
    meta: RequestMeta = SYSTEM,
) -> Registration:
    """Record (or find) the subscription ``ResolveCustomer`` named and issue a landing id valid 24 h.

    A new cloud account starts ``pending`` (activation comes from the lifecycle events); lifecycle
    events that arrived before it are applied now, in event order. A repeated registration finds the
    same account, keeps its details as first recorded, and only applies calls still left unmatched.
    """
    instance_id = customer.license_arn or customer.customer_identifier
    vendor_data: dict[str, Any] = {
        "customer_identifier": customer.customer_identifier,
        "license_arn": customer.license_arn,
        "license": metering.license_suffix(customer.license_arn) if customer.license_arn else "",
        "agreement_id": customer.agreement_id,
        "product_code": customer.product_code,
        "offer_type": "free-trial" if free_trial else "",
    }
    snapshot = _entitlements_json(entitlements)
    if snapshot is not None:
        vendor_data["entitlements"] = snapshot
    now = timezone.now()

    def record() -> tuple[CloudAccount, bool]:
        return cloud_account_record(
            vendor=Vendor.AWS,
            instance_id=instance_id,
            event_at=now,
            vendor_account_id=customer.customer_aws_account_id,
            product=customer.product_code,
            trial=free_trial,
            vendor_data=vendor_data,
            meta=meta,
        )

    try:
        cloud_account, created = record()
    except IntegrityError:
        # The same buyer's other request (a double click) created it a moment ago: use that one.
        cloud_account, created = record()
    if not created and cloud_account.vendor_account_id != customer.customer_aws_account_id:
        # A licence belongs to one buyer account: never hand another account's subscription out.
        raise Conflict(_("This AWS Marketplace subscription belongs to another AWS account."), code="aws_account_mismatch")
    if created:
        # The registration is our event, not the vendor's: it must not make the vendor's own events
        # (timed by AWS's clock, possibly a moment earlier) look stale.
        CloudAccount.objects.filter(pk=cloud_account.pk).update(last_event_at=None)
        cloud_account.last_event_at = None
    # Also on a repeated registration: picks up a call that raced the first one (docs/marketplaces-aws.md).
    _apply_deferred(cloud_account, meta=meta)
    key = secrets.token_urlsafe(32)
    AwsRegistration.objects.create(
        key_hash=registration_key_hash(key),
        cloud_account=cloud_account,
        created_at=now,
        expires_at=now + REGISTRATION_TTL,
    )
    audit_record(
        event=events.AWS_REGISTRATION_RESOLVED,
        meta=meta,
        actor_label=Vendor.AWS,
        target=cloud_account,
        detail={"created": created, "free_trial": free_trial},
    )
    return Registration(key=key, cloud_account=cloud_account, created=created)


@transaction.atomic
def aws_registration_consume(*, key: str, meta: RequestMeta = SYSTEM) -> CloudAccount | None:
    """Use a landing id once (for the holder's link): its cloud account, or None if unknown/used/expired."""
    found = aws_registration_lookup(key=key)
    if found is None:
        return None
    locked = AwsRegistration.objects.select_for_update().get(pk=found.pk)
    if locked.used_at is not None:
        return None
    locked.used_at = timezone.now()
    locked.save(update_fields=["used_at", "updated_at"])
    audit_record(
        event=events.AWS_REGISTRATION_USED, meta=meta, actor_label=Vendor.AWS, target=found.cloud_account
    )
    return found.cloud_account


# --- Lifecycle events (the inbox handler) -----------------------------------------------------------


@dataclass(frozen=True)
class LifecycleEvent:
    """One SNS notification or EventBridge event, reduced to what the state machine needs."""

    action: str
    event_at: datetime
    keys: dict[str, str]  # customer_identifier / agreement_id / license: how to find the account
    payload: dict[str, Any]


def inbox_handle(ctx: InboxContext) -> dict[str, Any]:
    """Process one stored AWS call (``request['channel']`` is ``sns`` or ``eventbridge``)."""
    request = ctx.request
    channel = request.get("channel")
    if channel == "sns":
        return _handle_sns(ctx, request.get("message") or {})
    if channel == "eventbridge":
        event = _eventbridge_event(request.get("event") or {})
        _apply_or_defer(ctx, event)
        return {"ok": True}
    raise ValueError(f"Unknown AWS inbox channel {channel!r}")


def _handle_sns(ctx: InboxContext, message: dict[str, Any]) -> dict[str, Any]:
    kind = message.get("Type")
    if kind == "SubscriptionConfirmation":
        url = str(message.get("SubscribeURL") or "")
        ctx.changes["subscription_confirmed"] = str(message.get("TopicArn") or "")
        transaction.on_commit(lambda: _confirm(url))
        return {"ok": True}
    if kind != "Notification":
        ctx.changes["ignored"] = "not_a_notification"
        return {"ok": True}
    event = _sns_event(message)
    if event is None:
        ctx.changes["ignored"] = "unknown_message"
        return {"ok": True}
    _apply_or_defer(ctx, event)
    return {"ok": True}


def _confirm(url: str) -> None:
    from billing_center.cloud.vendors.aws.sns import SnsRejected, confirm_subscription

    try:
        confirm_subscription(url)
    except SnsRejected as refused:
        logger.warning("SNS subscription confirmation failed: %s", refused.reason)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _parse_time(value: Any) -> datetime | None:
    return parse_utc(value)


def _sns_event(message: dict[str, Any]) -> LifecycleEvent | None:
    try:
        payload = json.loads(_text(message.get("Message")))
    except ValueError:
        return None
    event_at = _parse_time(message.get("Timestamp"))
    if not isinstance(payload, dict) or event_at is None:
        return None
    action = _text(payload.get("action"))
    customer = _text(payload.get("customer-identifier"))
    if action not in SNS_ACTIONS or not customer:
        return None
    return LifecycleEvent(
        action=action,
        event_at=event_at,
        keys={"customer_identifier": customer, "product_code": _text(payload.get("product-code"))},
        payload=payload,
    )


def _eventbridge_event(envelope: dict[str, Any]) -> LifecycleEvent:
    from billing_center.cloud.vendors.aws.eventbridge import MarketplaceEvent, event_keys

    event_at = _parse_time(envelope.get("time"))
    detail = envelope.get("detail")
    if event_at is None or not isinstance(detail, dict):
        raise ValueError("Stored EventBridge event without time or detail")
    keys = event_keys(
        MarketplaceEvent(
            id=_text(envelope.get("id")),
            detail_type=_text(envelope.get("detail-type")),
            time=event_at,
            detail=detail,
            raw=envelope,
        )
    )
    return LifecycleEvent(action=_text(envelope.get("detail-type")), event_at=event_at, keys=keys, payload=detail)


def _apply_or_defer(ctx: InboxContext, event: LifecycleEvent) -> None:
    product = event.keys.get("product_code")
    if product and product != settings.AWS_MARKETPLACE_PRODUCT_CODE:
        ctx.changes["ignored"] = "other_product"
        return
    accounts = aws_cloud_accounts_named(event.keys)
    if not accounts:
        # Before the buyer registered: kept here and applied by aws_registration_create.
        ctx.changes["unmatched"] = {
            **{k: v for k, v in event.keys.items() if k in ("customer_identifier", "agreement_id", "license") and v},
            "event_at": event.event_at.isoformat(),
        }
        return
    for cloud_account in accounts:
        _apply(ctx, cloud_account, event)


def _apply(ctx: InboxContext, cloud_account: CloudAccount, event: LifecycleEvent) -> None:
    action = event.action
    to_state: str | None = None
    changes: dict[str, Any] = {}
    vendor_data: dict[str, Any] = {}
    if action in SNS_ACTIONS:
        to_state = SNS_ACTIONS[action]
        if action == "subscribe-success":
            if _text(event.payload.get("isFreeTrialTermPresent")).lower() == "true":
                changes["trial"] = True
            if _text(event.payload.get("offer-identifier")):
                vendor_data["offer_id"] = event.payload["offer-identifier"]
        elif action == "unsubscribe-pending":
            vendor_data["final_usage_deadline"] = (event.event_at + FINAL_USAGE_WINDOW).isoformat()
        elif action == "entitlement-updated":
            entitlements = _entitlements_of(cloud_account)
            vendor_data["entitlements"] = _entitlements_json(entitlements)
            to_state = S.ACTIVE if metering.entitlements_current(entitlements, now=timezone.now()) else S.CANCELLED
    elif action.startswith("Purchase Agreement Created - "):
        if event.keys.get("agreement_status") in ("", "ACTIVE"):
            to_state = S.ACTIVE
    elif action.startswith("Purchase Agreement Ended - "):
        to_state = S.CANCELLING
        vendor_data["final_usage_deadline"] = (event.event_at + FINAL_USAGE_WINDOW).isoformat()
        if event.keys.get("agreement_status"):
            vendor_data["agreement_status"] = event.keys["agreement_status"]
    elif action.startswith("Purchase Agreement Amended - "):
        agreement = event.payload.get("agreement")
        if isinstance(agreement, dict) and isinstance(agreement.get("autoRenewalEnabled"), bool):
            vendor_data["auto_renewal"] = agreement["autoRenewalEnabled"]
    elif action == "License Updated - Manufacturer":
        entitlements = _entitlements_of(cloud_account)
        vendor_data["entitlements"] = _entitlements_json(entitlements)
        if metering.entitlements_current(entitlements, now=timezone.now()):
            to_state = S.ACTIVE
    elif action == "License Deprovisioned - Manufacturer":
        to_state = S.CANCELLED
    if to_state is None and not changes and not vendor_data:
        ctx.note(cloud_account, {"ignored": "informational"})
        return
    cloud_account_apply(
        ctx,
        cloud_account=cloud_account,
        to_state=to_state,
        event_at=event.event_at,
        changes=changes or None,
        vendor_data=vendor_data or None,
        reason=action,
    )


def _entitlements_of(cloud_account: CloudAccount) -> list[Entitlement]:
    """GetEntitlements for this subscription (raises MarketplaceUnavailable: the row is kept for a retry)."""
    data = cloud_account.vendor_data or {}
    return metering.get_entitlements(
        product_code=_text(data.get("product_code")) or settings.AWS_MARKETPLACE_PRODUCT_CODE,
        customer_aws_account_id=cloud_account.vendor_account_id,
        license_arn=_text(data.get("license_arn")),
        customer_identifier="" if cloud_account.vendor_account_id else _text(data.get("customer_identifier")),
    )


def _apply_deferred(cloud_account: CloudAccount, *, meta: RequestMeta) -> None:
    """Apply, in event order, the lifecycle calls that arrived before this subscription was registered."""
    data = cloud_account.vendor_data or {}
    match = Q()
    for name in ("customer_identifier", "agreement_id", "license"):
        if data.get(name):
            match |= Q(**{f"result__unmatched__{name}": data[name]})
    if not match:
        return
    rows = list(
        InboxEvent.objects.select_for_update()
        .filter(Q(vendor=Vendor.AWS, status=InboxStatus.PROCESSED, cloud_account__isnull=True) & match)
        .order_by("received_at", "id")
    )
    rows.sort(key=lambda row: str((row.result or {}).get("unmatched", {}).get("event_at", "")))
    for row in rows:
        ctx = InboxContext(event=row, meta=meta)
        channel = row.request.get("channel") if isinstance(row.request, dict) else None
        event = (
            _sns_event(row.request.get("message") or {})
            if channel == "sns"
            else _eventbridge_event(row.request.get("event") or {})
        )
        if event is None:
            continue
        _apply(ctx, cloud_account, event)
        row.result = {**ctx.changes, "applied_at_registration": True}
        row.cloud_account = cloud_account
        row.save(update_fields=["result", "cloud_account", "updated_at"])
