"""Account Settings console pages: Profile, email and phone change, Security (password), Sessions and
Security log. Thin: each POST parses a form, calls one service, and redirects (or shows the error)."""

from __future__ import annotations

import time
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from billing_center.accounts.choices import industry_label, region_label
from billing_center.accounts.forms.settings import (
    ChangeStartForm,
    ConfirmForm,
    CurrentCodeForm,
    NewEmailForm,
    NewPhoneForm,
    PasswordChangeForm,
    PasswordSetForm,
    ProfileForm,
)
from billing_center.accounts.models import Account
from billing_center.accounts.selectors import settings as reads
from billing_center.accounts.services import identifier_change as changes
from billing_center.accounts.services.password import password_update
from billing_center.accounts.services.profile import PROFILE_FIELDS, profile_update
from billing_center.accounts.services.sessions import account_session_end, account_sessions_end_others
from billing_center.accounts.sessions import reauth_is_fresh
from billing_center.audit.services import RequestMeta
from billing_center.core.errors import ApplicationError, ReauthenticationRequired
from billing_center.core.forms import error_text, form_add_service_error
from billing_center.core.masking import mask_email, mask_phone
from billing_center.verification.services import code_lifetime_minutes

# A start refused for a stale re-authentication is remembered here and resumed once, right after the
# holder confirmed it is them (the intent itself came from a CSRF-checked POST).
RESUME_KEY = "_bc_settings_resume"
CHANGE_PAGES = {"email": "accounts:email_change", "phone": "accounts:phone_change"}
# The form each next step of the status shows.
STEP_FORMS = {"start": "start", "verify_current": "verify_current", "enter_new": "new", "verify_new": "confirm"}


def _meta(request: HttpRequest) -> RequestMeta:
    return RequestMeta.from_request(request)


def _account(request: HttpRequest) -> Account:
    return cast(Account, request.user)



def _status_code(exc: ApplicationError | None) -> int:
    return 429 if exc is not None and exc.status == 429 else 200


def _reauth_redirect(request: HttpRequest, back_to: str) -> HttpResponse:
    return redirect(f"{reverse('accounts:reauthenticate')}?{urlencode({'next': back_to})}")


# --- Profile --------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    initial = {field: getattr(account, field) for field in PROFILE_FIELDS}
    form = ProfileForm(request.POST or None, initial=initial)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            profile_update(account=account, changes=form.cleaned_data, meta=_meta(request))
        except ApplicationError as exc:
            error = exc
            form_add_service_error(form, exc)
        else:
            messages.success(request, _("Your profile was saved."))
            return redirect("accounts:profile")
    context = {
        "form": form,
        "account": account,
        "email_masked": mask_email(account.email),
        "phone_masked": mask_phone(account.phone) if account.phone else "",
        "industry_label": industry_label(account.industry) if account.industry else "",
        "region_label": region_label(account.region) if account.region else "",
        "email_status": reads.identifier_change_status(account=account, kind="email"),
        "phone_status": reads.identifier_change_status(account=account, kind="phone"),
    }
    return render(request, "accounts/settings/profile.html", context, status=_status_code(error))


# --- Email and phone change -----------------------------------------------------------------------


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def identifier_change(request: HttpRequest, kind: str) -> HttpResponse:
    """The email change and the phone change page (``kind`` comes with the URL)."""
    account = _account(request)
    page = reverse(CHANGE_PAGES[kind])
    forms_by_step = _change_forms(kind, None)
    error: ApplicationError | None = None
    failed_action = ""
    if request.method == "GET":
        resumed = _resume_start(request, kind)
        if resumed is not None:
            return resumed
    else:
        action = request.POST.get("action", "")
        try:
            response = _change_action(request, kind, action, forms_by_step)
        except ReauthenticationRequired:
            if action == "start":
                request.session[RESUME_KEY] = {
                    "kind": kind,
                    "end_other_sessions": bool(request.POST.get("end_other_sessions")),
                    "lost_phone": request.POST.get("lost_phone") == "1",
                    "at": time.time(),
                }
            return _reauth_redirect(request, page)
        except ApplicationError as exc:
            error = exc
            failed_action = action
            if action in forms_by_step:
                form_add_service_error(forms_by_step[action], exc)
        else:
            if response is not None:
                return response
    status = reads.identifier_change_status(account=account, kind=kind)
    if not forms_by_step["confirm"].is_bound:
        forms_by_step["confirm"] = ConfirmForm(initial={"end_other_sessions": status.end_other_sessions})
    step_form = STEP_FORMS.get(status.next_step, "")
    context: dict[str, Any] = {
        "kind": kind,
        "status": status,
        "forms": forms_by_step,
        "step_form": forms_by_step.get(step_form),
        # An error of an action whose form is not on screen (e.g. a resend too soon) shows at the top.
        "error_message": error_text(error) if error is not None and failed_action != step_form else "",
        "has_phone": bool(account.phone),
        "login_email_masked": mask_email(account.email),
        "current_masked": mask_email(account.email) if kind == "email" else mask_phone(account.phone or ""),
        "code_minutes": code_lifetime_minutes(),
        "change_minutes": settings.IDENTIFIER_CHANGE_TTL_SECONDS // 60,
        "delay_hours": settings.LOST_PHONE_DELAY_SECONDS // 3600,
    }
    template = "accounts/settings/identifier_change.html"
    return render(request, template, context, status=_status_code(error))


def _change_forms(kind: str, data: Any) -> dict[str, forms.Form]:
    new_form: forms.Form = NewEmailForm(data) if kind == "email" else NewPhoneForm(data)
    return {
        "start": ChangeStartForm(data),
        "verify_current": CurrentCodeForm(data),
        "new": new_form,
        "confirm": ConfirmForm(data),
    }


