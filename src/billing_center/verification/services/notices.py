"""Notices: messages without a code, on the same delivery queue, audited ``notice.queued``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from billing_center.audit.services import SYSTEM, RequestMeta, audit_record
from billing_center.core.masking import mask_target
from billing_center.verification import events
from billing_center.verification.delivery import delivery_create
from billing_center.verification.models import Channel
from billing_center.verification.services.common import (
    _after_commit_or_now,
    _require_choice,
    target_normalize,
)

if TYPE_CHECKING:
    from billing_center.accounts.models import Account


def notice_send(
    *,
    channel: str,
    target: str,
    subject: str,
    body: str,
    account: Account | None = None,
    meta: RequestMeta = SYSTEM,
) -> None:
    """Queue a notice (no code) on the delivery queue; it goes out after the caller's commit."""
    with transaction.atomic():
        delivery_id = _notice_queue(
            channel=channel, target=target, subject=subject, body=body, account=account, meta=meta
        )
    _after_commit_or_now(delivery_id)


def _notice_queue(
    *, channel: str, target: str, subject: str, body: str, account: Account | None, meta: RequestMeta
) -> int:
    _require_choice(channel, Channel.values, "channel")
    target = target_normalize(target)
    delivery = delivery_create(channel=channel, to=target, subject=subject, body=body, account=account)
    audit_record(
        event=events.NOTICE_QUEUED,
        meta=meta,
        account=account,
        target=delivery,
        new={"to": mask_target(target)},
        detail={"channel": channel, "subject": subject[:200]},
    )
    return delivery.pk
