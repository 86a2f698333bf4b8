"""Two-factor pages: the second step of login / login by code / re-authentication, and Account
Settings > Security > Two-factor authentication (enrol with a QR code, see recovery codes once,
disable after re-authentication).

The pending step itself (what the session remembers, completing it) is ``accounts.second_factor``,
which the API uses too; these pages only show it."""

from __future__ import annotations

import time
from typing import Any, cast
from urllib.parse import urlencode

import segno
from django import forms
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
from billing_center.accounts.second_factor import (
    SECOND_FACTOR_AT,
    second_factor_complete,
    second_factor_waiting,
)
from billing_center.accounts.services import two_factor as two_factor
from billing_center.accounts.sessions import reauth_is_fresh
from billing_center.audit.services import RequestMeta
from billing_center.core.errors import ApplicationError
from billing_center.core.forms import form_add_service_error


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Authentication code or recovery code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )



@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    found = second_factor_waiting(request)
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
            if second_factor_waiting(request) is None:
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
