"""Authenticate by username, email or verified phone through the login service, so every password
login (console, API and the back office's login form) is throttled and audited the same way.

``get_user`` runs on every request with a signed-in session: it takes the account row the session
read of the same request brought (``session_store.session_account_take``), else reads it with one
hand-written SELECT (``core.rawread``) instead of the ORM's ``.get()``. Either way it is read from the
database on every request (no cache), so a disabled account or a changed password (the session hash)
is seen at once by every process."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import router
from django.http import HttpRequest

from billing_center.accounts.session_store import session_account_take
from billing_center.audit.services import SYSTEM, RequestMeta
from billing_center.core.errors import ApplicationError
from billing_center.core.rawread import row_by_pk


class IdentifierBackend(ModelBackend):
    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        from billing_center.accounts.services.login import login_with_password

        if not username or password is None:
            return None
        meta = RequestMeta.from_request(request) if request is not None else SYSTEM
        try:
            return login_with_password(identifier=username, password=password, meta=meta)
        except ApplicationError:
            return None

    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        user = session_account_take(user_id) or row_by_pk(model, user_id, alias=router.db_for_read(model))
        return user if user is not None and self.user_can_authenticate(user) else None
