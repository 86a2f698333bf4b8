"""Helpers shared by the Account Settings tests (services, API, console pages)."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from billing_center.accounts.models import Account, AccountSession
from billing_center.accounts.services import login_with_password
from billing_center.audit.services import RequestMeta
from billing_center.core.errors import ApplicationError
from tests.factories import DEFAULT_PASSWORD
from tests.outbox import outbox_messages

META = RequestMeta(ip="203.0.113.7", user_agent="pytest settings", request_id="settings-test")


def logged_in_client(account: Account, *, enforce_csrf: bool = False, user_agent: str = "pytest") -> Client:
    """A test client with a real session row for ``account`` (login stamps set by the login signal)."""
    client = Client(enforce_csrf_checks=enforce_csrf, HTTP_USER_AGENT=user_agent)
    client.force_login(account, backend="billing_center.accounts.backends.IdentifierBackend")
    # force_login's request carries no headers: record the device the way a real login would.
    session = client.session
    session["_bc_ua"] = user_agent
    session["_bc_ip"] = "192.0.2.10"
    session.save()
    if enforce_csrf:
        client.get("/api/v1/auth/csrf")
        client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client


def session_key_of(client: Client) -> str:
    return client.cookies["bc_session"].value


def live_session_keys(account: Account) -> set[str]:
    return set(AccountSession.objects.filter(account=account).values_list("session_key", flat=True))


def can_log_in(identifier: str, password: str = DEFAULT_PASSWORD) -> bool:
    try:
        login_with_password(identifier=identifier, password=password, meta=RequestMeta(ip="198.51.100.9"))
    except ApplicationError:
        return False
    return True


def messages_to(target: str) -> list[dict[str, Any]]:
    return outbox_messages(target)


def has_code(message: dict[str, Any]) -> bool:
    return re.search(r"(?<!\d)\d{6}(?!\d)", str(message.get("body", ""))) is not None


OUTBOX_EMAIL_BACKEND = "billing_center.verification.channels.email.OutboxEmailBackend"


def use_outbox_email(settings: Any) -> None:
    """pytest-django swaps in the locmem mail backend; the codes these tests read live in the outbox."""
    settings.EMAIL_BACKEND = OUTBOX_EMAIL_BACKEND
