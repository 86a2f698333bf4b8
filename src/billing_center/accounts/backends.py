"""Authenticate by username, email or verified phone through the login service, so every password
login (console, API and the back office's login form) is throttled and audited the same way."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from billing_center.audit.services import SYSTEM, RequestMeta
from billing_center.core.errors import ApplicationError


class IdentifierBackend(ModelBackend):
    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        from billing_center.accounts.services_login import login_with_password

        if not username or password is None:
            return None
        meta = RequestMeta.from_request(request) if request is not None else SYSTEM
        try:
            return login_with_password(identifier=username, password=password, meta=meta)
        except ApplicationError:
            return None
