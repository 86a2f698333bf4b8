"""Profile edits (SPEC §3 Profile): enterprise name, industry, region, introduction, contact name.

The email and phone are login identifiers and change only through ``services_identifier_change``.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from billing_center.accounts import events
from billing_center.accounts.fields import PROFILE_FIELDS, field_clean
from billing_center.accounts.models import Account
from billing_center.audit.services import RequestMeta, audit_record
from billing_center.core.errors import ValidationFailed
from billing_center.core.updates import model_update

__all__ = ["PROFILE_FIELDS", "profile_update"]


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
