"""Issuing codes: a new code for (account, purpose, target, flow) through every send limit, its message
on the delivery queue; voiding live codes."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing_center.audit.services import RequestMeta, audit_record
from billing_center.core.masking import mask_target
from billing_center.verification import events, messages
from billing_center.verification.crypto import code_hmac
from billing_center.verification.delivery import delivery_create
from billing_center.verification.models import Channel, OneTimeCode, Purpose
from billing_center.verification.services.common import (
    CODE_DIGITS,
    _after_commit_or_now,
    _require_choice,
    code_lifetime_minutes,
    target_normalize,
)
from billing_center.verification.services.limits import _send_limits_take

if TYPE_CHECKING:
    from billing_center.accounts.models import Account


@dataclass(frozen=True)
class CodeSent:
    target_masked: str
    expires_at: datetime
    resend_available_at: datetime
    delivery: str  # "sent" | "queued" | "delayed"
    # For ``delivery_status()`` after the caller's commit; never show it to a client.
    delivery_id: int | None = field(default=None, repr=False, compare=False)


def code_send(
    *,
    purpose: str,
    channel: str,
    target: str,
    account: Account | None = None,
    flow: str = "",
    meta: RequestMeta,
    language: str = "en",
    decoy_notice: tuple[str, str] | None = None,
    pow: str | None = None,
) -> CodeSent:
    """Send a new code for (account, purpose, target, flow), voiding the previous one.

    ``pow`` is a proof-of-work solution (``pow_verify``); a sign-up SMS needs one while the sign-up SMS
    budget runs low (``ValidationFailed`` "pow_required" / "pow_invalid" on field ``pow``).

    With ``decoy_notice=(subject, body)`` the address gets that notice instead of a code; limits,
    rows, audit and the answer are exactly those of a real code, and no usable code exists.
    Raises ``RateLimited`` ("resend_too_soon", "rate_limited", "purpose_locked") with ``retry_after``.
    """
    _require_choice(purpose, Purpose.values, "purpose")
    _require_choice(channel, Channel.values, "channel")
    target = target_normalize(target)
    with transaction.atomic():
        refusal = _send_limits_take(
            purpose=purpose, channel=channel, target=target, account=account, meta=meta, pow=pow
        )
        if refusal is not None:
            audit_record(
                event=events.CODE_SEND_REFUSED,
                meta=meta,
                account=account,
                new={"target": mask_target(target)},
                detail={"purpose": purpose, "channel": channel, "reason": refusal.code},
            )
        else:
            code = _code_issue(
                purpose=purpose,
                channel=channel,
                target=target,
                account=account,
                flow=flow,
                meta=meta,
                language=language,
                decoy_notice=decoy_notice,
            )
    if refusal is not None:
        # Raised after the block so the refused attempt stays counted.
        raise refusal
    return _code_dispatch(code)


def codes_void(
    *, account: Account | None = None, target: str | None = None, purposes: Iterable[str] | None = None
) -> int:
    """Void every live code of ``account`` and/or ``target`` (optionally only some purposes)."""
    if account is None and target is None:
        raise ValueError("codes_void needs an account or a target")
    codes = OneTimeCode.objects.filter(used_at__isnull=True, voided_at__isnull=True)
    if account is not None:
        codes = codes.filter(account=account)
    if target is not None:
        codes = codes.filter(target=target_normalize(target))
    if purposes is not None:
        codes = codes.filter(purpose__in=list(purposes))
    return codes.update(voided_at=timezone.now(), updated_at=timezone.now())


def _code_issue(
    *,
    purpose: str,
    channel: str,
    target: str,
    account: Account | None,
    flow: str,
    meta: RequestMeta,
    language: str,
    decoy_notice: tuple[str, str] | None,
) -> OneTimeCode:
    now = timezone.now()
    _void_previous(purpose=purpose, target=target, account=account, flow=flow, now=now)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    minutes = code_lifetime_minutes()
    if decoy_notice is not None:
        # Same rows and work as a real code, but the stored HMAC is of a secret nobody ever sees.
        stored_hmac = code_hmac(flow=flow, purpose=purpose, target=target, code=secrets.token_hex(32))
        subject, body = decoy_notice
        sent_code = None
    else:
        stored_hmac = code_hmac(flow=flow, purpose=purpose, target=target, code=code)
        if channel == Channel.EMAIL:
            subject, body = messages.code_email(
                purpose=purpose, code=code, minutes=minutes, language=language
            )
        else:
            subject, body = (
                "",
                messages.code_sms(purpose=purpose, code=code, minutes=minutes, language=language),
            )
        sent_code = code
    delivery = delivery_create(
        channel=channel,
        to=target,
        subject=subject,
        body=body,
        purpose=purpose,
        code=sent_code,
        account=account,
    )
    issued = OneTimeCode.objects.create(
        account=account,
        purpose=purpose,
        channel=channel,
        target=target,
        flow=flow,
        code_hmac=stored_hmac,
        expires_at=now + timedelta(seconds=settings.CODE_TTL_SECONDS),
        is_decoy=decoy_notice is not None,
        delivery=delivery,
        created_at=now,
    )
    # Identical for decoys: the security log must not tell a holder that an address is taken.
    audit_record(
        event=events.CODE_SENT,
        meta=meta,
        account=account,
        target=issued,
        new={"target": mask_target(target)},
        detail={"purpose": purpose, "channel": channel},
    )
    return issued


def _void_previous(*, purpose: str, target: str, account: Account | None, flow: str, now: datetime) -> None:
    previous = OneTimeCode.objects.filter(
        purpose=purpose, target=target, flow=flow, used_at__isnull=True, voided_at__isnull=True
    )
    previous = (
        previous.filter(account=account) if account is not None else previous.filter(account__isnull=True)
    )
    previous.update(voided_at=now, updated_at=now)


def _code_dispatch(code: OneTimeCode) -> CodeSent:
    assert code.delivery_id is not None
    status = _after_commit_or_now(code.delivery_id)
    resend_at = code.created_at + timedelta(seconds=settings.CODE_RESEND_COOLDOWN_SECONDS)
    return CodeSent(
        target_masked=mask_target(code.target),
        expires_at=code.expires_at,
        resend_available_at=resend_at,
        delivery=status,
        delivery_id=code.delivery_id,
    )
