"""Database sessions that know their account, device and last activity, so a holder can list them
and end any of them (SPEC §1 Sessions). Shared by every app process through the database.

Every request with a session cookie reads its row, so the read is one hand-written SELECT (the ORM's
``.get()`` spent most of its time building and compiling the query, see ``bench/README.md``). It is a
plain database read on every request, never cached: a session ended by any process is gone for the
next request on every other process.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.db import connections, router
from django.utils import timezone

from billing_center.accounts.models import AccountSession


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
        """The stored data of this live (unexpired) session, the same WHERE as Django's ``.get()``."""
        if self.session_key is None:
            return None
        alias = router.db_for_read(AccountSession)
        connection = connections[alias]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_live_session_sql(alias), [self.session_key, now])
            row = cursor.fetchone()
        return None if row is None else str(row[0])

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



@lru_cache(maxsize=8)
def _live_session_sql(alias: str) -> str:
    quote = connections[alias].ops.quote_name
    table = quote(AccountSession._meta.db_table)
    return (
        f"SELECT {quote('session_data')} FROM {table} "  # noqa: S608
        f"WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s"
    )
