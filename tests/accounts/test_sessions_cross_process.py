"""The session path across two real server processes sharing one database: whatever one process
does to a session or an account is seen by the other on its very next request (nothing is cached)."""

from __future__ import annotations

import http.cookiejar
import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tests.verification.xproc import free_port, isolated_database_env, server_process

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery staple 7"
NEW_PASSWORD = "another long passphrase 93"
# Each test logs in several times from one address; the per-pair and per-IP limits are not what is
# tested here, so they are out of the way (every limit still counts its hits).
LIMITS = {"LOGIN_PER_IP_PER_MINUTE": "1000", "LOGIN_PAIR_DELAY_AFTER": "1000", "LOGIN_PAIR_BLOCK_AFTER": "1000"}


@pytest.fixture(scope="module")
def two_servers() -> Iterator[tuple[dict[str, str], str, str]]:
    with (
        isolated_database_env(DELIVERY_WORKER_IN_SERVER="false", **LIMITS) as env,
        server_process(env, free_port()) as first,
        server_process(env, free_port()) as second,
    ):
        yield env, first, second


def _django(env: dict[str, str], code: str) -> str:
    """Run ``code`` in a separate Django process on the shared database (an operator's action)."""
    script = "import django; django.setup()\nfrom billing_center.accounts.models import Account\n" + code
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def _account_create(env: dict[str, str], username: str) -> None:
    _django(
        env,
        f"Account.objects.create_user({username!r}, {username + '@example.com'!r}, {PASSWORD!r}, "
        "enterprise_name='Cross Process Ltd.')",
    )


class Browser:
    """Cookies and the CSRF header, sent to whichever server a request names."""

    def __init__(self, base_url: str) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        status, body = self.call(base_url, "GET", "/api/v1/auth/csrf")
        assert status == 200
        self.csrf_token = str(body["csrf_token"])

    def call(self, base_url: str, method: str, path: str, body: object = None) -> tuple[int, dict[str, object]]:
        request = urllib.request.Request(
            f"{base_url}{path}",
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                **({"X-CSRFToken": self.csrf_token} if getattr(self, "csrf_token", None) else {}),
            },
            method=method,
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else {}
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else {}

    def login(self, base_url: str, username: str, password: str = PASSWORD) -> None:
        status, body = self.call(base_url, "POST", "/api/v1/auth/login", {"identifier": username, "password": password})
        assert status == 200, body
        # The login rotates the CSRF token with the session.
        status, body = self.call(base_url, "GET", "/api/v1/auth/csrf")
        self.csrf_token = str(body["csrf_token"])


def _other_session_id(browser: Browser, base_url: str) -> str:
    status, body = browser.call(base_url, "GET", "/api/v1/account/sessions")
    assert status == 200
    items = body["items"]
    assert isinstance(items, list)
    return next(str(item["id"]) for item in items if not item["is_current"])


def test_a_session_ended_through_one_process_is_refused_by_the_other(two_servers):
    env, first, second = two_servers
    _account_create(env, "xprocend")
    for _ in range(5):
        # given the holder on two browsers, the phone's session served by the second process
        laptop, phone = Browser(first), Browser(second)
        laptop.login(first, "xprocend")
        phone.login(second, "xprocend")
        assert phone.call(second, "GET", "/api/v1/account/me")[0] == 200
        # when the laptop ends the phone's session through the first process
        status, _ = laptop.call(first, "DELETE", f"/api/v1/account/sessions/{_other_session_id(laptop, first)}")
        assert status == 204
        # then the phone's next request through the second process is refused, and the laptop goes on
        assert phone.call(second, "GET", "/api/v1/account/me")[0] == 401
        assert laptop.call(second, "GET", "/api/v1/account/me")[0] == 200
        laptop.call(first, "POST", "/api/v1/auth/logout")


def test_a_disabled_account_is_refused_by_both_processes_at_once(two_servers):
    env, first, second = two_servers
    _account_create(env, "xprocoff")
    # given the holder signed in, served by both processes
    browser = Browser(first)
    browser.login(first, "xprocoff")
    assert browser.call(first, "GET", "/api/v1/account/profile")[0] == 200
    assert browser.call(second, "GET", "/api/v1/account/profile")[0] == 200
    # when an operator disables the account (another process)
    _django(env, "Account.objects.filter(username='xprocoff').update(is_active=False)")
    # then the next request through either process is refused
    assert browser.call(second, "GET", "/api/v1/account/profile")[0] == 401
    assert browser.call(first, "GET", "/api/v1/account/profile")[0] == 401


def test_a_password_change_through_one_process_ends_the_other_sessions_on_the_other(two_servers):
    env, first, second = two_servers
    _account_create(env, "xprocpass")
    # given the holder on two browsers, each served by a different process
    laptop, phone = Browser(first), Browser(second)
    laptop.login(first, "xprocpass")
    phone.login(second, "xprocpass")
    assert phone.call(second, "GET", "/api/v1/account/me")[0] == 200
    # when the password is changed on the laptop through the first process
    status, body = laptop.call(
        first, "POST", "/api/v1/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert status == 200, body
    # then the phone is refused through the second process; the laptop's (renewed) session still works there
    assert phone.call(second, "GET", "/api/v1/account/me")[0] == 401
    assert laptop.call(second, "GET", "/api/v1/account/me")[0] == 200
    # and the new password logs in through the second process
    Browser(second).login(second, "xprocpass", NEW_PASSWORD)
