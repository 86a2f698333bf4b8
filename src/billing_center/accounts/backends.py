"""Authenticate by username, email or verified phone. Throttling lives in the login service."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from billing_center.accounts.selectors import account_by_identifier


class IdentifierBackend(ModelBackend):
    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if not username or password is None:
            return None
        account = account_by_identifier(username)
        if account is None:
            # Same cost as a real check, so timing does not tell unknown identifiers apart.
            get_user_model()().set_password(password)
            return None
        if account.check_password(password) and self.user_can_authenticate(account):
            return account
        return None
