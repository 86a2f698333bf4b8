"""Texts of the certification decision notices, in the holder's language (never a secret)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import override


def decision_email(
    *, language: str, username: str, licence_name: str, verified: bool, reason: str
) -> tuple[str, str]:
    with override(language):
        if verified:
            subject = _("Your enterprise certification is verified")
            body = _(
                "The enterprise certification of Billing Center account %(username)s (%(name)s) was verified."
            ) % {"username": username, "name": licence_name}
        else:
            subject = _("Your enterprise certification was not accepted")
            body = "\n\n".join(
                [
                    _(
                        "The enterprise certification of Billing Center account %(username)s (%(name)s) "
                        "was not accepted."
                    )
                    % {"username": username, "name": licence_name},
                    _("Reason: %(reason)s") % {"reason": reason},
                    _(
                        "You can correct it and submit it again in Account Settings > Enterprise certification."
                    ),
                ]
            )
    return subject, body
