"""What the code services share: normalizing, the caller's-transaction test, the first delivery attempt,
short digests for limit keys."""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.db import transaction

from billing_center.verification.delivery import QUEUED, delivery_attempt, delivery_schedule_first_attempt

CODE_DIGITS = 6
_SEPARATORS = re.compile(r"[\s\-]+")
HOUR = 3600
DAY = 24 * HOUR
# The live code of (purpose, target, flow) is the newest one.
LIVE_CODE_ORDER = ("-created_at", "-id")


def code_lifetime_minutes() -> int:
    """How long a code lives, in whole minutes, as messages and pages state it."""
    return settings.CODE_TTL_SECONDS // 60


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


def _after_commit_or_now(delivery_id: int) -> str:
    """The first attempt: after the caller's commit when there is one, else right now."""
    if _in_caller_transaction():
        delivery_schedule_first_attempt(delivery_id)
        return QUEUED
    return delivery_attempt(delivery_id, timeout=settings.DELIVERY_FIRST_ATTEMPT_TIMEOUT)


def _digest(value: str) -> str:
    # Keeps keys short and free of addresses (Redis keys and table rows are not masked).
    return hashlib.sha256(value.encode()).hexdigest()[:32]
