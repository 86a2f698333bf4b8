"""Console pages for sign-up, login (password or code), forgot password, re-authentication and logout
(the language switch is ``views.language``). Thin: each page parses a form, calls one service, and renders the outcome; every
rule (codes, throttling, passwords, enumeration safety) lives in the services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from billing_center.accounts import services, sessions
from billing_center.accounts.forms.auth import (
    LoginCodeForm,
    LoginForm,
    PasswordResetForm,
    ReauthCodeForm,
    ReauthPasswordForm,
    SignupForm,
)
from billing_center.accounts.models import Account, Language
from billing_center.accounts.second_factor import second_factor_pending
from billing_center.audit.services import RequestMeta
from billing_center.core.errors import ApplicationError
from billing_center.core.forms import form_add_service_error
from billing_center.verification.services import code_lifetime_minutes

SIGNUP_SENT_KEY = "bc_signup_codes"
SIGNUP_SEND_BUTTONS = {"send_email_code": ("email", "email"), "send_phone_code": ("sms", "phone")}


# --- Shared helpers --------------------------------------------------------------------------------


def _meta(request: HttpRequest) -> RequestMeta:
    return RequestMeta.from_request(request)


def safe_next(request: HttpRequest) -> str:
    """The ``next`` the page was given, only when it is a local path (starts with one ``/``)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _after_login(request: HttpRequest) -> HttpResponseRedirect:
    return redirect(safe_next(request) or reverse("accounts:profile"))


def _first_factor_passed(request: HttpRequest, account: Account, *, method: str) -> HttpResponse:
    """On to the second factor's page while one is due; else the session starts."""
    if second_factor_pending(request, account, purpose="login", method=method, next_url=safe_next(request)):
        return redirect("accounts:two_factor")
    sessions.session_login(request, account, method=method)
    return _after_login(request)


def _language(request: HttpRequest, chosen: str = "") -> str:
    """Language for the messages a code travels in: the one chosen on the form, else the page's."""
    if chosen in Language.values:
        return chosen
    current = (get_language() or settings.LANGUAGE_CODE).lower()
    return current if current in Language.values else settings.LANGUAGE_CODE


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], *, error: ApplicationError | None = None
) -> HttpResponse:
    status = 429 if error is not None and error.status == 429 else 200
    response = render(request, template, context, status=status)
    if status == 429 and error is not None and error.retry_after:
        response["Retry-After"] = str(max(1, int(error.retry_after)))
    return response


def _cooldown_until() -> datetime:
    return timezone.now() + timedelta(seconds=settings.CODE_RESEND_COOLDOWN_SECONDS)


def _wait_until(error: ApplicationError) -> datetime | None:
    return timezone.now() + timedelta(seconds=int(error.retry_after)) if error.retry_after else None


# --- Sign-up ---------------------------------------------------------------------------------------

SIGNUP_SECRETS = ("password", "password_confirm", "email_code", "phone_code")


@sensitive_post_parameters(*SIGNUP_SECRETS)
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return _after_login(request)
    if request.method == "GET":
        return _render_signup(request, SignupForm(initial={"language": _language(request)}))
    for button, (channel, field) in SIGNUP_SEND_BUTTONS.items():
        if button in request.POST:
            return _signup_send_code(request, channel=channel, field=field)
    form = SignupForm(request.POST)
    if not form.is_valid():
        return _render_signup(request, form)
    try:
        account = services.account_signup(**form.service_arguments(), meta=_meta(request))
    except ApplicationError as exc:
        form_add_service_error(form, exc)
        return _render_signup(request, form, error=exc)
    request.session.pop(SIGNUP_SENT_KEY, None)
    sessions.session_login(request, account, method="signup")
    messages.success(request, _("Welcome to the Billing Center. Your account is ready."))
    return _after_login(request)


def _signup_send_code(request: HttpRequest, *, channel: str, field: str) -> HttpResponse:
    form = SignupForm(request.POST, validate=False)
    target = form.typed(field)
    if not target:
        form.add_error(field, _("Enter the address to send a code to."))
        return _render_signup(request, form)
    try:
        sent = services.signup_code_request(
            channel=channel,
            target=target,
            language=_language(request, form.typed("language")),
            meta=_meta(request),
        )
    except ApplicationError as exc:
        form_add_service_error(form, exc, aliases={"target": field}, default_field=field)
        return _render_signup(request, form, error=exc, wait={field: _wait_until(exc)})
    remembered = dict(request.session.get(SIGNUP_SENT_KEY, {}))
    remembered[field] = {
        "target": target,
        "target_masked": sent.target_masked,
        "resend_available_at": sent.resend_available_at.isoformat(),
        "delivery": sent.delivery,
    }
    request.session[SIGNUP_SENT_KEY] = remembered
    return _render_signup(request, form)


def _render_signup(
    request: HttpRequest,
    form: SignupForm,
    *,
    error: ApplicationError | None = None,
    wait: dict[str, datetime | None] | None = None,
) -> HttpResponse:
    """The sign-up page; for email and phone it shows where the last code went and the resend countdown,
    as long as the field still holds the address that code went to."""
    remembered = request.session.get(SIGNUP_SENT_KEY, {}) if hasattr(request, "session") else {}
    channels: dict[str, dict[str, Any]] = {}
    for field in ("email", "phone"):
        sent = remembered.get(field)
        state: dict[str, Any] = {}
        if sent and sent.get("target") == form.typed(field):
            state = {
                "target_masked": sent["target_masked"],
                "delayed": sent.get("delivery") == "delayed",
                "resend_at": datetime.fromisoformat(sent["resend_available_at"]),
            }
        blocked_until = (wait or {}).get(field)
        if blocked_until is not None:
            state["resend_at"] = blocked_until
        if state.get("resend_at") and state["resend_at"] <= timezone.now():
            state.pop("resend_at")
        channels[field] = state
    context = {
        "form": form,
        "email_state": channels["email"],
        "phone_state": channels["phone"],
        "code_minutes": code_lifetime_minutes(),
        "next": safe_next(request),
    }
    return _render(request, "accounts/auth/signup.html", context, error=error)


