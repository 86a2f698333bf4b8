"""The holder ends one of their sessions, or all others (SPEC §1 Sessions)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from billing_center.accounts.models import Account
from billing_center.accounts.selectors.settings import session_key_for_public_id
from billing_center.accounts.sessions import session_end, sessions_end_others
from billing_center.audit.services import RequestMeta
from billing_center.core.errors import Conflict, NotFound


def account_session_end(
    *, account: Account, session_id: str, current_session_key: str | None, meta: RequestMeta
) -> None:
    """End one session by its public id. Another account's id answers exactly like an unknown one."""
    session_key = session_key_for_public_id(account=account, session_id=session_id)
    if session_key is None:
        raise NotFound(_("That session does not exist."), code="session_not_found")
    if session_key == current_session_key:
        raise Conflict(_("This is the session you are using. Log out instead."), code="current_session")
    session_end(account=account, session_key=session_key, meta=meta)


def account_sessions_end_others(
    *, account: Account, current_session_key: str | None, meta: RequestMeta
) -> int:
    return sessions_end_others(account=account, keep_session_key=current_session_key, meta=meta)
