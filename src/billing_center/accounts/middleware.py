"""Session lifetime (idle and absolute limits) and the account's language."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from billing_center.accounts.services.profile import CONSOLE_LANGUAGE_SESSION_KEY
from billing_center.accounts.sessions import session_expire_if_due

# Health probes answer without a session or an account, whatever cookie they carry (a load balancer's
# probe, or a browser tab that happens to hold a session): neither row is read for them.
PROBE_PATHS = frozenset({"/healthz", "/readyz"})


class SessionLifetimeMiddleware:
    """Ends sessions idle longer than SESSION_IDLE_SECONDS or older than SESSION_ABSOLUTE_SECONDS."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in PROBE_PATHS:
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session_expire_if_due(request)
        return self.get_response(request)


class AccountLanguageMiddleware:
    """The account's language wins over Accept-Language (LocaleMiddleware) once logged in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in PROBE_PATHS:
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            # This session's console language, when the holder switched it without moving their
            # notifications; otherwise the account's.
            language = request.session.get(CONSOLE_LANGUAGE_SESSION_KEY) or user.language
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
