"""Authentication classes of the holder API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.http import HttpRequest
from ninja.security import APIKeyCookie, SessionAuth

if TYPE_CHECKING:
    from billing_center.accounts.models import Account


class HolderSession(SessionAuth):
    """A logged-in, active holder's session (CSRF-checked on unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


class CsrfProtected(APIKeyCookie):
    """For endpoints used before login (sign-up, login, codes): no session needed, but unsafe methods
    must carry the CSRF token (login CSRF). ``GET /api/v1/auth/csrf`` sets the cookie."""

    param_name = "csrftoken"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return True


def holder(request: HttpRequest) -> Account:
    """The account behind an endpoint guarded by ``HolderSession``."""
    return cast("Account", request.auth)  # type: ignore[attr-defined]
