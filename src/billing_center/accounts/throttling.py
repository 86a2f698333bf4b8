"""Password-attempt throttling (SPEC §1), on the shared rate-limit store so it holds across processes.

- Per IP (an IPv6 /64 counts as one address, ``ip_bucket``): at most ``LOGIN_PER_IP_PER_MINUTE``
  attempts a minute.
- Per (identifier, IP) pair: failures are counted in a window of ``LOGIN_PAIR_FAILURE_WINDOW_SECONDS``.
  From the ``LOGIN_PAIR_DELAY_AFTER``-th failure on, the next attempt is allowed only after a delay
  (1 s, doubling, capped at ``LOGIN_PAIR_MAX_DELAY_SECONDS``); from the ``LOGIN_PAIR_BLOCK_AFTER``-th
  failure on, the pair is blocked for ``LOGIN_PAIR_BLOCK_SECONDS``. The delay is a "next attempt
  allowed at" gate answered with 429 + Retry-After, never a sleeping worker.
- One attempt of a pair at a time: an admitted attempt holds the pair's *turn* until its outcome is
  noted (or ``ATTEMPT_TURN_SECONDS`` pass), so concurrent requests cannot all slip past the gate
  before the first of them has recorded its failure.

Nothing here locks an account for everyone: an attacker only ever throttles their own (identifier, IP)
pairs. The account-wide "100 consecutive failures" rule lives in the login service.

Callers must note failures *outside* any transaction they roll back: in the database store a counter
update joins the caller's transaction.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.utils.translation import gettext as _

from billing_center.accounts.identifiers import identifier_kind, normalize_email, normalize_phone
from billing_center.core.errors import RateLimited, ValidationFailed
from billing_center.core.ratelimit import (
    cooldown_acquire,
    cooldown_remaining,
    ip_bucket,
    limit_count,
    limit_hit,
    limit_reset,
    limit_retry_after,
    network_of,
)


def identifier_canonical(identifier: str) -> str:
    """One spelling per identifier, so 'Alice', 'alice' and ' alice ' share a throttle."""
    text = (identifier or "").strip()
    try:
        kind = identifier_kind(text)
        if kind == "email":
            return "email:" + normalize_email(text)
        if kind == "phone":
            return "phone:" + normalize_phone(text)
    except ValidationFailed:
        pass
    return "name:" + text.casefold()


# How long an admitted attempt may hold its pair's turn without noting its outcome (a crashed worker).
ATTEMPT_TURN_SECONDS = 10


def _pair_id(scope: str, identifier: str, ip: str) -> str:
    material = f"{scope}\x00{identifier_canonical(identifier)}\x00{ip_bucket(ip)}"
    return hashlib.sha256(material.encode()).hexdigest()[:40]


def _failures_key(scope: str, identifier: str, ip: str) -> str:
    return f"{scope}:pair:fail:{_pair_id(scope, identifier, ip)}"


def _gate_key(scope: str, identifier: str, ip: str) -> str:
    return f"{scope}:pair:gate:{_pair_id(scope, identifier, ip)}"


def _turn_key(scope: str, identifier: str, ip: str) -> str:
    return f"{scope}:pair:turn:{_pair_id(scope, identifier, ip)}"


def delay_after_failures(failures: int) -> int:
    """Seconds the pair waits before its next attempt after ``failures`` failures (0 = none)."""
    if failures >= settings.LOGIN_PAIR_BLOCK_AFTER:
        return settings.LOGIN_PAIR_BLOCK_SECONDS
    if failures < settings.LOGIN_PAIR_DELAY_AFTER:
        return 0
    return int(min(2 ** (failures - settings.LOGIN_PAIR_DELAY_AFTER), settings.LOGIN_PAIR_MAX_DELAY_SECONDS))


def too_many_attempts(retry_after: int) -> RateLimited:
    return RateLimited(
        _("Too many attempts. Try again in %(seconds)d seconds.") % {"seconds": max(1, retry_after)},
        code="too_many_attempts",
        retry_after=max(1, retry_after),
    )


def attempt_admit(*, identifier: str, ip: str, scope: str = "login") -> None:
    """Count one attempt from ``ip`` and refuse it while the IP or the pair is throttled."""
    per_ip = limit_hit(
        f"{scope}:ip:{ip_bucket(ip) or '-'}", limit=settings.LOGIN_PER_IP_PER_MINUTE, window_seconds=60
    )
    if not per_ip.allowed:
        raise too_many_attempts(per_ip.retry_after)
    wait = cooldown_remaining(_gate_key(scope, identifier, ip))
    if wait > 0:
        raise too_many_attempts(wait)
    # Atomic in the shared store: of concurrent attempts of one pair, exactly one gets the turn.
    busy = cooldown_acquire(_turn_key(scope, identifier, ip), seconds=ATTEMPT_TURN_SECONDS)
    if busy:
        raise too_many_attempts(1)


def failure_note(*, identifier: str, ip: str, scope: str = "login") -> int:
    """Record one failed attempt of the pair; returns the pair's failure count in the window."""
    failures = limit_hit(
        _failures_key(scope, identifier, ip),
        limit=settings.LOGIN_PAIR_BLOCK_AFTER,
        window_seconds=settings.LOGIN_PAIR_FAILURE_WINDOW_SECONDS,
    ).count
    delay = delay_after_failures(failures)
    if delay:
        gate = _gate_key(scope, identifier, ip)
        # A fresh window of exactly `delay` seconds: the gate is closed until it ends.
        limit_reset(gate)
        limit_hit(gate, limit=1, window_seconds=delay)
    # The gate is set before the turn is released, so the next attempt sees it.
    attempt_release(identifier=identifier, ip=ip, scope=scope)
    return failures


