"""Two-factor authentication (TOTP with django-otp, plus single-use recovery codes).

- Enrolment: ``two_factor_setup_start`` makes an unconfirmed TOTP device (its secret is shown once as a
  QR code); ``two_factor_setup_confirm`` checks a first code, confirms the device and returns ten
  recovery codes, shown once. Recovery codes are stored only as HMAC-SHA256 under ``CODE_HMAC_KEY``
  (django-otp's static tokens hold the hash, never the code) and each works once.
- ``two_factor_verify`` checks a TOTP code (a code already used, or one from an earlier time step, is
  refused: django-otp keeps the last step used, under a row lock here) or a recovery code. Wrong tries
  are counted per (account, network) in the shared rate-limit store, like one-time codes.
- ``two_factor_disable`` needs a fresh re-authentication and emails the holder.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any, NoReturn

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from billing_center.accounts import events
from billing_center.audit.services import SYSTEM, RequestMeta, audit_record
from billing_center.core.errors import Conflict, RateLimited, ReauthenticationRequired, ValidationFailed
from billing_center.core.ratelimit import ip_bucket, limit_count, limit_hit, limit_retry_after
from billing_center.verification.services import notice_send

TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"
RECOVERY_CODE_COUNT = 10
FAILURE_WINDOW_SECONDS = 15 * 60


@dataclass(frozen=True)
class Enrolment:
    uri: str
    secret: str
    recovery_codes: list[str]


def two_factor_enabled(account: Any) -> bool:
    return bool(TOTPDevice.objects.filter(user_id=account.pk, confirmed=True).exists())


def recovery_codes_left(account: Any) -> int:
    return int(StaticToken.objects.filter(device__user_id=account.pk, device__name=RECOVERY_NAME).count())


def totp_secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def two_factor_setup_device(account: Any) -> TOTPDevice | None:
    """The unconfirmed device of an enrolment in progress."""
    return TOTPDevice.objects.filter(user_id=account.pk, confirmed=False).first()


@transaction.atomic
def two_factor_setup_start(*, account: Any) -> TOTPDevice:
    """A fresh secret for an enrolment (any earlier unfinished one is dropped)."""
    if two_factor_enabled(account):
        raise Conflict(_("Two-factor authentication is already on."), code="two_factor_enabled")
    TOTPDevice.objects.filter(user_id=account.pk, confirmed=False).delete()
    return TOTPDevice.objects.create(user=account, name=TOTP_NAME, confirmed=False)


def two_factor_setup_confirm(*, account: Any, code: str, meta: RequestMeta = SYSTEM) -> list[str]:
    """Confirm the enrolment with a first code from the app; returns the recovery codes (shown once)."""
    key = _failure_key(account, meta)
    _check_not_throttled(key)
    codes: list[str] = []
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user_id=account.pk, confirmed=False).first()
        if device is None:
            raise Conflict(_("Start the set-up again."), code="two_factor_setup_missing")
        verified = device.verify_token(_digits(code))
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _recovery_codes_replace(account)
            audit_record(event=events.TWO_FACTOR_ENABLED, meta=meta, account=account)
            _notify(account, enabled=True, meta=meta)
    if not verified:
        _failed(account, key, meta)
    return codes


def two_factor_verify(*, account: Any, code: str, meta: RequestMeta = SYSTEM) -> str:
    """Check a second-factor code; returns ``"totp"`` or ``"recovery"``. A wrong code raises
    ValidationFailed(code="two_factor_invalid"); too many wrong ones raise RateLimited."""
    key = _failure_key(account, meta)
    _check_not_throttled(key)
    method = ""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user_id=account.pk, confirmed=True).first()
        if device is None:
            raise Conflict(_("Two-factor authentication is not on."), code="two_factor_not_enabled")
        digits = _digits(code)
        if len(digits) == device.digits and device.verify_token(digits):
            method = "totp"
        elif _recovery_code_consume(account, code):
            method = "recovery"
            audit_record(
                event=events.TWO_FACTOR_RECOVERY_USED,
                meta=meta,
                account=account,
                detail={"left": recovery_codes_left(account)},
            )
        if method:
            audit_record(
                event=events.TWO_FACTOR_VERIFIED, meta=meta, account=account, detail={"method": method}
            )
    if not method:
        # Counted outside the transaction above, so the failure stays counted whatever the caller does.
        _failed(account, key, meta)
    return method


@transaction.atomic
def two_factor_disable(*, account: Any, reauthenticated: bool, meta: RequestMeta = SYSTEM) -> None:
    if not reauthenticated:
        raise ReauthenticationRequired(_("Confirm it's you first."))
    deleted = TOTPDevice.objects.filter(user_id=account.pk).delete()[0]
    StaticDevice.objects.filter(user_id=account.pk).delete()
    if not deleted:
        raise Conflict(_("Two-factor authentication is not on."), code="two_factor_not_enabled")
    audit_record(event=events.TWO_FACTOR_DISABLED, meta=meta, account=account)
    _notify(account, enabled=False, meta=meta)


@transaction.atomic
def two_factor_enrol_operator(*, account: Any) -> Enrolment:
    """For ``createoperator``: a confirmed device and recovery codes, printed once on the terminal."""
    TOTPDevice.objects.filter(user_id=account.pk).delete()
    device = TOTPDevice.objects.create(user=account, name=TOTP_NAME, confirmed=True)
    codes = _recovery_codes_replace(account)
    audit_record(event=events.TWO_FACTOR_ENABLED, account=account, actor_label="createoperator")
    return Enrolment(uri=device.config_url, secret=totp_secret(device), recovery_codes=codes)


# --- helpers ---------------------------------------------------------------------------------------


def _digits(code: str) -> str:
    return "".join(char for char in (code or "") if char not in " -")[:64]


def _recovery_normal(code: str) -> str:
    return "".join(char for char in (code or "").lower() if char.isalnum())[:64]


def _recovery_hash(account: Any, code: str) -> str:
    message = f"recovery|{account.pk}|{_recovery_normal(code)}".encode()
    # StaticToken.token holds 16 characters: 64 bits of the HMAC are plenty against a 50-bit code.
    return hmac.new(settings.CODE_HMAC_KEY.encode(), message, hashlib.sha256).hexdigest()[:16]


def _recovery_codes_replace(account: Any) -> list[str]:
    StaticDevice.objects.filter(user_id=account.pk).delete()
    device = StaticDevice.objects.create(user=account, name=RECOVERY_NAME, confirmed=True)
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    for _index in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(alphabet) for _char in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=_recovery_hash(account, c)) for c in codes]
    )
    return codes


def _recovery_code_consume(account: Any, code: str) -> bool:
    if len(_recovery_normal(code)) != 10:
        return False
    # One DELETE: two requests racing with the same code cannot both succeed.
    deleted = StaticToken.objects.filter(
        device__user_id=account.pk, device__name=RECOVERY_NAME, token=_recovery_hash(account, code)
    ).delete()[0]
    return bool(deleted)


def _failure_key(account: Any, meta: RequestMeta) -> str:
    return f"2fa:{account.pk}:{ip_bucket(meta.ip)}"


def _check_not_throttled(key: str) -> None:
    if limit_count(key) >= settings.TWO_FACTOR_FAILURES_PER_15_MINUTES:
        raise RateLimited(
            _("Too many wrong codes. Try again later."),
            code="too_many_attempts",
            retry_after=max(1, limit_retry_after(key)),
        )


def _failed(account: Any, key: str, meta: RequestMeta) -> NoReturn:
    limit_hit(key, limit=settings.TWO_FACTOR_FAILURES_PER_15_MINUTES, window_seconds=FAILURE_WINDOW_SECONDS)
    audit_record(event=events.TWO_FACTOR_FAILED, meta=meta, account=account)
    raise ValidationFailed(_("That code is not valid."), field="code", code="two_factor_invalid")


def _notify(account: Any, *, enabled: bool, meta: RequestMeta) -> None:
    with override(account.language):
        if enabled:
            subject = _("Two-factor authentication is on")
            body = _(
                "Two-factor authentication was turned on for Billing Center account %(username)s. Keep your "
                "recovery codes somewhere safe."
            ) % {"username": account.username}
        else:
            subject = _("Two-factor authentication is off")
            body = _(
                "Two-factor authentication was turned off for Billing Center account %(username)s. If this "
                "was not you, reset your password at once and contact support."
            ) % {"username": account.username}
    notice_send(channel="email", target=account.email, subject=subject, body=body, account=account, meta=meta)
