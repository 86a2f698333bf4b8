from __future__ import annotations

from billing_center.accounts.identifiers import identifier_kind, normalize_email, normalize_phone
from billing_center.accounts.models import Account
from billing_center.core.errors import ValidationFailed
from billing_center.core.rawread import first_where

# Account.Meta.ordering: the newest account first, as ``.first()`` would pick.
_NEWEST = ("-created_at", "-id")


def account_by_identifier(identifier: str) -> Account | None:
    """The account a login identifier (username, email or phone) names, or None."""
    kind = identifier_kind(identifier)
    try:
        if kind == "email":
            return first_where(Account, [("email", "lower =", normalize_email(identifier))], order_by=_NEWEST)
        if kind == "phone":
            return first_where(Account, [("phone", "=", normalize_phone(identifier))], order_by=_NEWEST)
    except ValidationFailed:
        return None
    # The login path reads this on every attempt: one hand-written SELECT (core.rawread), not the ORM.
    return first_where(Account, [("username", "lower =", identifier.strip())], order_by=_NEWEST)
