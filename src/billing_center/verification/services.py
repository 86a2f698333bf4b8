"""One-time codes for every purpose (SPEC §2): send, check, state, void; notices; the delivery tick.

Limits live in the shared store of ``core.ratelimit`` (all processes and nodes see the same counts).

Transactions: ``code_check`` must be called *outside* any transaction of the caller (it raises
``RuntimeError`` otherwise), because a wrong code has to stay counted, and a caller's transaction
that rolls back on the raised ``ValidationFailed`` would undo the count. ``code_send`` may run inside
a caller's transaction; its message then goes out when that transaction commits (``delivery`` is
``"queued"``; ask ``delivery_status(sent.delivery_id)`` after the commit). Called outside one, it
makes the first attempt before returning, so ``delivery`` is ``"sent"`` or ``"delayed"``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_center.audit.services import SYSTEM, RequestMeta, audit_record
from billing_center.core.errors import ApplicationError, RateLimited, ValidationFailed
from billing_center.core.masking import mask_target
from billing_center.core.ratelimit import (
    cooldown_acquire,
    cooldown_remaining,
    cooldowns_remaining,
    ip_bucket,
    known_network_is,
    limit_count,
    limit_hit,
    limit_hit_and_cooldowns,
    limit_reset,
    network_of,
)
from billing_center.core.rawread import Condition, first_where
from billing_center.verification import events, messages
from billing_center.verification.crypto import code_hmac, codes_equal
from billing_center.verification.delivery import (
    QUEUED,
    deliveries_process_due,
    delivery_attempt,
    delivery_create,
    delivery_schedule_first_attempt,
    delivery_status,
)
from billing_center.verification.models import Channel, OneTimeCode, Purpose

if TYPE_CHECKING:
    from billing_center.accounts.models import Account

__all__ = [
    "CodeSent",
    "CodeState",
    "code_check",
    "code_send",
    "code_state",
    "codes_void",
    "deliveries_process_due",
    "delivery_status",
    "invalid_code_error",
    "notice_send",
]

CODE_DIGITS = 6
_SEPARATORS = re.compile(r"[\s\-]+")
HOUR = 3600
DAY = 24 * HOUR
CHECK_WINDOW_SECONDS = 5 * 60
# The live code of (purpose, target, flow) is the newest one.
LIVE_CODE_ORDER = ("-created_at", "-id")

# Codes a logged-in holder asks for in their own flows. Their sends have their own budget (no stranger
# can spend it) and their cooldown is per address; every other purpose is "anonymous": the caller may
# be anyone who typed the address, so its sends and failures count per (address, network).
HOLDER_PURPOSES = frozenset(
    {
        Purpose.REAUTH,
        Purpose.EMAIL_CHANGE_CURRENT,
        Purpose.EMAIL_CHANGE_NEW,
        Purpose.PHONE_CHANGE_CURRENT,
        Purpose.PHONE_CHANGE_NEW,
    }
)


@dataclass(frozen=True)
class CodeSent:
    target_masked: str
    expires_at: datetime
    resend_available_at: datetime
    delivery: str  # "sent" | "queued" | "delayed"
    # For ``delivery_status()`` after the caller's commit; never show it to a client.
    delivery_id: int | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class CodeState:
    attempts_left: int
    expires_at: datetime
    resend_available_at: datetime
    target_masked: str = ""
    delivery: str = QUEUED


# --- public API -------------------------------------------------------------------------------------


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


# --- helpers ----------------------------------------------------------------------------------------


def target_normalize(target: str) -> str:
    """Codes are bound to the address as the caller normalized it; emails compare case-insensitively."""
    target = target.strip()
    return target.lower() if "@" in target else target


def code_normalize(code: str) -> str:
    return _SEPARATORS.sub("", code or "")


def _require_choice(value: str, allowed: list[str], name: str) -> None:
    if value not in allowed:
        raise ValueError(f"Unknown {name}: {value!r}")


def _in_caller_transaction() -> bool:
    connection = transaction.get_connection()
    return connection.in_atomic_block and any(
        not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    )


def _require_no_caller_transaction() -> None:
    if _in_caller_transaction():
        raise RuntimeError(
            "code_check() must run outside the caller's transaction: a failed try must stay counted "
            "even though the caller's transaction would roll back on the raised error. Check the code "
            "first, then open your atomic block."
        )


def _digest(value: str) -> str:
    # Keeps keys short and free of addresses (Redis keys and table rows are not masked).
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _cooldown_key(purpose: str, target: str, ip: str = "") -> str:
    """Per (purpose, address) for holder purposes; per (purpose, address, network) for the others, so a
    stranger asking every minute does not keep the holder's own resend waiting."""
    if purpose in HOLDER_PURPOSES:
        return f"code:cooldown:{purpose}:{_digest(target)}"
    return f"code:cooldown:{purpose}:{_digest(target)}:{_digest(network_of(ip))}"


