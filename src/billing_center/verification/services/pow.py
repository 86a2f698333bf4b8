"""Proof of work for sign-up SMS while their hourly budget runs low.

A hashcash: ``pow`` is "<unix seconds>:<nonce>" (nonce: 1-64 letters or digits) such that
SHA-256(POW_PREFIX + pow) starts with ``SMS_SIGNUP_POW_BITS`` zero bits. It is fresh (made within
POW_MAX_AGE_SECONDS) and single use, so each sign-up SMS beyond the calm part of the budget costs the
client about 2^bits hashes. The sign-up page solves it in the browser (app.js); docs/security.md.
"""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_center.core.errors import ValidationFailed
from billing_center.core.ratelimit import cooldown_acquire, limit_count
from billing_center.verification.services.common import _digest

SIGNUP_SMS_BUDGET_KEY = "code:send:sms-budget:signup"
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
