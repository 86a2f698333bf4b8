"""Forms of the Account Settings pages. They shape input only; the services own every rule."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from billing_center.accounts.choices import industry_choices, region_choices

CODE_MAX_LENGTH = 20  # six digits, plus the spaces or dashes people type between them


def _code_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=CODE_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "code-input"}
        ),
    )


def _password_field(label: Any, *, autocomplete: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


# Offered in the profile form; the API takes any IANA name.
COMMON_TIME_ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Moscow",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "UTC",
)


def time_zone_choices(*, current: str = "") -> list[tuple[str, Any]]:
    zones = list(COMMON_TIME_ZONES)
    if current and current not in zones:
        zones.append(current)
    return [("", _("By region (default)")), *((zone, zone.replace("_", " ")) for zone in zones)]


class ProfileForm(forms.Form):
    enterprise_name = forms.CharField(label=_("Enterprise name"), max_length=100)
    industry = forms.ChoiceField(label=_("Industry"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    introduction = forms.CharField(
        label=_("Enterprise introduction"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=50, required=False)
    time_zone = forms.ChoiceField(
        label=_("Time zone"), required=False, help_text=_("Times in the console are shown in this zone.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices(current=self.initial.get("time_zone", ""))  # type: ignore[attr-defined]
        self.fields["industry"].choices = industry_choices(blank_label=_("Not specified"))  # type: ignore[attr-defined]
        self.fields["region"].choices = region_choices(blank_label=_("Not specified"))  # type: ignore[attr-defined]


class ChangeStartForm(forms.Form):
    end_other_sessions = forms.BooleanField(
        label=_("Log out my other sessions after the change"), required=False, initial=True
    )


class CurrentCodeForm(forms.Form):
    code = _code_field(_("Code sent to your current address"))


class NewEmailForm(forms.Form):
    email = forms.CharField(
        label=_("New email"),
        max_length=254,
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class NewPhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("New phone number"),
        max_length=32,
        help_text=_("A mobile number; without a country code it is read as a number in mainland China."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


class ConfirmForm(forms.Form):
    code = _code_field(_("Code sent to your new address"))
    end_other_sessions = forms.BooleanField(label=_("Log out my other sessions"), required=False)


class PasswordChangeForm(forms.Form):
    current_password = _password_field(_("Current password"), autocomplete="current-password")
    new_password = _password_field(_("New password"), autocomplete="new-password")
    new_password_confirm = _password_field(_("Repeat the new password"), autocomplete="new-password")

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        first, second = cleaned.get("new_password"), cleaned.get("new_password_confirm")
        if first and second is not None and first != second:
            self.add_error("new_password_confirm", _("The two passwords do not match."))
        return cleaned


class PasswordSetForm(PasswordChangeForm):
    current_password = None  # type: ignore[assignment]
