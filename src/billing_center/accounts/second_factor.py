"""The second step of login, login by code and re-authentication, shared by the API and the console
pages (request-level, like ``accounts.sessions``).

After a correct first factor of an account with two-factor on, the login and re-authentication flows
call ``second_factor_pending``: nothing is logged in yet, the session only remembers who is waiting
for which step (for ``TWO_FACTOR_PENDING_SECONDS``, at most ``MAX_TRIES`` wrong codes).
``second_factor_complete`` checks the code and completes the step. ``SECOND_FACTOR_AT`` in the
session records that this session passed the second factor (the back office requires it)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from billing_center.accounts.models import Account
from billing_center.accounts.services import two_factor
from billing_center.accounts.sessions import session_login, session_mark_reauthenticated
from billing_center.audit.services import RequestMeta
from billing_center.core.backoffice import SECOND_FACTOR_SESSION_KEY
from billing_center.core.errors import ApplicationError

PENDING_KEY = "_bc_2fa_pending"
SECOND_FACTOR_AT = SECOND_FACTOR_SESSION_KEY
MAX_TRIES = 5
LOGIN = "login"
REAUTH = "reauth"


class TwoFactorRequired(ApplicationError):
    status = 403
    code = "two_factor_required"


def second_factor_pending(
    request: HttpRequest, account: Account, *, purpose: str, method: str, next_url: str = ""
) -> bool:
    """True when ``account`` must still give its second factor; the step is then remembered in the
    session and the caller sends the visitor to ``accounts:two_factor`` instead of logging in."""
    if not two_factor.two_factor_enabled(account):
        return False
    request.session[PENDING_KEY] = {
        "account": account.pk,
        "purpose": purpose,
        "method": method,
        "next": next_url,
        "at": time.time(),
        "tries": 0,
    }
    return True


def second_factor_pending_or_raise(
    request: HttpRequest, account: Account, *, purpose: str, method: str
) -> None:
    """The API's form of the hook: 403 ``two_factor_required``; ``POST /api/v1/auth/two-factor`` completes."""
    if second_factor_pending(request, account, purpose=purpose, method=method):
        raise TwoFactorRequired(_("Enter the code from your authenticator app to continue."))


def second_factor_waiting(request: HttpRequest) -> tuple[dict[str, Any], Account] | None:
    """The step this session waits to complete and its account; None when none is (or it timed out)."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("at", 0)) > settings.TWO_FACTOR_PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    account = Account.objects.filter(pk=int(pending.get("account") or 0), is_active=True).first()
    if account is None:
        return None
    if pending.get("purpose") == REAUTH and getattr(request.user, "pk", None) != account.pk:
        return None
    return pending, account


def second_factor_complete(request: HttpRequest, code: str) -> str:
    """Check ``code`` for the pending step and complete it; returns the purpose (``login``/``reauth``).
    Raises ApplicationError: ``two_factor_not_pending`` (409), ``two_factor_invalid`` (422), 429."""
    found = second_factor_waiting(request)
    if found is None:
        raise ApplicationError(
            _("Start again: log in or confirm it's you first."), code="two_factor_not_pending", status=409
        )
    pending, account = found
    try:
        two_factor.two_factor_verify(account=account, code=code, meta=RequestMeta.from_request(request))
    except ApplicationError as exc:
        if exc.code == "two_factor_invalid":
            pending["tries"] = int(pending.get("tries", 0)) + 1
            if pending["tries"] >= MAX_TRIES:
                request.session.pop(PENDING_KEY, None)
            else:
                request.session[PENDING_KEY] = pending
        raise
    request.session.pop(PENDING_KEY, None)
    if pending["purpose"] == LOGIN:
        session_login(request, account, method=str(pending.get("method") or "password"))
    else:
        session_mark_reauthenticated(request)
    request.session[SECOND_FACTOR_AT] = time.time()
    return str(pending["purpose"])
