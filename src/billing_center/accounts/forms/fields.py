"""Field helpers and the password-pair check that the sign-up, login and Account Settings forms share."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

CODE_MAX_LENGTH = 20  # six digits, plus the spaces or dashes people type between them


def code_field(label: Any, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=CODE_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "code-input"}
        ),
    )


def password_field(
    label: Any, *, autocomplete: str, help_text: Any = "", max_length: int | None = None
) -> forms.CharField:
    """A password is never written back into a page (``render_value=False``): a re-rendered form
    comes back with its password fields empty."""
    return forms.CharField(
        label=label,
        strip=False,
        help_text=help_text,
        max_length=max_length,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}, render_value=False),
    )


class PasswordsMatchMixin:
    """The second of ``password_pair`` must repeat the first (the error goes on the second)."""

    password_pair = ("password", "password_confirm")

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        first, second = self.password_pair
        if (
            cleaned.get(first)
            and cleaned.get(second) is not None
            and cleaned.get(first) != cleaned.get(second)
        ):
            self.add_error(second, _("The two passwords do not match."))  # type: ignore[attr-defined]
        return cleaned
