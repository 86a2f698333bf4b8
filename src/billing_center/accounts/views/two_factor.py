"""Two-factor pages: the second step of login / login by code / re-authentication, and Account
Settings > Security > Two-factor authentication (enrol with a QR code, see recovery codes once,
disable after re-authentication).

After a correct first factor of an account with two-factor on, the login and re-authentication views
call ``second_factor_pending``: nothing is logged in yet, the session only remembers who is waiting
for which step (for ``TWO_FACTOR_PENDING_SECONDS``, at most ``MAX_TRIES`` wrong codes). The second
step here completes it. ``SECOND_FACTOR_AT`` in the session records that this session passed the
second factor (the back office requires it)."""

from __future__ import annotations

import time
from typing import Any, cast
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from billing_center.accounts.models import Account
from billing_center.accounts.services import two_factor as two_factor
from billing_center.accounts.sessions import reauth_is_fresh, session_login, session_mark_reauthenticated
from billing_center.audit.services import RequestMeta
from billing_center.core.backoffice import SECOND_FACTOR_SESSION_KEY
from billing_center.core.errors import ApplicationError
from billing_center.core.forms import form_add_service_error

PENDING_KEY = "_bc_2fa_pending"
SECOND_FACTOR_AT = SECOND_FACTOR_SESSION_KEY
MAX_TRIES = 5
LOGIN = "login"
REAUTH = "reauth"


class TwoFactorRequired(ApplicationError):
    status = 403
    code = "two_factor_required"


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Authentication code or recovery code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


# --- the hook the login and re-authentication flows call ------------------------------------------


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


def second_factor_passed(request: HttpRequest) -> bool:
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(SECOND_FACTOR_AT))


def _pending(request: HttpRequest) -> tuple[dict[str, Any], Account] | None:
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
    found = _pending(request)
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


# --- pages ----------------------------------------------------------------------------------------


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    found = _pending(request)
    if found is None:
        messages.error(request, _("Start again: log in or confirm it's you first."))
        return redirect("accounts:login")
    pending = found[0]
    form = SecondFactorForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            second_factor_complete(request, form.cleaned_data["code"])
        except ApplicationError as exc:
            if _pending(request) is None:
                messages.error(request, _("Too many wrong codes. Start again."))
                return redirect("accounts:login")
            form_add_service_error(form, exc, default_field="code")
            status = exc.status
        else:
            return redirect(pending.get("next") or reverse("accounts:profile"))
    return render(request, "accounts/two_factor/verify.html", {"form": form}, status=status)


def _qr_svg(uri: str) -> str:
    return str(segno.make(uri, error="m").svg_inline(scale=4, title=_("QR code of the authenticator set-up")))


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    account = cast(Account, request.user)
    meta = RequestMeta.from_request(request)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = SecondFactorForm(request.POST if action == "confirm" else None)
    context: dict[str, Any] = {"form": form}
    status = 200
    try:
        if action == "start":
            two_factor.two_factor_setup_start(account=account)
        elif action == "confirm" and form.is_valid():
            codes = two_factor.two_factor_setup_confirm(
                account=account, code=form.cleaned_data["code"], meta=meta
            )
            request.session[SECOND_FACTOR_AT] = time.time()
            return render(request, "accounts/two_factor/recovery_codes.html", {"codes": codes})
        elif action == "disable":
            if not reauth_is_fresh(request):
                back = reverse("accounts:two_factor_settings")
                return redirect(f"{reverse('accounts:reauthenticate')}?{urlencode({'next': back})}")
            two_factor.two_factor_disable(account=account, reauthenticated=True, meta=meta)
            request.session.pop(SECOND_FACTOR_AT, None)
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("accounts:two_factor_settings")
    except ApplicationError as exc:
        form_add_service_error(form, exc, default_field="code")
        status = exc.status
    enabled = two_factor.two_factor_enabled(account)
    device = None if enabled else two_factor.two_factor_setup_device(account)
    context.update(enabled=enabled, setting_up=device is not None)
    if enabled:
        context["recovery_left"] = two_factor.recovery_codes_left(account)
    if device is not None:
        context.update(qr_svg=_qr_svg(device.config_url), secret=two_factor.totp_secret(device))
    return render(request, "accounts/two_factor/settings.html", context, status=status)
