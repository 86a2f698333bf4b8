"""Checking codes: consume the live code if it matches, else count the failure (attempts, purpose
lock and its notice); the live code's state for status screens.

``code_check`` must be called *outside* any transaction of the caller (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_center.audit.services import RequestMeta, audit_record
from billing_center.core.errors import RateLimited, ValidationFailed
from billing_center.core.masking import mask_target
from billing_center.core.ratelimit import (
    cooldown_acquire,
    cooldown_remaining,
    cooldowns_remaining,
    ip_bucket,
    limit_hit,
    limit_hit_and_cooldowns,
    network_of,
)
from billing_center.core.rawread import Condition, first_where
from billing_center.verification import events, messages
from billing_center.verification.crypto import code_hmac, codes_equal
from billing_center.verification.delivery import QUEUED, delivery_status
from billing_center.verification.models import Channel, OneTimeCode
from billing_center.verification.services.common import (
    CODE_DIGITS,
    DAY,
    HOUR,
    LIVE_CODE_ORDER,
    _after_commit_or_now,
    _in_caller_transaction,
    code_normalize,
    target_normalize,
)
from billing_center.verification.services.limits import (
    CHECK_WINDOW_SECONDS,
    _cooldown_key,
    _failure_key,
    _lock_key,
    _lock_notice_key,
    _locked_error,
    _purpose_lock_take,
    _too_many_requests_message,
)
from billing_center.verification.services.notices import _notice_queue

if TYPE_CHECKING:
    from billing_center.accounts.models import Account


@dataclass(frozen=True)
class CodeState:
    attempts_left: int
    expires_at: datetime
    resend_available_at: datetime
    target_masked: str = ""
    delivery: str = QUEUED


def code_check(
    *,
    purpose: str,
    target: str,
    code: str,
    flow: str = "",
    account: Account | None = None,
    meta: RequestMeta,
) -> OneTimeCode:
    """Consume the live code for (purpose, target, flow[, account]) if ``code`` matches.

    Raises ``ValidationFailed(code="invalid_code")`` for a wrong, expired, used or unknown code (one
    message for all), ``RateLimited`` ("rate_limited" per IP, "purpose_locked"). Call it outside any
    transaction of yours (see the module docstring).
    """
    _require_no_caller_transaction()
    target = target_normalize(target)
    lock_keys = [_lock_key(purpose, target, meta.ip)]
    if meta.ip:
        # The per-IP hit and the purpose-lock reads share one store round trip.
        per_ip, locked_for = limit_hit_and_cooldowns(
            f"code:check:ip:{ip_bucket(meta.ip)}",
            limit=settings.CODE_CHECKS_PER_IP_PER_5_MINUTES,
            window_seconds=CHECK_WINDOW_SECONDS,
            cooldown_keys=lock_keys,
        )
        if not per_ip.allowed:
            raise RateLimited(_too_many_requests_message(), retry_after=per_ip.retry_after)
    else:
        locked_for = cooldowns_remaining(lock_keys)
    if locked_for:
        raise _locked_error(locked_for)
    with transaction.atomic():
        matched, notices = _code_match(
            purpose=purpose, target=target, code=code, flow=flow, account=account, meta=meta
        )
    for delivery_id in notices:
        _after_commit_or_now(delivery_id)
    if matched is None:
        raise invalid_code_error()
    assert matched is not None
    return matched


def code_state(*, purpose: str, target: str, flow: str = "", ip: str = "") -> CodeState | None:
    """The live code's attempts left, expiry and resend time, for status screens; None if there is none.

    The resend time of an anonymous purpose is that of the caller's network (``ip``)."""
    target = target_normalize(target)
    now = timezone.now()
    live = _live_codes(purpose=purpose, target=target, flow=flow, now=now).first()
    if live is None:
        return None
    return CodeState(
        attempts_left=max(0, settings.CODE_MAX_ATTEMPTS - live.attempts),
        expires_at=live.expires_at,
        resend_available_at=now + timedelta(seconds=cooldown_remaining(_cooldown_key(purpose, target, ip))),
        target_masked=mask_target(target),
        delivery=delivery_status(live.delivery_id) if live.delivery_id else QUEUED,
    )


def _require_no_caller_transaction() -> None:
    if _in_caller_transaction():
        raise RuntimeError(
            "code_check() must run outside the caller's transaction: a failed try must stay counted "
            "even though the caller's transaction would roll back on the raised error. Check the code "
            "first, then open your atomic block."
        )


def _live_codes(*, purpose: str, target: str, flow: str, now: datetime):  # type: ignore[no-untyped-def]
    return OneTimeCode.objects.filter(
        purpose=purpose,
        target=target,
        flow=flow,
        used_at__isnull=True,
        voided_at__isnull=True,
        expires_at__gt=now,
    ).order_by(*LIVE_CODE_ORDER)


