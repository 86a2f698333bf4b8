"""Texts of the notices Account Settings sends (never a code or a secret), in the reader's language.

Each function returns ``(subject, body)`` for email, or a short body for SMS (one 70-char segment in
Chinese). The caller passes them to ``notice_send`` after commit.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils.translation import gettext as _
from django.utils.translation import override

from billing_center.accounts.selectors.settings import device_label
from billing_center.audit.services import RequestMeta
from billing_center.core.masking import mask_target


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _context_lines(*, meta: RequestMeta, moment: datetime) -> str:
    return "\n".join(
        [
            _("Time: %(when)s") % {"when": _when(moment)},
            _("IP address: %(ip)s") % {"ip": meta.ip or "-"},
            _("Device: %(agent)s") % {"agent": device_label(meta.user_agent, raw_fallback=False)},
        ]
    )


def _not_you() -> str:
    return _(
        "If this was not you, reset your password at once (the reset ends every session) and contact support."
    )


def identifier_changed_email(
    *,
    language: str,
    kind: str,
    username: str,
    old: str,
    new: str,
    to_old: bool,
    meta: RequestMeta,
    moment: datetime,
) -> tuple[str, str]:
    with override(language):
        if kind == "email":
            subject = _("Your Billing Center login email was changed")
            what = _(
                "The login email of Billing Center account %(username)s changed from %(old)s to %(new)s."
            )
        else:
            subject = _("Your Billing Center phone number was changed")
            what = _(
                "The phone number of Billing Center account %(username)s changed from %(old)s to %(new)s."
            )
        params = {"username": username, "old": mask_target(old) or "-", "new": mask_target(new)}
        lines = [what % params, "", _context_lines(meta=meta, moment=moment), ""]
        if to_old:
            lines.append(_not_you())
        else:
            lines.append(_("From now on you log in with %(new)s.") % {"new": mask_target(new)})
        return subject, "\n".join(lines)


def phone_changed_sms(*, language: str) -> str:
    with override(language):
        return _(
            "Billing Center: the phone number of your account was changed. Not you? Reset your password."
        )


def lost_phone_waiting_email(
    *, language: str, username: str, ready_at: datetime, meta: RequestMeta, moment: datetime
) -> tuple[str, str]:
    with override(language):
        subject = _("A request to replace the phone number of your Billing Center account")
        body = "\n".join(
            [
                _(
                    "Someone who is logged in to Billing Center account %(username)s said the phone number is "
                    "lost and asked to replace it. A new phone can be added after %(ready)s."
                )
                % {"username": username, "ready": _when(ready_at)},
                "",
                _context_lines(meta=meta, moment=moment),
                "",
                _(
                    "If this was not you, log in, cancel the change under Account Settings > Profile, and reset "
                    "your password."
                ),
            ]
        )
        return subject, body


def lost_phone_waiting_sms(*, language: str) -> str:
    with override(language):
        return _("Billing Center: a request to replace this phone was made. Not you? Log in and cancel it.")


def address_taken_notice(*, language: str, kind: str) -> tuple[str, str]:
    """For the owner of an address someone tried to move onto another account (instead of a code)."""
    with override(language):
        if kind == "email":
            subject = _("Someone tried to use your email address")
            body = _(
                "Someone tried to make this email address the login email of another Billing Center account. "
                "Nothing was changed and no code was sent. You do not need to do anything."
            )
        else:
            subject = _("Billing Center")
            body = _("Billing Center: someone tried to add this number to another account. Nothing changed.")
        return subject, body


def password_changed_email(
    *, language: str, username: str, was_set: bool, meta: RequestMeta, moment: datetime
) -> tuple[str, str]:
    with override(language):
        if was_set:
            subject = _("A password was set on your Billing Center account")
            what = _("A password was set on Billing Center account %(username)s.")
        else:
            subject = _("Your Billing Center password was changed")
            what = _("The password of Billing Center account %(username)s was changed.")
        body = "\n".join(
            [
                what % {"username": username},
                _("Every other session of the account was ended."),
                "",
                _context_lines(meta=meta, moment=moment),
                "",
                _not_you(),
            ]
        )
        return subject, body
