"""The texts of code messages and code notices, in the recipient's language.

An SMS must fit one Chinese segment (70 characters) in zh-hans; the English text is kept under 70 too.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SMS_SEGMENT_CHARS = 70

# What the code is for, as the end of "Use this code to ...".
PURPOSE_ACTIONS: dict[str, Promise] = {
    "signup_email": gettext_lazy("confirm your email address for your new Billing Center account"),
    "signup_phone": gettext_lazy("confirm your mobile number for your new Billing Center account"),
    "login": gettext_lazy("log in to Billing Center"),
    "password_reset": gettext_lazy("reset your Billing Center password"),
    "reauth": gettext_lazy("confirm it is you before a sensitive change"),
    "email_change_current": gettext_lazy("confirm that you want to change your login email"),
    "email_change_new": gettext_lazy("confirm your new login email"),
    "phone_change_current": gettext_lazy("confirm that you want to change your mobile number"),
    "phone_change_new": gettext_lazy("confirm your new mobile number"),
    "workspace_bind": gettext_lazy("bind a workspace to your Billing Center account"),
}

# The same, in a few words for an SMS.
PURPOSE_SHORT: dict[str, Promise] = {
    "signup_email": gettext_lazy("sign-up"),
    "signup_phone": gettext_lazy("sign-up"),
    "login": gettext_lazy("login"),
    "password_reset": gettext_lazy("password reset"),
    "reauth": gettext_lazy("identity check"),
    "email_change_current": gettext_lazy("email change"),
    "email_change_new": gettext_lazy("new email"),
    "phone_change_current": gettext_lazy("number change"),
    "phone_change_new": gettext_lazy("new number"),
    "workspace_bind": gettext_lazy("workspace binding"),
}


def _language(language: str) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


def code_email(*, purpose: str, code: str, minutes: int, language: str) -> tuple[str, str]:
    with translation.override(_language(language)):
        subject = _("Your Billing Center verification code")
        body = _(
            "Hello,\n\n"
            "Use this code to %(action)s:\n\n"
            "    %(code)s\n\n"
            "It is valid for %(minutes)s minutes and works once. If you did not ask for it, ignore this "
            "email. Never share the code with anyone, our staff included.\n\n"
            "Billing Center"
        ) % {"action": PURPOSE_ACTIONS[purpose], "code": code, "minutes": minutes}
    return subject, body


def code_sms(*, purpose: str, code: str, minutes: int, language: str) -> str:
    with translation.override(_language(language)):
        return _("%(code)s is your Billing Center %(purpose)s code, valid %(minutes)s min.") % {
            "code": code,
            "purpose": PURPOSE_SHORT[purpose],
            "minutes": minutes,
        }


def purpose_locked_notice(*, purpose: str, hours: int, language: str) -> tuple[str, str]:
    with translation.override(_language(language)):
        subject = _("Billing Center: too many wrong verification codes")
        body = _(
            "Hello,\n\n"
            "There were too many wrong verification codes to %(action)s from one network. For your "
            "safety, this kind of code is blocked for %(hours)s hours on that network only.\n\n"
            "You can still get in: from a network you used before, log in and ask for codes as usual.\n\n"
            "If this was not you, someone may know your address: change your password and review your "
            "active sessions.\n\n"
            "Billing Center"
        ) % {"action": PURPOSE_ACTIONS[purpose], "hours": hours}
    return subject, body
