"""The delivery queue: every email and SMS is a ``Delivery`` row, sent after the request's commit and
retried with exponential backoff until it is sent or ``DELIVERY_MAX_ATTEMPTS`` is reached.

A sender first *claims* the row with a conditional UPDATE (``claimed_until``), so the request's first
attempt and any number of workers never send one message twice. The encrypted payload is wiped once
the row is sent or has finally failed.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from billing_center.audit.services import audit_record
from billing_center.core.masking import mask_target
from billing_center.verification import events
from billing_center.verification.channels.email import email_send
from billing_center.verification.channels.sms.base import sms_backend
from billing_center.verification.crypto import payload_open, payload_seal
from billing_center.verification.models import Channel, Delivery, DeliveryStatus, OneTimeCode

logger = logging.getLogger(__name__)

PENDING = (DeliveryStatus.QUEUED, DeliveryStatus.RETRYING)
# A queued row waits this long for the request's own first attempt before a worker may take it.
FIRST_ATTEMPT_GRACE_SECONDS = 30
CLAIM_MARGIN_SECONDS = 30
BATCH_SIZE = 100

# What callers see: the first attempt went out, is still to come, or failed and will be retried.
SENT, QUEUED, DELAYED = "sent", "queued", "delayed"


def delivery_create(
    *,
    channel: str,
    to: str,
    subject: str,
    body: str,
    purpose: str = "",
    code: str | None = None,
    account: Any = None,
) -> Delivery:
    now = timezone.now()
    return Delivery.objects.create(
        channel=channel,
        to=to,
        purpose=purpose,
        account=account if getattr(account, "pk", None) else None,
        payload=payload_seal({"subject": subject, "body": body, "code": code}),
        next_attempt_at=now + timedelta(seconds=FIRST_ATTEMPT_GRACE_SECONDS),
        created_at=now,
    )


def delivery_status(delivery_id: int) -> str:
    """``"sent"``, ``"queued"`` (not tried yet) or ``"delayed"`` (a try failed; retried later, or gave up)."""
    status = Delivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
    return _public_status(status)


def _public_status(status: str | None) -> str:
    if status == DeliveryStatus.SENT:
        return SENT
    if status == DeliveryStatus.QUEUED:
        return QUEUED
    return DELAYED


def delivery_attempt(delivery_id: int, *, timeout: int | None = None, now: datetime | None = None) -> str:
    """Try to send one delivery now (if nobody else holds it); returns its public status afterwards."""
    now = now or timezone.now()
    timeout = timeout or max(settings.EMAIL_TIMEOUT, settings.SMS_TIMEOUT)
    claimed = (
        Delivery.objects.filter(pk=delivery_id, status__in=PENDING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .update(claimed_until=now + timedelta(seconds=timeout + CLAIM_MARGIN_SECONDS))
    )
    if not claimed:
        return delivery_status(delivery_id)
    delivery = Delivery.objects.get(pk=delivery_id)
    if _code_is_dead(delivery, now):
        _finish_failed(delivery, error="The code expired or was replaced before it could be sent.", now=now)
        return DELAYED
    try:
        _transmit(delivery, timeout=timeout)
    except Exception as exc:  # any provider or network failure: record it and retry later
        logger.warning("Delivery %s (%s) failed: %s", delivery.pk, delivery.channel, exc.__class__.__name__)
        return _record_failure(delivery, error=f"{exc.__class__.__name__}: {exc}", now=now)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, payload="", attempts=delivery.attempts + 1, sent_at=timezone.now(),
        claimed_until=None, last_error="", updated_at=timezone.now(),
    )
    return SENT


def deliveries_process_due(*, now: datetime | None = None) -> int:
    """One worker tick: try every queued or retrying delivery that is due. Returns how many were tried."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(status__in=PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:BATCH_SIZE]
    )
    for delivery_id in due:
        delivery_attempt(delivery_id, now=now)
    return len(due)


def delivery_schedule_first_attempt(delivery_id: int) -> None:
    """Runs the first attempt right after the surrounding transaction commits."""
    transaction.on_commit(
        lambda: delivery_attempt(delivery_id, timeout=settings.DELIVERY_FIRST_ATTEMPT_TIMEOUT), robust=True
    )


def _transmit(delivery: Delivery, *, timeout: int) -> None:
    message = payload_open(delivery.payload)
    if delivery.channel == Channel.EMAIL:
        email_send(to=delivery.to, subject=message["subject"], body=message["body"], timeout=timeout)
    else:
        sms_backend(timeout=timeout).send(
            to=delivery.to, body=message["body"], purpose=delivery.purpose, code=message.get("code")
        )


def _code_is_dead(delivery: Delivery, now: datetime) -> bool:
    code = OneTimeCode.objects.filter(delivery=delivery).only("used_at", "voided_at", "expires_at").first()
    return code is not None and not code.is_live(now)


def _record_failure(delivery: Delivery, *, error: str, now: datetime) -> str:
    attempts = delivery.attempts + 1
    if attempts >= settings.DELIVERY_MAX_ATTEMPTS:
        _finish_failed(delivery, error=error, now=now, attempts=attempts)
        return DELAYED
    delay = min(settings.DELIVERY_RETRY_BASE_SECONDS * 2 ** (attempts - 1), settings.DELIVERY_RETRY_MAX_SECONDS)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.RETRYING,
        attempts=attempts,
        next_attempt_at=now + timedelta(seconds=delay),
        claimed_until=None,
        last_error=error[:500],
        updated_at=timezone.now(),
    )
    return DELAYED


def _finish_failed(delivery: Delivery, *, error: str, now: datetime, attempts: int | None = None) -> None:
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED,
            payload="",
            attempts=delivery.attempts if attempts is None else attempts,
            claimed_until=None,
            last_error=error[:500],
            updated_at=timezone.now(),
        )
        audit_record(
            event=events.DELIVERY_FAILED,
            account=delivery.account,
            actor_label="system",
            target=delivery,
            new={"to": mask_target(delivery.to)},
            detail={"channel": delivery.channel, "purpose": delivery.purpose, "error": error[:200]},
        )
