"""The account's language (drives UI, emails and SMS): set from the console's language switch."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from billing_center.accounts import events
from billing_center.accounts.models import Account, Language
from billing_center.audit.services import RequestMeta, audit_record
from billing_center.core.errors import ValidationFailed


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
