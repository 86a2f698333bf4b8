"""The limits of sending and checking codes (SPEC §2): resend cooldowns, send caps and budgets, the
per-IP check cap, purpose locks. Counts live in the shared store of ``core.ratelimit`` (all processes
and nodes see the same counts); docs/security.md explains each limit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

from billing_center.audit.services import RequestMeta
from billing_center.core.errors import ApplicationError, RateLimited
from billing_center.core.ratelimit import (
    cooldown_acquire,
    cooldown_remaining,
    ip_bucket,
    known_network_is,
    limit_hit,
    limit_reset,
    network_of,
)
from billing_center.verification.models import Channel, Purpose
from billing_center.verification.services.common import DAY, HOUR, _digest
from billing_center.verification.services.pow import SIGNUP_SMS_BUDGET_KEY, _signup_sms_challenge

if TYPE_CHECKING:
    from billing_center.accounts.models import Account

CHECK_WINDOW_SECONDS = 5 * 60

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
        caps += _account_and_address_caps("code:send:holder:", account=account, target_key=target_key)
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
            caps += _account_and_address_caps("code:send:", account=account, target_key=target_key)
            sms_budget = ("code:send:sms-budget", settings.SMS_BUDGET_PER_HOUR, HOUR)
        if purpose == Purpose.SIGNUP_PHONE:
            sms_budget = (SIGNUP_SMS_BUDGET_KEY, settings.SMS_SIGNUP_BUDGET_PER_HOUR, HOUR)
    if channel == Channel.SMS:
        caps.append(sms_budget)
    return caps


def _account_and_address_caps(
    prefix: str, *, account: Account | None, target_key: str
) -> list[tuple[str, int, int]]:
    """The hourly cap of the account (if it exists) and the hourly and daily caps of the address, in that
    order, in the budget named by ``prefix``."""
    caps: list[tuple[str, int, int]] = []
    if account is not None and account.pk:
        caps.append((f"{prefix}account:{account.pk}", settings.CODE_SENDS_PER_ACCOUNT_PER_HOUR, HOUR))
    caps.append((f"{prefix}target:h:{target_key}", settings.CODE_SENDS_PER_TARGET_PER_HOUR, HOUR))
    caps.append((f"{prefix}target:d:{target_key}", settings.CODE_SENDS_PER_TARGET_PER_DAY, DAY))
    return caps


def _purpose_lock_take(purpose: str, target: str, ip: str) -> bool:
    """True when this call set the lock of (purpose, address, network)."""
    if cooldown_acquire(_lock_key(purpose, target, ip), seconds=settings.CODE_PURPOSE_LOCK_SECONDS):
        return False
    limit_reset(_failure_key(purpose, target, ip))
    return True
