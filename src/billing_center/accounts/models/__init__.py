"""The accounts app's models; Django finds them here (app label ``accounts``, ``AUTH_USER_MODEL``).

``account`` (the holder), ``sessions`` (the database-backed sessions), ``changes`` (pending changes of
a login identifier). Import them from this package: ``from billing_center.accounts.models import Account``.
"""

from billing_center.accounts.models.account import Account, AccountManager, Language
from billing_center.accounts.models.changes import (
    PENDING_STATES,
    ChangeKind,
    ChangePath,
    ChangeState,
    IdentifierChange,
)
from billing_center.accounts.models.sessions import AccountSession

__all__ = [
    "PENDING_STATES",
    "Account",
    "AccountManager",
    "AccountSession",
    "ChangeKind",
    "ChangePath",
    "ChangeState",
    "IdentifierChange",
    "Language",
]
