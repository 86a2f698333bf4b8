"""The platform credential (SPEC §12): 404 without a configured token, 401 and nothing stored otherwise."""

from __future__ import annotations

import pytest
from django.test import Client

from billing_center.audit.models import AuditEvent
from billing_center.conf import env_secret
from billing_center.verification.models import OneTimeCode
from billing_center.workspaces.models import Workspace, WorkspaceHistory
from tests.platform.conftest import BASE, TOKEN, ConsoleClient
from tests.workspaces.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db

CALLS = [
    ("put", "/ws-auth", {"name": "N", "site": "cn1", "language": "en"}),
    ("get", "/ws-auth", None),
    ("post", "/ws-auth/binding-code", {"username": "alice", "email": "alice@example.com"}),
    ("post", "/ws-auth/binding", {"username": "alice", "email": "alice@example.com", "code": "123456"}),
    ("put", "/ws-auth/lock", {"state": "locked", "reason": "unpaid"}),
]


def _call(console: ConsoleClient, method: str, path: str, body: dict | None):
    return console.get(path) if method == "get" else getattr(console, method)(path, body)


def _nothing_stored() -> None:
    assert Workspace.objects.count() == 0
    assert WorkspaceHistory.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert OneTimeCode.objects.count() == 0


@pytest.mark.parametrize(("method", "path", "body"), CALLS)
def test_without_a_configured_token_every_platform_path_answers_404(settings, method, path, body):
    # given no PLATFORM_API_TOKEN at all
    settings.PLATFORM_API_TOKEN = ""
    # when the console calls, even with some bearer token (or an empty one)
    for console in (ConsoleClient(token="anything"), ConsoleClient(token=None), ConsoleClient(token="")):
        response = _call(console, method, path, body)
        # then the platform API does not exist, and nothing is stored
        assert response.status_code == 404, response.content
    _nothing_stored()


@pytest.mark.parametrize(("method", "path", "body"), CALLS)
@pytest.mark.parametrize("token", [None, "", "wrong", TOKEN + "x", TOKEN[:-1], TOKEN.upper()])
def test_missing_or_wrong_token_answers_401_and_stores_nothing(platform_token, method, path, body, token):
    # when the console calls without the right token
    response = _call(ConsoleClient(token=token), method, path, body)
    # then: 401 problem details, no workspace, no code, not even an audit row
    assert response.status_code == 401, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_authenticated"
    _nothing_stored()


def test_wrong_token_is_refused_before_the_body_is_read(platform_token):
    # when a wrong token comes with a malformed body
    response = ConsoleClient(token="wrong").client.put(
        BASE + "/ws-1", "{not json", content_type="application/json", headers={"Authorization": "Bearer wrong"}
    )
    # then the answer is 401, not a validation error
    assert response.status_code == 401


def test_other_schemes_than_bearer_are_refused(platform_token):
    client = Client()
    response = client.get(BASE + "/ws-1", headers={"Authorization": f"Basic {TOKEN}"})
    assert response.status_code == 401
    response = client.get(BASE + "/ws-1", headers={"X-Api-Key": TOKEN})
    assert response.status_code == 401


def test_a_holder_session_never_reaches_the_platform_api(platform_token, holder):
    # given a logged-in holder (a staff operator even)
    holder.is_staff = True
    holder.is_superuser = True
    holder.save()
    client = Client()
    client.force_login(holder)
    WorkspaceFactory(id="ws-1")
    # when the browser session calls the platform API without the token
    read = client.get(BASE + "/ws-1")
    write = client.put(BASE + "/ws-2", {"name": "N", "site": "cn1", "language": "en"}, content_type="application/json")
    # then it is refused like any caller without the token
    assert read.status_code == 401
    assert write.status_code == 401
    assert not Workspace.objects.filter(pk="ws-2").exists()


def test_the_platform_token_never_reaches_holder_endpoints(platform_token, holder):
    WorkspaceFactory(id="ws-1", account=holder)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert Client().get("/api/v1/workspaces", headers=headers).status_code == 401
    assert Client().get("/api/v1/workspaces/ws-1", headers=headers).status_code == 401
    assert Client().get("/api/v1/account/profile", headers=headers).status_code == 401


def test_the_token_is_compared_in_constant_time(platform_token, monkeypatch):
    # given a spy on hmac.compare_digest as the platform auth uses it
    from billing_center.platform import auth

    seen: list[tuple[bytes, bytes]] = []
    real = auth.hmac.compare_digest

    def spy(a, b):  # type: ignore[no-untyped-def]
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    # when the console calls with a wrong token and then the right one
    assert ConsoleClient(token="wrong").get("/ws-x").status_code == 401
    assert ConsoleClient().get("/ws-x").status_code == 404
    # then both went through compare_digest
    assert seen == [(b"wrong", TOKEN.encode()), (TOKEN.encode(), TOKEN.encode())]


def test_the_token_can_come_from_a_file(tmp_path, monkeypatch):
    # given PLATFORM_API_TOKEN_FILE naming a secret file (Docker/Kubernetes secrets)
    secret = tmp_path / "platform-token"
    secret.write_text("from-a-file-token\n", encoding="utf-8")
    monkeypatch.delenv("PLATFORM_API_TOKEN", raising=False)
    monkeypatch.setenv("PLATFORM_API_TOKEN_FILE", str(secret))
    # then the setting's helper reads it, without the newline
    assert env_secret("PLATFORM_API_TOKEN") == "from-a-file-token"


def test_every_authenticated_call_is_audited_with_the_console_as_actor(console):
    # when the console makes three calls (one of them refused by validation)
    console.register("ws-1")
    console.get("/ws-1")
    console.put("/ws-1/lock", {"state": "grace", "reason": "unpaid"})
    # then each call left one platform.call row, labelled "console"
    calls = AuditEvent.objects.filter(event="platform.call").order_by("id")
    assert [(row.detail["method"], row.detail["path"]) for row in calls] == [
        ("PUT", BASE + "/ws-1"),
        ("GET", BASE + "/ws-1"),
        ("PUT", BASE + "/ws-1/lock"),
    ]
    assert {row.actor_label for row in calls} == {"console"}
    assert all(row.actor_id is None for row in calls)


OTHER_METHODS = [
    ("delete", "/ws-auth"),
    ("patch", "/ws-auth"),
    ("options", "/ws-auth"),
    ("get", "/ws-auth/binding-code"),
    ("put", "/ws-auth/binding"),
    ("get", "/ws-auth/lock"),
    ("head", "/ws-auth/lock"),
]


@pytest.mark.parametrize(("method", "path"), OTHER_METHODS)
def test_other_methods_do_not_reveal_a_switched_off_api(settings, method, path):
    # given no token configured: a method the path does not take still answers 404, not 405
    settings.PLATFORM_API_TOKEN = ""
    client = Client()
    assert getattr(client, method)(BASE + path).status_code == 404
    # given a token: without it 401, with it 405
    settings.PLATFORM_API_TOKEN = TOKEN
    assert getattr(client, method)(BASE + path).status_code == 401
    allowed = getattr(client, method)(BASE + path, headers={"Authorization": f"Bearer {TOKEN}"})
    assert allowed.status_code == 405