def _network_subject(target: str, ip: str) -> str:
    """What a purpose lock applies to: the typed address from one network (SPEC §2). Never the account:
    a lock on the account would make its other address answer "locked" too, telling a stranger that the
    two belong together, and would lock the holder out from their own network."""
    return f"{_digest(target)}:{_digest(network_of(ip))}"


def _lock_key(purpose: str, target: str, ip: str) -> str:
    return f"code:lock:{purpose}:{_network_subject(target, ip)}"


def _failure_key(purpose: str, target: str, ip: str) -> str:
    return f"code:fail:{purpose}:{_network_subject(target, ip)}"


def _lock_notice_key(purpose: str, target: str) -> str:
    return f"code:lock-notice:{purpose}:{_digest(target)}"


def _too_many_requests_message() -> str:
    return _("Too many requests. Try again later.")


def _locked_error(retry_after: int) -> RateLimited:
    return RateLimited(
        _("This kind of code is blocked for a while after too many wrong codes. Try again later."),
        code="purpose_locked",
        retry_after=retry_after,
    )


def _send_limits_take(
    *, purpose: str, channel: str, target: str, account: Account | None, meta: RequestMeta, pow: str | None
) -> ApplicationError | None:
    """Counts this send on every limit in order; the first one that refuses stops the rest. The resend
    cooldown is given back when a cap refuses: it is taken only by a send that goes out."""
    lock_left = cooldown_remaining(_lock_key(purpose, target, meta.ip))
    if lock_left:
        return _locked_error(lock_left)
    if purpose == Purpose.SIGNUP_PHONE and channel == Channel.SMS:
        challenge = _signup_sms_challenge(pow)
        if challenge is not None:
            return challenge
    cooldown_key = _cooldown_key(purpose, target, meta.ip)
    cooldown_left = cooldown_acquire(cooldown_key, seconds=settings.CODE_RESEND_COOLDOWN_SECONDS)
    if cooldown_left:
        return RateLimited(
            _("Wait a minute before asking for another code."),
            code="resend_too_soon",
            retry_after=cooldown_left,
        )
    for key, limit, window in _send_caps(
        purpose=purpose, channel=channel, target=target, account=account, meta=meta
    ):
        result = limit_hit(key, limit=limit, window_seconds=window)
        if not result.allowed:
            limit_reset(cooldown_key)
            return RateLimited(_too_many_requests_message(), retry_after=result.retry_after)
    return None


def _send_caps(
    *, purpose: str, channel: str, target: str, account: Account | None, meta: RequestMeta
) -> list[tuple[str, int, int]]:
    """(key, limit, window) of every cap a send counts on (docs/security.md explains each).

    - Holder purposes: per IP, and a budget of the holder's own (per account, per address, SMS) that
      no anonymous request touches.
    - Anonymous purposes: per IP and per (address, network); the address-wide and account caps bound
      what all *unknown* networks together can ask for (SPEC §2: 10 codes a day), while a network the
      account already logged in from keeps its own (address, network) budget.
    - SMS: sign-up SMS have their own hourly sub-budget; other anonymous SMS share the hourly budget;
      holder SMS and SMS to a known network have budgets of their own, so neither is ever starved.
    """
    caps: list[tuple[str, int, int]] = []
    if meta.ip:
        caps.append((f"code:send:ip:{ip_bucket(meta.ip)}", settings.CODE_SENDS_PER_IP_PER_HOUR, HOUR))
    target_key = _digest(target)
    per_hour, per_day = settings.CODE_SENDS_PER_TARGET_PER_HOUR, settings.CODE_SENDS_PER_TARGET_PER_DAY
    if purpose in HOLDER_PURPOSES:
        if account is not None and account.pk:
            caps.append(
                (f"code:send:holder:account:{account.pk}", settings.CODE_SENDS_PER_ACCOUNT_PER_HOUR, HOUR)
            )
        caps.append((f"code:send:holder:target:h:{target_key}", per_hour, HOUR))
        caps.append((f"code:send:holder:target:d:{target_key}", per_day, DAY))
        sms_budget = ("code:send:sms-budget:holder", settings.SMS_BUDGET_PER_HOUR, HOUR)
    else:
        network_key = _digest(network_of(meta.ip))
        caps.append((f"code:send:net:h:{target_key}:{network_key}", per_hour, HOUR))
        caps.append((f"code:send:net:d:{target_key}:{network_key}", per_day, DAY))
        known = (
            account is not None and bool(account.pk) and known_network_is(account_id=account.pk, ip=meta.ip)
        )
        if known:
            sms_budget = ("code:send:sms-budget:known", settings.SMS_BUDGET_PER_HOUR, HOUR)
        else:
            if account is not None and account.pk:
                caps.append(
                    (f"code:send:account:{account.pk}", settings.CODE_SENDS_PER_ACCOUNT_PER_HOUR, HOUR)
                )
            caps.append((f"code:send:target:h:{target_key}", per_hour, HOUR))
            caps.append((f"code:send:target:d:{target_key}", per_day, DAY))
            sms_budget = ("code:send:sms-budget", settings.SMS_BUDGET_PER_HOUR, HOUR)
        if purpose == Purpose.SIGNUP_PHONE:
            sms_budget = (SIGNUP_SMS_BUDGET_KEY, settings.SMS_SIGNUP_BUDGET_PER_HOUR, HOUR)
    if channel == Channel.SMS:
        caps.append(sms_budget)
    return caps


