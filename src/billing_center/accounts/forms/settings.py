"""Forms of the Account Settings pages. They shape input only; the services own every rule."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from billing_center.accounts.choices import industry_choices, region_choices
from billing_center.accounts.forms.fields import PasswordsMatchMixin, code_field, password_field

PASSWORD_MAX_LENGTH = 4096  # only keeps absurd input out; the password policy is the service's

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
    code = code_field(_("Code sent to your current address"))


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
    code = code_field(_("Code sent to your new address"))
    end_other_sessions = forms.BooleanField(label=_("Log out my other sessions"), required=False)


class PasswordChangeForm(PasswordsMatchMixin, forms.Form):
    password_pair = ("new_password", "new_password_confirm")

    current_password = password_field(
        _("Current password"), autocomplete="current-password", max_length=PASSWORD_MAX_LENGTH
    )
    new_password = password_field(_("New password"), autocomplete="new-password", max_length=PASSWORD_MAX_LENGTH)
    new_password_confirm = password_field(
        _("Repeat the new password"), autocomplete="new-password", max_length=PASSWORD_MAX_LENGTH
    )


class PasswordSetForm(PasswordChangeForm):
    current_password = None  # type: ignore[assignment]
