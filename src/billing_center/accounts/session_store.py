"""Database sessions that know their account, device and last activity, so a holder can list them
and end any of them (SPEC §1 Sessions). Shared by every app process through the database."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore

from billing_center.accounts.models_sessions import AccountSession


class SessionStore(DbSessionStore):
    @classmethod
    def get_model_class(cls) -> type[AccountSession]:
        return AccountSession

    def create_model_instance(self, data: dict[str, Any]) -> AccountSession:
        instance: AccountSession = super().create_model_instance(data)  # type: ignore[assignment]
        account_id = data.get("_auth_user_id")
        instance.account_id = int(account_id) if account_id else None
        instance.ip = data.get("_bc_ip") or None
        instance.user_agent = (data.get("_bc_ua") or "")[:512]
        last_seen = data.get("_bc_seen")
        if last_seen:
            from datetime import UTC, datetime

            instance.last_seen_at = datetime.fromtimestamp(float(last_seen), tz=UTC)
        return instance
