"""Request-level session helpers shared by the API and the console pages (SPEC §1 Sessions).

Session data keys written here and read by ``SessionLifetimeMiddleware`` and the session store:
``_bc_auth_at`` (login time), ``_bc_reauth_at`` (last re-authentication), ``_bc_seen`` (last activity),
``_bc_ip`` and ``_bc_ua`` (device shown in the holder's session list). All are ``time.time()`` seconds.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from billing_center.accounts import events
from billing_center.accounts.models import Account
from billing_center.audit.services import RequestMeta, audit_record

AUTH_AT = "_bc_auth_at"
REAUTH_AT = "_bc_reauth_at"
SEEN_AT = "_bc_seen"
IP = "_bc_ip"
USER_AGENT = "_bc_ua"
METHOD = "_bc_method"
LOGIN_BACKEND = "billing_center.accounts.backends.IdentifierBackend"
# Refresh "last seen" at most this often, so a busy session does not write on every request.
LAST_SEEN_RESOLUTION_SECONDS = 60


def session_login(request: HttpRequest, account: Account, *, method: str) -> None:
    """Log ``account`` in on this request with a new session id."""
    login(request, account, backend=LOGIN_BACKEND)
    # Django keeps the id when the same account logs in again on a session; the SPEC wants a new id
    # at every authentication (no fixation through a pre-set cookie, whoever it belonged to).
    request.session.cycle_key()
    request.session[METHOD] = method


@receiver(user_logged_in, dispatch_uid="billing_center.accounts.sessions.stamp")
def _stamp_new_session(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    # Every login (console, API, back office) gets the stamps the lifetime middleware enforces; a
    # session without them would count as expired.
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    session = request.session
    session[AUTH_AT] = now
    session[REAUTH_AT] = now
    session[SEEN_AT] = now
    session[IP] = getattr(request, "client_ip", "") or request.META.get("REMOTE_ADDR", "")
    session[USER_AGENT] = request.META.get("HTTP_USER_AGENT", "")[:512]


def session_logout(request: HttpRequest) -> None:
    """End this request's session (audited when someone was logged in)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        audit_record(event=events.LOGOUT, account=user, meta=RequestMeta.from_request(request))
    logout(request)


def session_expire_if_due(request: HttpRequest) -> bool:
    """Log out a session past its idle or absolute limit (audited); else note the activity at most
    once a minute. Returns True when the session was ended."""
    now = time.time()
    session = request.session
    authenticated_at = float(session.get(AUTH_AT, 0) or 0)
    last_seen = float(session.get(SEEN_AT, 0) or 0)
    reason = ""
    if now - authenticated_at > settings.SESSION_ABSOLUTE_SECONDS:
        reason = "absolute"
    elif now - last_seen > settings.SESSION_IDLE_SECONDS:
        reason = "idle"
    if reason:
        audit_record(
            event=events.SESSION_EXPIRED,
            account=request.user,
            meta=RequestMeta.from_request(request),
            detail={"reason": reason},
        )
        logout(request)
        return True
    if now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
        session[SEEN_AT] = now
        session[IP] = getattr(request, "client_ip", "") or request.META.get("REMOTE_ADDR", "")
    return False


def session_mark_reauthenticated(request: HttpRequest) -> None:
    """After a successful re-authentication: new session id, fresh re-auth time."""
    request.session.cycle_key()
    request.session[REAUTH_AT] = time.time()


def reauth_window_end() -> datetime:
    """Until when a (re-)authentication made now lets the holder start a sensitive change."""
    return timezone.now() + timedelta(seconds=settings.REAUTH_WINDOW_SECONDS)


def reauth_is_fresh(request: HttpRequest) -> bool:
    """True when the holder (re-)authenticated within ``REAUTH_WINDOW_SECONDS``."""
    session = getattr(request, "session", None)
    if session is None:
        return False
    reauth_at = float(session.get(REAUTH_AT, 0) or 0)
    return 0 <= time.time() - reauth_at <= settings.REAUTH_WINDOW_SECONDS