def success_note(*, identifier: str, ip: str, scope: str = "login") -> None:
    """A successful attempt clears the pair's failures and any delay."""
    limit_reset(_failures_key(scope, identifier, ip))
    limit_reset(_gate_key(scope, identifier, ip))
    attempt_release(identifier=identifier, ip=ip, scope=scope)


def attempt_release(*, identifier: str, ip: str, scope: str = "login") -> None:
    """Give the pair's turn back without noting an outcome (an attempt that ended otherwise)."""
    limit_reset(_turn_key(scope, identifier, ip))


# --- current-password checks of a logged-in session (password change, re-authentication) ----------
# A stolen session must not become a password oracle: wrong tries are counted per (account, network)
# and per account, and while either is over its cap every try is refused *before* the password is
# checked, so a correct guess is refused too.
CURRENT_PASSWORD_WINDOW_SECONDS = 3600
CURRENT_PASSWORD_TRIES_PER_NETWORK = 10
CURRENT_PASSWORD_TRIES_PER_ACCOUNT = 20


def _current_password_keys(account_id: int, ip: str) -> tuple[str, str]:
    network = hashlib.sha256(network_of(ip).encode()).hexdigest()[:24]
    return f"current-pw:net:{account_id}:{network}", f"current-pw:account:{account_id}"


def current_password_admit(*, account_id: int, ip: str) -> None:
    """Refuse (429 ``rate_limited``) while the (account, network) or the account is over its cap."""
    network_key, account_key = _current_password_keys(account_id, ip)
    for key, cap in (
        (network_key, CURRENT_PASSWORD_TRIES_PER_NETWORK),
        (account_key, CURRENT_PASSWORD_TRIES_PER_ACCOUNT),
    ):
        if limit_count(key) >= cap:
            raise RateLimited(
                _("Too many wrong passwords. Try again later."),
                code="rate_limited",
                retry_after=max(1, limit_retry_after(key)),
            )


def current_password_failure_note(*, account_id: int, ip: str) -> None:
    for key in _current_password_keys(account_id, ip):
        limit_hit(
            key, limit=CURRENT_PASSWORD_TRIES_PER_ACCOUNT, window_seconds=CURRENT_PASSWORD_WINDOW_SECONDS
        )


def current_password_success_note(*, account_id: int, ip: str) -> None:
    """A correct password clears its network's count; the account-wide count runs out its window."""
    limit_reset(_current_password_keys(account_id, ip)[0])
