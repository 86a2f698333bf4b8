from __future__ import annotations

from billing_center.accounts.identifiers import identifier_kind, normalize_email, normalize_phone
from billing_center.accounts.models import Account
from billing_center.core.errors import ValidationFailed


def account_by_identifier(identifier: str) -> Account | None:
    """The account a login identifier (username, email or phone) names, or None."""
    kind = identifier_kind(identifier)
    try:
        if kind == "email":
            return Account.objects.filter(email__lower_exact=normalize_email(identifier)).first()
        if kind == "phone":
            return Account.objects.filter(phone=normalize_phone(identifier)).first()
    except ValidationFailed:
        return None
    return Account.objects.filter(username__lower_exact=identifier.strip()).first()
