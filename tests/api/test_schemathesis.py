"""Fuzz the whole OpenAPI document through the WSGI app: no input may cause a 5xx (SPEC §11).

Runs twice per operation: as an anonymous browser and as a logged-in holder, both carrying a valid CSRF cookie and
header so requests reach the endpoint bodies instead of stopping at the CSRF check. Endpoints added
by later work are picked up automatically (the schema is read from the app at collection time).
"""

from __future__ import annotations

import contextlib

import pytest
import schemathesis
from django.conf import settings
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.factories import AccountFactory

EXAMPLES_PER_OPERATION = 25


@contextlib.contextmanager
def _test_transaction_kept_open():
    """Requests go through the raw WSGI app, not Django's test client, so Django's start/end-of-request
    hook would close the database connection that holds the test's transaction (PostgreSQL). Do what
    the test client does around each request: keep it open."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _csrf_token() -> str:
    browser = Client()
    browser.get("/api/v1/auth/csrf")
    return browser.cookies["csrftoken"].value


@pytest.fixture
def anonymous_credentials(db) -> tuple[dict[str, str], dict[str, str]]:
    """(headers, cookies) of a browser that fetched the CSRF cookie."""
    token = _csrf_token()
    return {"X-CSRFToken": token}, {"csrftoken": token}


@pytest.fixture
def holder_credentials(db) -> tuple[dict[str, str], dict[str, str]]:
    """(headers, cookies) of a logged-in holder's browser."""
    headers, cookies = {}, {}
    token = _csrf_token()
    browser = Client()
    browser.force_login(AccountFactory(username="fuzzed", email="fuzzed@example.com", phone="+8613800138000"))
    headers["X-CSRFToken"] = token
    cookies.update(
        {
            "csrftoken": token,
            settings.SESSION_COOKIE_NAME: browser.cookies[settings.SESSION_COOKIE_NAME].value,
        }
    )
    return headers, cookies


def _load_schema():
    from billing_center.wsgi import application

    # Loaded at collection (pytest-django has configured Django by then); the request touches no table.
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


schema = _load_schema()
FUZZ = hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


def _assert_no_server_error(case, credentials) -> None:
    headers, cookies = credentials
    with _test_transaction_kept_open():
        response = case.call(headers=headers, cookies=cookies)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:500]}"
    )


@schema.parametrize()
@FUZZ
@pytest.mark.django_db
def test_anonymous_requests_cause_no_server_error(case, anonymous_credentials):
    # given any request the schema allows (and many it does not), from a visitor / when sent
    # then the server answers without a 5xx
    _assert_no_server_error(case, anonymous_credentials)


@schema.parametrize()
@FUZZ
@pytest.mark.django_db
def test_holder_requests_cause_no_server_error(case, holder_credentials):
    # given any request the schema allows (and many it does not), from a logged-in holder / when sent
    # then the server answers without a 5xx
    _assert_no_server_error(case, holder_credentials)
