"""Session lifetime (idle and absolute limits) and the account's language."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import translation

# Refresh "last seen" at most this often, so a busy session does not write on every request.
LAST_SEEN_RESOLUTION_SECONDS = 60


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            authenticated_at = float(session.get("_bc_auth_at", 0) or 0)
            last_seen = float(session.get("_bc_seen", 0) or 0)
            if (
                now - authenticated_at > settings.SESSION_ABSOLUTE_SECONDS
                or now - last_seen > settings.SESSION_IDLE_SECONDS
            ):
                logout(request)
            elif now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
                session["_bc_seen"] = now
                session["_bc_ip"] = getattr(request, "client_ip", "")
        return self.get_response(request)


class AccountLanguageMiddleware:
    """The account's language wins over Accept-Language (LocaleMiddleware) once logged in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
