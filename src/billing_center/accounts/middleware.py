"""Session lifetime (idle and absolute limits) and the account's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from billing_center.accounts.services.profile import CONSOLE_LANGUAGE_SESSION_KEY
from billing_center.accounts.sessions import session_expire_if_due

# Health probes answer without a session or an account, whatever cookie they carry (a load balancer's
# probe, or a browser tab that happens to hold a session): neither row is read for them.
PROBE_PATHS = frozenset({"/healthz", "/readyz"})


class _HolderMiddleware:
    """Calls ``for_holder`` on a logged-in holder's request before the view; probes pass untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path not in PROBE_PATHS:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                self.for_holder(request, user)
        return self.get_response(request)

    def for_holder(self, request: HttpRequest, user: Any) -> None:
        raise NotImplementedError


class SessionLifetimeMiddleware(_HolderMiddleware):
    """Ends sessions idle longer than SESSION_IDLE_SECONDS or older than SESSION_ABSOLUTE_SECONDS."""

    def for_holder(self, request: HttpRequest, user: Any) -> None:
        session_expire_if_due(request)


class AccountLanguageMiddleware(_HolderMiddleware):
    """The account's language wins over Accept-Language (LocaleMiddleware) once logged in."""

    def for_holder(self, request: HttpRequest, user: Any) -> None:
        if user.language:
            # This session's console language, when the holder switched it without moving their
            # notifications; otherwise the account's.
            language = request.session.get(CONSOLE_LANGUAGE_SESSION_KEY) or user.language
            translation.activate(language)
            request.LANGUAGE_CODE = language
