"""The top bar's language switch and the question that follows it for a logged-in holder: should
emails and SMS follow too (the account's language)?"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from billing_center.accounts.models import Account, Language
from billing_center.accounts.services.profile import (
    CONSOLE_LANGUAGE_SESSION_KEY,
    NOTIFICATION_PROMPT_SESSION_KEY,
    account_language_set,
)
from billing_center.accounts.views.auth import safe_next
from billing_center.audit.services import RequestMeta


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """The top bar's language switch: Django's ``set_language`` (cookie). For a logged-in holder it
    switches this session's console only; the page then asks whether emails and SMS should follow
    (the account's language), so notifications never change silently."""
    chosen = request.POST.get("language", "")
    if request.user.is_authenticated and chosen in Language.values:
        account = request.user
        if chosen == account.language:
            request.session.pop(CONSOLE_LANGUAGE_SESSION_KEY, None)
            request.session.pop(NOTIFICATION_PROMPT_SESSION_KEY, None)
        else:
            request.session[CONSOLE_LANGUAGE_SESSION_KEY] = chosen
            request.session[NOTIFICATION_PROMPT_SESSION_KEY] = chosen
    return set_language(request)


@login_required
@require_POST
def notification_language(request: HttpRequest) -> HttpResponse:
    """The answer to "send notifications in this language too?": yes moves the account's language
    (emails and SMS, audited); either answer ends the question."""
    account = cast(Account, request.user)
    chosen = request.session.pop(NOTIFICATION_PROMPT_SESSION_KEY, None)
    if chosen in Language.values and request.POST.get("follow") == "yes":
        account_language_set(account=account, language=chosen, meta=RequestMeta.from_request(request))
        request.session.pop(CONSOLE_LANGUAGE_SESSION_KEY, None)
        messages.success(request, _("Emails and SMS will be sent in this language too."))
    return redirect(safe_next(request) or "accounts:overview")
