"""Parsing and normalizing the three login identifiers: username, email, phone (SPEC §1)."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext as _
from email_validator import EmailNotValidError, validate_email

from billing_center.core.errors import ValidationFailed

USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]{3,31}$")
MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def normalize_username(value: str) -> str:
    username = unicodedata.normalize("NFKC", value or "").strip()
    if not USERNAME_RE.match(username):
        raise ValidationFailed(
            _("A username has 4 to 32 characters: a letter first, then letters, digits, '_', '.' or '-'."),
            field="username",
            code="invalid_username",
        )
    return username


def normalize_email(value: str) -> str:
    """The normalized address (IDNA domain, lower-cased); raises ValidationFailed on bad syntax."""
    try:
        result = validate_email((value or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed(_("Enter a valid email address."), field="email", code="invalid_email") from exc
    return result.normalized.lower()


def normalize_phone(value: str) -> str:
    """E.164 for a valid mobile number; national input is read in ``DEFAULT_PHONE_REGION``."""
    raw = (value or "").strip()
    try:
        number = phonenumbers.parse(raw, settings.DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationFailed(_("Enter a valid mobile number."), field="phone", code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise ValidationFailed(_("Enter a valid mobile number."), field="phone", code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def identifier_kind(identifier: str) -> str:
    """'email', 'phone' or 'username' for what a person typed into a login box."""
    text = (identifier or "").strip()
    if "@" in text:
        return "email"
    if text[:1] == "+" or text.replace(" ", "").replace("-", "").isdigit():
        return "phone"
    return "username"
