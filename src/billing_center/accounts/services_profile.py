"""Profile edits (SPEC §3 Profile): enterprise name, industry, region, introduction, contact name.

The email and phone are login identifiers and change only through ``services_identifier_change``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from billing_center.accounts import events
from billing_center.accounts.models import Account
from billing_center.audit.services import RequestMeta, audit_record
from billing_center.core.errors import ValidationFailed

PROFILE_FIELDS = ("enterprise_name", "industry", "region", "introduction", "contact_name")
MAX_LENGTHS = {"enterprise_name": 100, "introduction": 500, "contact_name": 50}


def profile_update(*, account: Account, changes: Mapping[str, str | None], meta: RequestMeta) -> Account:
    """Apply the given profile fields (others untouched). One audit row lists old and new values of the
    fields that really changed; nothing is written when nothing changed."""
    cleaned = {field: _clean(field, value) for field, value in changes.items() if value is not None}
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        changed = {field: value for field, value in cleaned.items() if getattr(locked, field) != value}
        if not changed:
            return account
        old = {field: getattr(locked, field) for field in changed}
        for field, value in changed.items():
            setattr(locked, field, value)
            setattr(account, field, value)
        locked.save(update_fields=[*changed, "updated_at"])
        audit_record(event=events.PROFILE_UPDATED, account=account, meta=meta, old=old, new=changed)
    return account


def _clean(field: str, value: str) -> str:
    if field not in PROFILE_FIELDS:
        raise ValidationFailed(
            _("This field cannot be changed here."), field=field, code="field_not_editable"
        )
    if any(unicodedata.category(char) == "Cc" and char not in "\n\r\t" for char in value):
        raise ValidationFailed(_("Remove the control characters."), field=field, code="invalid_characters")
    text = " ".join(value.split()) if field != "introduction" else value.strip()
    if field == "enterprise_name" and not text:
        raise ValidationFailed(_("Enter the enterprise name."), field=field, code="required")
    limit = MAX_LENGTHS.get(field)
    if limit is not None and len(text) > limit:
        raise ValidationFailed(
            _("Use at most %(max)d characters.") % {"max": limit}, field=field, code="too_long"
        )
    allowed = {"industry": settings.INDUSTRIES, "region": settings.REGIONS}.get(field)
    if allowed is not None and text and text not in allowed:
        raise ValidationFailed(_("Choose one of the listed values."), field=field, code="invalid_choice")
    return text