# --- Login by password -----------------------------------------------------------------------------


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return _after_login(request)
    form = LoginForm(request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            account = services.login_with_password(
                identifier=form.cleaned_data["identifier"],
                password=form.cleaned_data["password"],
                meta=_meta(request),
            )
        except ApplicationError as exc:
            error = exc
            form_add_service_error(form, exc, aliases={"password": "", "identifier": ""})
        else:
            return _first_factor_passed(request, account, method="password")
    return _render(
        request, "accounts/auth/login.html", {"form": form, "next": safe_next(request)}, error=error
    )


# --- Login by code and forgot password: two-step code pages ----------------------------------------


def _code_step_page(
    request: HttpRequest,
    form_class: Callable[..., forms.Form],
    template: str,
    *,
    code_request: Callable[..., None],
    finish: Callable[[dict[str, Any]], HttpResponse],
    aliases: dict[str, str] | None = None,
    **context: Any,
) -> HttpResponse:
    """Step 1, "send_code": a code to the typed address (``code_request``), then the page asks for it;
    step 2: the cleaned form, with the code, goes to ``finish``. A refused step stays on the page."""
    context["code_minutes"] = code_lifetime_minutes()
    if request.method == "GET":
        return _render(request, template, {**context, "form": form_class()})
    sending = "send_code" in request.POST
    form = form_class(request.POST, final_step=not sending)
    error = None
    if form.is_valid():
        identifier = form.cleaned_data["identifier"]
        try:
            if not sending:
                return finish(form.cleaned_data)
            code_request(identifier=identifier, language=_language(request), meta=_meta(request))
        except ApplicationError as exc:
            error = exc
            form_add_service_error(form, exc, aliases=aliases)
            context["resend_at"] = _wait_until(exc) if sending else None
        else:
            form = form_class(initial={"identifier": identifier})
            context.update(sent=True, resend_at=_cooldown_until())
    context.update(form=form, code_step=not sending or context.get("sent", False))
    return _render(request, template, context, error=error)


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return _after_login(request)

    def finish(data: dict[str, Any]) -> HttpResponse:
        account = services.login_with_code(identifier=data["identifier"], code=data["code"], meta=_meta(request))
        return _first_factor_passed(request, account, method="code")

    return _code_step_page(
        request,
        LoginCodeForm,
        "accounts/auth/login_code.html",
        code_request=services.login_code_request,
        finish=finish,
        next=safe_next(request),
    )


@sensitive_post_parameters("code", "new_password", "new_password_confirm")
@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    def finish(data: dict[str, Any]) -> HttpResponse:
        services.password_reset(
            identifier=data["identifier"], code=data["code"], new_password=data["new_password"], meta=_meta(request)
        )
        messages.success(request, _("Your password has been changed. Log in with your new password."))
        return redirect("accounts:login")

    return _code_step_page(
        request,
        PasswordResetForm,
        "accounts/auth/password_reset.html",
        code_request=services.password_reset_code_request,
        finish=finish,
        aliases={"password": "new_password"},
    )


# --- Re-authentication -----------------------------------------------------------------------------


@sensitive_post_parameters("password", "code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reauthenticate(request: HttpRequest) -> HttpResponse:
    account = cast(Account, request.user)
    has_password = account.has_usable_password()
    password_form = ReauthPasswordForm()
    code_form = ReauthCodeForm()
    context: dict[str, Any] = {
        "next": safe_next(request),
        "has_password": has_password,
        "code_minutes": code_lifetime_minutes(),
    }
    error = None
    action = request.POST.get("action", "")
    try:
        if action == "password" and has_password:
            password_form = ReauthPasswordForm(request.POST)
            if password_form.is_valid():
                services.reauthenticate(
                    account=account, password=password_form.cleaned_data["password"], meta=_meta(request)
                )
                return _reauthenticated(request)
        elif action == "send_code":
            sent = services.reauth_code_request(account=account, meta=_meta(request))
            context.update(
                sent=sent,
                sent_delayed=sent.delivery == "delayed",
                resend_at=sent.resend_available_at,
                code_step=True,
            )
        elif action == "code":
            context["code_step"] = True
            code_form = ReauthCodeForm(request.POST)
            if code_form.is_valid():
                services.reauthenticate(
                    account=account, code=code_form.cleaned_data["code"], meta=_meta(request)
                )
                return _reauthenticated(request)
    except ApplicationError as exc:
        error = exc
        if action == "password":
            form_add_service_error(password_form, exc, aliases={"password": ""})
        else:
            form_add_service_error(code_form, exc)
            context["resend_at"] = _wait_until(exc) if action == "send_code" else None
    context.update(password_form=password_form, code_form=code_form)
    return _render(request, "accounts/auth/reauthenticate.html", context, error=error)


def _reauthenticated(request: HttpRequest) -> HttpResponse:
    account = cast(Account, request.user)
    if second_factor_pending(request, account, purpose="reauth", method="reauth", next_url=safe_next(request)):
        return redirect("accounts:two_factor")
    sessions.session_mark_reauthenticated(request)
    return _after_login(request)


# --- Logout and language ---------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        if not request.user.is_authenticated:
            return redirect("accounts:login")
        return render(request, "accounts/auth/logout.html")
    sessions.session_logout(request)
    messages.success(request, _("You have logged out."))
    return redirect("accounts:login")