def invalid_code_error() -> ValidationFailed:
    """The one answer to a wrong, expired, used or unknown code; a caller that refuses after the code
    matched (e.g. a disabled account) answers the same, so the answer never tells which."""
    return ValidationFailed(
        _("The code is wrong or no longer valid. Check it, or ask for a new code."),
        code="invalid_code",
        field="code",
    )


def _code_match(
    *, purpose: str, target: str, code: str, flow: str, account: Account | None, meta: RequestMeta
) -> tuple[OneTimeCode | None, list[int]]:
    """The consumed code, or None and the deliveries (a lock notice) to dispatch after the block."""
    now = timezone.now()
    # _live_codes(…)[.filter(account=account)].select_for_update().first(), hand-written (core.rawread):
    # building the ORM query cost more than the locked read itself on every attempt.
    conditions: list[Condition] = [
        ("purpose", "=", purpose),
        ("target", "=", target),
        ("flow", "=", flow),
        ("used_at", "is null", None),
        ("voided_at", "is null", None),
        ("expires_at", ">", now),
    ]
    if account is not None:
        conditions.append(("account", "=", account))
    live = first_where(OneTimeCode, conditions, order_by=LIVE_CODE_ORDER, for_update=True)
    digits = code_normalize(code)
    well_formed = len(digits) == CODE_DIGITS and digits.isascii() and digits.isdigit()
    candidate_hmac = code_hmac(flow=flow, purpose=purpose, target=target, code=digits)
    # Compared even when there is no live code, so both paths do the same work.
    matches = codes_equal(live.code_hmac if live is not None else "0" * 64, candidate_hmac)
    if live is not None and well_formed and matches and not live.is_decoy:
        consumed = (
            OneTimeCode.objects.filter(pk=live.pk, used_at__isnull=True, voided_at__isnull=True)
            .filter(attempts__lt=settings.CODE_MAX_ATTEMPTS)
            .update(used_at=now, updated_at=now)
        )
        if consumed:
            live.used_at = now
            audit_record(
                event=events.CODE_VERIFIED,
                meta=meta,
                account=live.account or account,
                target=live,
                new={"target": mask_target(target)},
                detail={"purpose": purpose},
            )
            return live, []
    return None, _failure_record(
        purpose=purpose, target=target, live=live, account=account, meta=meta, now=now
    )


def _failure_record(
    *,
    purpose: str,
    target: str,
    live: OneTimeCode | None,
    account: Account | None,
    meta: RequestMeta,
    now: datetime,
) -> list[int]:
    owner = account or (live.account if live is not None else None)
    attempts_left = 0
    if live is not None:
        attempts = live.attempts + 1
        killed = attempts >= settings.CODE_MAX_ATTEMPTS
        OneTimeCode.objects.filter(pk=live.pk).update(
            attempts=attempts, voided_at=now if killed else None, updated_at=now
        )
        attempts_left = max(0, settings.CODE_MAX_ATTEMPTS - attempts)
    audit_record(
        event=events.CODE_CHECK_FAILED,
        meta=meta,
        account=owner,
        target=live,
        new={"target": mask_target(target)},
        detail={"purpose": purpose, "attempts_left": attempts_left},
    )
    failures = limit_hit(
        _failure_key(purpose, target, meta.ip), limit=settings.CODE_PURPOSE_FAILURE_LIMIT, window_seconds=DAY
    )
    if failures.count < settings.CODE_PURPOSE_FAILURE_LIMIT or not _purpose_lock_take(
        purpose, target, meta.ip
    ):
        return []
    return _purpose_locked(purpose=purpose, target=target, owner=owner, meta=meta)


def _purpose_locked(*, purpose: str, target: str, owner: Account | None, meta: RequestMeta) -> list[int]:
    """Audits the lock of the caller's network and queues its notice (at most one per purpose and address
    per lock period, however many networks lock); returns the notice's delivery, if one was queued.

    The purpose's live codes stay valid: the lock is on one network, and the holder's own code must
    keep working from the holder's network."""
    lock_seconds = settings.CODE_PURPOSE_LOCK_SECONDS
    audit_record(
        event=events.CODE_LOCKED,
        meta=meta,
        account=owner,
        new={"target": mask_target(target)},
        detail={"purpose": purpose, "lock_seconds": lock_seconds, "network": network_of(meta.ip)},
    )
    if cooldown_acquire(_lock_notice_key(purpose, target), seconds=lock_seconds):
        return []
    # The notice goes to the account's login email; without an account, to the address itself.
    notice_to, channel, language = target, Channel.EMAIL if "@" in target else Channel.SMS, "en"
    if owner is not None:
        notice_to, channel, language = owner.email, Channel.EMAIL, owner.language
    subject_text, body = messages.purpose_locked_notice(
        purpose=purpose, hours=max(1, lock_seconds // HOUR), language=language
    )
    if channel == Channel.SMS:
        body = subject_text
    return [
        _notice_queue(
            channel=channel, target=notice_to, subject=subject_text, body=body, account=owner, meta=meta
        )
    ]
