from __future__ import annotations

import pytest

from tests.factories import DEFAULT_PASSWORD, AccountFactory


@pytest.fixture
def password() -> str:
    return DEFAULT_PASSWORD


@pytest.fixture
def account(db):
    return AccountFactory()


@pytest.fixture
def api_client(client):
    """A Django test client that enforces CSRF like a browser and carries the token for the API."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    response = browser.get("/api/v1/auth/csrf")
    assert response.status_code == 200
    browser.defaults["HTTP_X_CSRFTOKEN"] = browser.cookies["csrftoken"].value
    return browser
