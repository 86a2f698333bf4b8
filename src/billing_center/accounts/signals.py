"""Keep the language chosen before login (the language switch's cookie) for an account that never
chose one: without this, the account's default would silently replace it at login."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from billing_center.accounts.models import Account
from billing_center.accounts.services.profile import account_language_adopt
from billing_center.audit.services import RequestMeta


@receiver(user_logged_in, dispatch_uid="accounts.language_kept_at_login")
def keep_pre_login_language(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not isinstance(user, Account):
        return
    chosen = (request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or "").lower()
    if chosen:
        account_language_adopt(account=user, language=chosen, meta=RequestMeta.from_request(request))
