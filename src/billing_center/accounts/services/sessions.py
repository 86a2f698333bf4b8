"""Ending sessions (SPEC §1 Sessions): the holder ends one of their sessions, or all others; a password
or login-identifier change ends the others. Every ending is audited."""

from __future__ import annotations

from django.utils.translation import gettext as _

from billing_center.accounts import events
from billing_center.accounts.models import Account, AccountSession
from billing_center.accounts.selectors.settings import session_key_for_public_id
from billing_center.audit.services import SYSTEM, RequestMeta, audit_record
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


def sessions_end_others(
    *, account: Account, keep_session_key: str | None, meta: RequestMeta | None = None
) -> int:
    """End every session of ``account`` except ``keep_session_key``; returns how many ended. Audited
    whenever one ended, also without a request (``meta`` None: a system action)."""
    sessions = AccountSession.objects.filter(account=account)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    ended = sessions.delete()[0]
    if ended:
        audit_record(
            event=events.SESSIONS_ENDED, account=account, meta=_or_system(meta), detail={"count": ended}
        )
    return ended


def session_end(*, account: Account, session_key: str, meta: RequestMeta | None = None) -> None:
    """End one session of ``account``. A key that is not one of the account's raises NotFound, exactly
    like a key that does not exist. Audited, also without a request (``meta`` None: a system action)."""
    ended = AccountSession.objects.filter(account=account, session_key=session_key).delete()[0]
    if not ended:
        raise NotFound(_("That session does not exist."), code="session_not_found")
    audit_record(event=events.SESSION_ENDED, account=account, meta=_or_system(meta))


def _or_system(meta: RequestMeta | None) -> RequestMeta:
    return SYSTEM if meta is None else meta
