"""Forms of the sign-up and login pages. They only shape input for the services in accounts/services/,
which own every rule; the forms check presence, that two typed passwords match, and field sizes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from billing_center.accounts.choices import industry_choices, region_choices
from billing_center.accounts.forms.fields import PasswordsMatchMixin, code_field, password_field
from billing_center.accounts.identifiers import normalize_email, normalize_phone, normalize_username
from billing_center.accounts.models import Language
from billing_center.core.forms import form_field_check


def identifier_field(label: Any = None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Username, email or phone"),
        max_length=254,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class DeferredValidationMixin:
    """Lets a page re-render what was typed after a secondary action (e.g. "Send code") without
    "required" errors on the fields the person has not reached yet: with ``validate=False`` the form
    is bound (shows the typed values) but only errors added with ``add_error`` appear."""

    def __init__(self, *args: Any, validate: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._validate = validate

    def full_clean(self) -> None:
        if self._validate:
            super().full_clean()  # type: ignore[misc]
            return
        self._errors = ErrorDict()
        self.cleaned_data: dict[str, Any] = {}


class SignupForm(DeferredValidationMixin, PasswordsMatchMixin, forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=32,
        help_text=_(
            "4 to 32 characters: a letter first, then letters, digits, '_', '.' or '-'. It cannot be changed later."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    # Never echoed back: after a re-render (a "Send code" without JavaScript, or a refused submit) the
    # page asks for them again. With JavaScript, "Send code" calls the API and the page does not reload.
    password = password_field(
        _("Password"),
        autocomplete="new-password",
        help_text=_("At least 12 characters. A passphrase of a few words works well."),
    )
    password_confirm = password_field(_("Confirm password"), autocomplete="new-password")
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    email_code = code_field(_("Email verification code"))
    phone = forms.CharField(
        label=_("Mobile phone"),
        required=False,
        max_length=32,
        help_text=_("Optional. Numbers without a country code are read as mainland China numbers."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    phone_code = code_field(_("Phone verification code"), required=False)
    enterprise_name = forms.CharField(
        label=_("Enterprise name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    industry = forms.ChoiceField(label=_("Industry"), required=False, choices=industry_choices)
    region = forms.ChoiceField(label=_("Region"), required=False, choices=region_choices)
    introduction = forms.CharField(
        label=_("Enterprise introduction"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact_name = forms.CharField(
        label=_("Contact name"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    language = forms.ChoiceField(label=_("Language for messages"), choices=Language.choices)
    accept_terms = forms.BooleanField(
        label=_("I accept the terms of service"),
        error_messages={"required": _("Accept the terms of service to create an account.")},
    )

    MORE_INFORMATION = ("industry", "region", "introduction", "contact_name")

    # Format checks run with the form, so a submit shows every error at once, each beside its field
    # (the service checks again, and alone knows what is taken). The typed value is passed on as is.
    def _format_checked(self, name: str, check: Any) -> str:
        value = str(self.cleaned_data.get(name) or "")
        if value:
            form_field_check(check, value)
        return value

    def clean_username(self) -> str:
        return self._format_checked("username", normalize_username)

    def clean_email(self) -> str:
        return self._format_checked("email", normalize_email)

    def clean_phone(self) -> str:
        return self._format_checked("phone", normalize_phone)

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "username": data["username"],
            "password": data["password"],
            "email": data["email"],
            "email_code": data["email_code"],
            "phone": data["phone"] or None,
            "phone_code": data["phone_code"] or None,
            "enterprise_name": data["enterprise_name"],
            "industry": data["industry"],
            "region": data["region"],
            "introduction": data["introduction"],
            "contact_name": data["contact_name"],
            "language": data["language"],
            "accept_terms": data["accept_terms"],
        }

    def typed(self, name: str) -> str:
        return str(self.data.get(name, "") or "").strip() if self.is_bound else ""

    def password_cleared(self) -> bool:
        """A password was typed but the re-rendered page does not hold it (it is never echoed)."""
        return self.is_bound and any(self.data.get(name) for name in self.password_pair)

    def more_information_open(self) -> bool:
        """Keep "More information" unfolded when it holds a value or an error."""
        return any(self.typed(name) for name in self.MORE_INFORMATION) or any(
            name in self.errors for name in self.MORE_INFORMATION
        )


class LoginForm(forms.Form):
    identifier = identifier_field()
    password = password_field(_("Password"), autocomplete="current-password")


class CodeStepMixin:
    """A two-step form: "send" needs only the identifier, the final step also needs the code."""

    final_step_fields: tuple[str, ...] = ("code",)

    def __init__(self, *args: Any, final_step: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, forms.Field] = self.fields  # type: ignore[attr-defined]
        for name in self.final_step_fields:
            fields[name].required = final_step


# Codes go only to an address the person typed (never from a username to its email): see
# services.codes.code_route.
ADDRESS_LABEL = _("Email or mobile number")


class LoginCodeForm(CodeStepMixin, forms.Form):
    identifier = identifier_field(ADDRESS_LABEL)
    code = code_field(_("Verification code"))


class PasswordResetForm(CodeStepMixin, PasswordsMatchMixin, forms.Form):
    final_step_fields = ("code", "new_password", "new_password_confirm")
    password_pair = ("new_password", "new_password_confirm")

    identifier = identifier_field(ADDRESS_LABEL)
    code = code_field(_("Verification code"))
    new_password = password_field(
        _("New password"),
        autocomplete="new-password",
        help_text=_("At least 12 characters. A passphrase of a few words works well."),
    )
    new_password_confirm = password_field(_("Confirm new password"), autocomplete="new-password")


class ReauthPasswordForm(forms.Form):
    password = password_field(_("Password"), autocomplete="current-password")


class ReauthCodeForm(forms.Form):
    code = code_field(_("Verification code"))