SIGNUP_SMS_BUDGET_KEY = "code:send:sms-budget:signup"

# --- proof of work (sign-up SMS) ----------------------------------------------------------------------
# A hashcash: ``pow`` is "<unix seconds>:<nonce>" (nonce: 1-64 letters or digits) such that
# SHA-256(POW_PREFIX + pow) starts with ``SMS_SIGNUP_POW_BITS`` zero bits. It is fresh (made within
# POW_MAX_AGE_SECONDS) and single use, so each sign-up SMS beyond the calm part of the budget costs the
# client about 2^bits hashes. The sign-up page solves it in the browser (app.js); docs/security.md.
POW_PREFIX = "billing-center-pow-v1:"
POW_MAX_AGE_SECONDS = 600
_POW_FORMAT = re.compile(r"^(\d{1,12}):([A-Za-z0-9]{1,64})$")


def pow_required() -> bool:
    """True while the hour's sign-up SMS budget is used up to ``SMS_SIGNUP_CHALLENGE_AFTER``."""
    return limit_count(SIGNUP_SMS_BUDGET_KEY) >= settings.SMS_SIGNUP_CHALLENGE_AFTER


def pow_verify(pow: str) -> bool:
    """A well-formed, fresh, sufficient and unused solution (using it spends it)."""
    found = _POW_FORMAT.match(pow or "")
    if found is None:
        return False
    age = timezone.now().timestamp() - int(found.group(1))
    if not -60 <= age <= POW_MAX_AGE_SECONDS:
        return False
    digest = hashlib.sha256((POW_PREFIX + pow).encode()).digest()
    if _leading_zero_bits(digest) < settings.SMS_SIGNUP_POW_BITS:
        return False
    return cooldown_acquire(f"pow:used:{_digest(pow)}", seconds=POW_MAX_AGE_SECONDS + 120) == 0


def _leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte:
            return bits + 8 - byte.bit_length()
        bits += 8
    return bits


def _signup_sms_challenge(pow: str | None) -> ValidationFailed | None:
    if not pow_required():
        return None
    if not pow:
        message = _(
            "Sign-up SMS are in high demand: your browser must solve a short puzzle first. Try again."
        )
        code = "pow_required"
    elif not pow_verify(pow):
        message, code = _("The puzzle answer is not valid or was already used. Try again."), "pow_invalid"
    else:
        return None
    return ValidationFailed(
        message,
        field="pow",
        code=code,
        extra={"pow": {"prefix": POW_PREFIX, "bits": settings.SMS_SIGNUP_POW_BITS}},
    )


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
    minutes = settings.CODE_TTL_SECONDS // 60
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


def _after_commit_or_now(delivery_id: int) -> str:
    """The first attempt: after the caller's commit when there is one, else right now."""
    if _in_caller_transaction():
        delivery_schedule_first_attempt(delivery_id)
        return QUEUED
    return delivery_attempt(delivery_id, timeout=settings.DELIVERY_FIRST_ATTEMPT_TIMEOUT)


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
    """The answer of a wrong code; a flow whose failure must not tell itself apart from one raises it too."""
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


def _purpose_lock_take(purpose: str, target: str, ip: str) -> bool:
    """True when this call set the lock of (purpose, address, network)."""
    if cooldown_acquire(_lock_key(purpose, target, ip), seconds=settings.CODE_PURPOSE_LOCK_SECONDS):
        return False
    limit_reset(_failure_key(purpose, target, ip))
    return True


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
