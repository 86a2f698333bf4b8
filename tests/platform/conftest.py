from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import AccountFactory

TOKEN = "platform-test-token-0123456789abcdef"
BASE = "/api/v1/platform/workspaces"


@pytest.fixture
def platform_token(settings) -> str:
    settings.PLATFORM_API_TOKEN = TOKEN
    return TOKEN


class ConsoleClient:
    """The SaaS console: JSON calls with the platform bearer token."""

    def __init__(self, token: str | None = TOKEN, ip: str = "127.0.0.1") -> None:
        self.client = Client(REMOTE_ADDR=ip)
        self.headers = {"Authorization": f"Bearer {token}"} if token is not None else {}

    def put(self, path: str, body: dict) -> object:
        return self.client.put(BASE + path, body, content_type="application/json", headers=self.headers)

    def post(self, path: str, body: dict) -> object:
        return self.client.post(BASE + path, body, content_type="application/json", headers=self.headers)

    def get(self, path: str) -> object:
        return self.client.get(BASE + path, headers=self.headers)

    def register(self, workspace_id: str, name: str = "Production", site: str = "cn1", language: str = "en"):
        return self.put(f"/{workspace_id}", {"name": name, "site": site, "language": language})


@pytest.fixture
def console(platform_token) -> ConsoleClient:
    return ConsoleClient()


@pytest.fixture
def holder(db):
    return AccountFactory(username="alice", email="alice@example.com")


@pytest.fixture
def other_holder(db):
    return AccountFactory(username="bob", email="bob@example.com")


@pytest.fixture(autouse=True)
def _language_reset():
    """Requests in Chinese leave their language active in this thread: do not leak it to later tests."""
    from django.utils import translation

    yield
    translation.deactivate()
