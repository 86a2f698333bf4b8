"""Profile edits (SPEC §3 Profile): enterprise name, industry, region, introduction, contact name;
and the account's language (drives UI, emails and SMS), set from the console's language switch.

The email and phone are login identifiers and change only through ``services.identifier_change``.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from billing_center.accounts import events
from billing_center.accounts.fields import PROFILE_FIELDS, field_clean
from billing_center.accounts.models import Account, Language
from billing_center.audit.models import AuditEvent
from billing_center.audit.services import RequestMeta, audit_record
from billing_center.core.errors import ValidationFailed
from billing_center.core.updates import model_update

__all__ = [
    "CONSOLE_LANGUAGE_SESSION_KEY",
    "NOTIFICATION_PROMPT_SESSION_KEY",
    "PROFILE_FIELDS",
    "account_language_adopt",
    "account_language_set",
    "language_never_chosen",
    "profile_update",
]


def profile_update(*, account: Account, changes: Mapping[str, str | None], meta: RequestMeta) -> Account:
    """Apply the given profile fields (others untouched). One audit row lists old and new values of the
    fields that really changed; nothing is written when nothing changed."""
    cleaned = {field: _clean(field, value) for field, value in changes.items() if value is not None}
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        diff = model_update(instance=locked, data=cleaned, also=account)
        if not diff:
            return account
        audit_record(event=events.PROFILE_UPDATED, account=account, meta=meta, old=diff.old, new=diff.new)
    return account


def _clean(field: str, value: str) -> str:
    if field not in PROFILE_FIELDS:
        raise ValidationFailed(
            _("This field cannot be changed here."), field=field, code="field_not_editable"
        )
    return field_clean(field, value)


# --- language --------------------------------------------------------------------------------------


@transaction.atomic
def account_language_set(*, account: Account, language: str, meta: RequestMeta) -> Account:
    """Store ``language`` on the account (audited). Setting the current value again writes nothing."""
    if language not in Language.values:
        raise ValidationFailed(_("Choose a supported language."), field="language", code="invalid_language")
    if account.language == language:
        return account
    old = account.language
    account.language = language
    account.save(update_fields=["language", "updated_at"])
    audit_record(
        event=events.LANGUAGE_CHANGED,
        meta=meta,
        account=account,
        old={"language": old},
        new={"language": language},
    )
    return account


# The console language of this session when it differs from the account's (which drives emails and SMS):
# switching the console language does not change the notifications silently; the page asks.
CONSOLE_LANGUAGE_SESSION_KEY = "bc_console_language"
NOTIFICATION_PROMPT_SESSION_KEY = "bc_notification_language_prompt"


def language_never_chosen(*, account: Account) -> bool:
    """True for an account whose language nobody chose: not signed up (the sign-up form asks for it)
    and never switched (operator-made and demo accounts until their holder picks one)."""
    return not AuditEvent.objects.filter(account=account, event__in=("signup", "account.language_changed")).exists()


def account_language_adopt(*, account: Account, language: str, meta: RequestMeta) -> bool:
    """At login: an account that never chose a language takes the one its holder chose before logging
    in (the language switch's cookie), audited like a switch. Returns whether it changed."""
    if language not in Language.values or account.language == language:
        return False
    if not language_never_chosen(account=account):
        return False
    account_language_set(account=account, language=language, meta=meta)
    return True
