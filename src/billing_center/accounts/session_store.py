"""Database sessions that know their account, device and last activity, so a holder can list them
and end any of them (SPEC §1 Sessions). Shared by every app process through the database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore

from billing_center.accounts.models_sessions import AccountSession


def _from_timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(float(value), tz=UTC) if value else None


class SessionStore(DbSessionStore):
    @classmethod
    def get_model_class(cls) -> type[AccountSession]:
        return AccountSession

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