def _change_action(
    request: HttpRequest, kind: str, action: str, forms_by_step: dict[str, forms.Form]
) -> HttpResponse | None:
    """Runs one step; returns a redirect on success, None to re-render with the form's errors."""
    account = _account(request)
    meta = _meta(request)
    page = reverse(CHANGE_PAGES[kind])
    if action in forms_by_step:
        forms_by_step[action] = _change_forms(kind, request.POST)[action]
        if not forms_by_step[action].is_valid():
            return None
        data = forms_by_step[action].cleaned_data
    if action == "start":
        changes.identifier_change_start(
            account=account,
            kind=kind,
            reauthenticated=reauth_is_fresh(request),
            end_other_sessions=data["end_other_sessions"],
            lost_phone=request.POST.get("lost_phone") == "1",
            meta=meta,
        )
    elif action == "verify_current":
        changes.identifier_change_verify_current(account=account, kind=kind, code=data["code"], meta=meta)
    elif action == "new":
        changes.identifier_change_submit_new(
            account=account, kind=kind, value=data[kind], reauthenticated=reauth_is_fresh(request), meta=meta
        )
    elif action == "confirm":
        changes.identifier_change_confirm(
            account=account,
            kind=kind,
            code=data["code"],
            end_other_sessions=data["end_other_sessions"],
            keep_session_key=request.session.session_key,
            meta=meta,
        )
        messages.success(
            request,
            _("Your login email is now %(value)s.") % {"value": account.email}
            if kind == "email"
            else _("Your phone number is now %(value)s.") % {"value": account.phone},
        )
        return redirect("accounts:profile")
    elif action == "resend":
        changes.identifier_change_resend(account=account, kind=kind, meta=meta)
        messages.info(request, _("We sent a new code."))
    elif action == "cancel":
        changes.identifier_change_cancel(account=account, kind=kind, meta=meta)
        messages.info(request, _("The change was cancelled. Nothing was changed."))
        return redirect("accounts:profile")
    else:
        raise Http404
    return redirect(page)


def _resume_start(request: HttpRequest, kind: str) -> HttpResponse | None:
    intent = request.session.get(RESUME_KEY)
    if not intent or intent.get("kind") != kind or not reauth_is_fresh(request):
        return None
    del request.session[RESUME_KEY]
    if time.time() - float(intent.get("at", 0)) > settings.REAUTH_WINDOW_SECONDS:
        return None
    try:
        changes.identifier_change_start(
            account=_account(request),
            kind=kind,
            reauthenticated=True,
            end_other_sessions=bool(intent.get("end_other_sessions", True)),
            lost_phone=bool(intent.get("lost_phone", False)),
            meta=_meta(request),
        )
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    return redirect(CHANGE_PAGES[kind])


# --- Security (password) --------------------------------------------------------------------------


@sensitive_post_parameters("current_password", "new_password", "new_password_confirm")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def security(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    has_password = account.has_usable_password()
    form_class = PasswordChangeForm if has_password else PasswordSetForm
    form = form_class(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            password_update(
                account=account,
                current_password=form.cleaned_data.get("current_password", ""),
                new_password=form.cleaned_data["new_password"],
                reauthenticated=reauth_is_fresh(request),
                keep_session_key=request.session.session_key,
                meta=_meta(request),
            )
        except ReauthenticationRequired:
            return _reauth_redirect(request, reverse("accounts:security"))
        except ApplicationError as exc:
            error = exc
            form_add_service_error(form, exc)
        else:
            update_session_auth_hash(request, account)
            messages.success(
                request,
                _("Your password was changed. Your other sessions were logged out.")
                if has_password
                else _("Your password was set. Your other sessions were logged out."),
            )
            return redirect("accounts:security")
    context = {"form": form, "has_password": has_password, "reauth_fresh": reauth_is_fresh(request)}
    return render(request, "accounts/settings/security.html", context, status=_status_code(error))


# --- Sessions -------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def sessions_page(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    current = request.session.session_key
    if request.method == "POST":
        try:
            if request.POST.get("action") == "end_others":
                ended = account_sessions_end_others(
                    account=account, current_session_key=current, meta=_meta(request)
                )
                messages.success(
                    request,
                    ngettext(
                        "%(count)d other session was ended.", "%(count)d other sessions were ended.", ended
                    )
                    % {"count": ended},
                )
            else:
                account_session_end(
                    account=account,
                    session_id=request.POST.get("session_id", ""),
                    current_session_key=current,
                    meta=_meta(request),
                )
                messages.success(request, _("The session was ended."))
        except ApplicationError as exc:
            if exc.status == 404:
                raise Http404(exc.message) from exc
            messages.error(request, error_text(exc))
        return redirect("accounts:sessions")
    rows = reads.sessions_for_account(account=account, current_session_key=current)
    has_others = any(not row.is_current for row in rows)
    return render(request, "accounts/settings/sessions.html", {"sessions": rows, "has_others": has_others})


# --- Security log ---------------------------------------------------------------------------------

LOG_PAGE_SIZE = 20


@never_cache
@login_required
@require_http_methods(["GET"])
def security_log(request: HttpRequest) -> HttpResponse:
    try:
        page = reads.security_events_page(
            account=_account(request), cursor=request.GET.get("cursor") or None, limit=LOG_PAGE_SIZE
        )
    except ApplicationError as exc:
        raise Http404(exc.message) from exc
    events = [
        {"row": row, "label": reads.event_label(row.event), "device": reads.device_label(row.user_agent)}
        for row in page.items
    ]
    context = {
        "events": events,
        "next_cursor": page.next_cursor,
        "is_first_page": not request.GET.get("cursor"),
    }
    return render(request, "accounts/settings/security_log.html", context)
