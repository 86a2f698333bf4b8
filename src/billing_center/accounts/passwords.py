"""Password rules beyond Django's validators (SPEC §1): a maximum length and context words."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MIN_CONTEXT_WORD = 4


def normalize_password(raw: str) -> str:
    """NFKC, so the same password typed on different keyboards hashes the same. Never truncated."""
    return unicodedata.normalize("NFKC", raw or "")


class MaximumLengthValidator:
    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It must contain at most %(max)d character.",
                    "This password is too long. It must contain at most %(max)d characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max": self.max_length},
            )

    def get_help_text(self) -> str:
        return _("Your password must contain at most %(max)d characters.") % {"max": self.max_length}


class ContextWordsValidator:
    """Rejects passwords containing the username, enterprise name, email local part or phone digits."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        lowered = password.casefold()
        for word in context_words(user):
            if word in lowered:
                raise ValidationError(
                    _("The password must not contain your username, enterprise name, email or phone number."),
                    code="password_context_word",
                )

    def get_help_text(self) -> str:
        return _("Your password must not contain your username, enterprise name, email or phone number.")


def context_words(user: Any) -> set[str]:
    words: set[str] = set()
    for value in (getattr(user, "username", ""), getattr(user, "enterprise_name", "")):
        words.update(part for part in re.split(r"\s+", (value or "").casefold()) if part)
        compact = re.sub(r"\s+", "", (value or "").casefold())
        if compact:
            words.add(compact)
    email = getattr(user, "email", "") or ""
    if "@" in email:
        words.add(email.split("@", 1)[0].casefold())
    words.update(_phone_words(getattr(user, "phone", "") or ""))
    return {word for word in words if len(word) >= MIN_CONTEXT_WORD}


def _phone_words(phone: str) -> set[str]:
    """The phone's digits with and without the country code (a password holding either is refused)."""
    digits = re.sub(r"\D", "", phone)
    if not digits:
        return set()
    words = {digits}
    try:
        number = phonenumbers.parse(phone, None if phone.startswith("+") else "CN")
        words.add(str(number.national_number))
    except phonenumbers.NumberParseException:
        words.add(digits[-11:])
    return words


def password_check_policy(password: str, *, context: Any, field: str = "password") -> str:
    """The NFKC form of ``password`` if every configured validator accepts it; ``context`` (an account,
    saved or not) supplies the context words. Raises ValidationFailed on ``field`` otherwise."""
    from django.contrib.auth.password_validation import validate_password

    from billing_center.core.errors import ValidationFailed

    normalized = normalize_password(password)
    try:
        validate_password(normalized, user=context)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), field=field, code="password_rejected") from exc
    return normalized
