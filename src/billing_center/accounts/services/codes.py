"""The enumeration-safe routing of one-time codes to a login identifier (SPEC §1).

A code asked for an email address or a mobile number goes there; an address without an account, or
with a disabled one, gets a notice instead of a code through the very same limits, so the requester
cannot tell them apart. Login by code and forgot password use it; it is public for any other flow
that sends a code to a typed identifier.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing_center.accounts.identifiers import identifier_kind, normalize_email, normalize_phone
from billing_center.accounts.models import Account, Language
from billing_center.accounts.selectors.account import account_by_identifier
from billing_center.audit.services import RequestMeta
from billing_center.core.errors import ValidationFailed
from billing_center.verification import services as codes
from billing_center.verification.models import Channel

CHANNEL_EMAIL = Channel.EMAIL
CHANNEL_SMS = Channel.SMS

# Notices sent instead of a code on enumeration-safe paths, rendered in the requester's language:
# (email subject, email body, SMS text — one Chinese segment, at most 70 characters).
DECOY_NO_ACCOUNT = (
    gettext_lazy("Billing Center: no account for this address"),
    gettext_lazy(
        "Someone asked for a Billing Center code for this address, but no account uses it. "
        "If it was not you, you can ignore this message."
    ),
    gettext_lazy("Billing Center: this number has no account; ignore if it was not you."),
)
DECOY_DISABLED = (
    gettext_lazy("Billing Center: account disabled"),
    gettext_lazy(
        "Someone asked for a Billing Center code for this address, but its account is disabled. "
        "Contact your service provider to enable it again."
    ),
    gettext_lazy("Billing Center: the account of this number is disabled."),
)


def language_or_default(value: str) -> str:
    lowered = (value or "").strip().lower()
    return lowered if lowered in Language.values else Language.EN


@dataclass(frozen=True)
class CodeRoute:
    """Where a code for ``identifier`` goes: the account (or None) and the target + channel."""

    account: Account | None
    target: str
    channel: str


def code_route(identifier: str) -> CodeRoute:
    """The typed email or phone, where a code goes. A username is refused: usernames are public, and
    routing a code from one to the account's email would let anyone test which email belongs to which
    username (the resend cooldown and send caps of that email answer differently)."""
    text = (identifier or "").strip()
    kind = identifier_kind(text)
    try:
        if kind == "phone":
            target, channel = normalize_phone(text), CHANNEL_SMS
        elif kind == "email":
            target, channel = normalize_email(text), CHANNEL_EMAIL
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, field="identifier", code=exc.code) from exc
    if kind not in {"phone", "email"}:
        raise ValidationFailed(
            _("Enter the email address or mobile number of your account; codes are sent there."),
            field="identifier",
            code="email_or_phone_required",
        )
    return CodeRoute(account_by_identifier(text), target, channel)


def decoy_render(notice: tuple[Any, Any, Any], *, channel: str, language: str) -> tuple[str, str]:
    """(subject, body) of a decoy notice for ``channel``; an SMS has no subject."""
    with translation.override(language):
        if channel == CHANNEL_SMS:
            return "", str(notice[2])
        return str(notice[0]), str(notice[1])


def code_request(*, purpose: str, identifier: str, language: str, meta: RequestMeta) -> None:
    """Send a ``purpose`` code for a login identifier. Enumeration-safe: an unknown or disabled address
    gets a notice instead of a code, through the very same limits, and the caller sees no difference."""
    route = code_route(identifier)
    account = route.account
    decoy: tuple[str, str] | None = None
    if account is None:
        decoy = decoy_render(DECOY_NO_ACCOUNT, channel=route.channel, language=language)
    elif not account.is_active:
        decoy = decoy_render(DECOY_DISABLED, channel=route.channel, language=language)
    codes.code_send(
        purpose=purpose,
        channel=route.channel,
        target=route.target,
        account=account,
        meta=meta,
        language=account.language if account is not None and decoy is None else language,
        decoy_notice=decoy,
    )


def code_verify(*, purpose: str, identifier: str, code: str, meta: RequestMeta) -> Account:
    """The active account whose ``purpose`` code for this identifier is ``code``; otherwise the same
    error as a wrong code (an unknown identifier is checked against a target that holds no code)."""
    route = code_route(identifier)
    codes.code_check(purpose=purpose, target=route.target, code=code, account=route.account, meta=meta)
    account = route.account
    if account is None or not account.is_active:
        # It failed after the code matched (e.g. a disabled account): answered as a wrong code.
        raise codes.invalid_code_error()
    return account
