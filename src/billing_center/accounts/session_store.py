"""Database sessions that know their account, device and last activity, so a holder can list them
and end any of them (SPEC §1 Sessions). Shared by every app process through the database.

Every request with a session cookie reads its row, so the read is one hand-written SELECT (the ORM's
``.get()`` spent most of its time building and compiling the query, see ``bench/README.md``), and the
same SELECT brings the session's account (a LEFT OUTER JOIN): the auth backend's ``get_user`` takes
that row instead of a second round trip. It is a plain database read on every request, never cached:
a session ended, an account disabled or a password changed on any process is seen by the next
request on every other process.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.core.signals import request_finished
from django.db import router
from django.dispatch import receiver
from django.utils import timezone

from billing_center.accounts.models import Account, AccountSession
from billing_center.core.rawread import rows_where

# The account read with this request's session row, for the auth backend's ``get_user`` of the same
# request. Taken at most once, set again by every session read and cleared when the request ends, so
# it never outlives the request that read it.
_session_account: ContextVar[Account | None] = ContextVar("session_account", default=None)


def session_account_take(user_id: Any) -> Account | None:
    """The account the session read of this request brought, if it is ``user_id``'s; then forgotten."""
    account = _session_account.get()
    _session_account.set(None)
    if account is None or str(account.pk) != str(user_id):
        return None
    return account


@receiver(request_finished)
def _session_account_forget(**kwargs: Any) -> None:
    _session_account.set(None)


def _from_timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(float(value), tz=UTC) if value else None


class SessionStore(DbSessionStore):
    @classmethod
    def get_model_class(cls) -> type[AccountSession]:
        return AccountSession

    def load(self) -> dict[str, Any]:
        data = self._live_session_data()
        if data is None:
            self._session_key = None
            return {}
        return self.decode(data)  # type: ignore[no-any-return]

    def _live_session_data(self) -> str | None:
        """The stored data of this live (unexpired) session, the same WHERE as Django's ``.get()``;
        its account (or None) is kept for ``session_account_take``."""
        _session_account.set(None)
        if self.session_key is None:
            return None
        rows = rows_where(
            AccountSession,
            [("session_key", "=", self.session_key), ("expire_date", ">", timezone.now())],
            order_by=("session_key",),
            limit=1,
            related=("account",),
            alias=router.db_for_read(AccountSession),
        )
        if not rows:
            return None
        _session_account.set(rows[0].account)
        return rows[0].session_data

    def create_model_instance(self, data: dict[str, Any]) -> AccountSession:
        # Django rebuilds and re-saves the whole row on every session save, so every column is derived
        # from the session data (a default like "now" would overwrite the real value each time).
        instance: AccountSession = super().create_model_instance(data)  # type: ignore[assignment]
        account_id = data.get("_auth_user_id")
        instance.account_id = int(account_id) if account_id else None
        instance.ip = data.get("_bc_ip") or None
        instance.user_agent = (data.get("_bc_ua") or "")[:512]
        created_at = _from_timestamp(data.get("_bc_auth_at"))
        if created_at:
            instance.created_at = created_at
        last_seen = _from_timestamp(data.get("_bc_seen"))
        if last_seen:
            instance.last_seen_at = last_seen
        return instance
