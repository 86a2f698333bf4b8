"""Limits hold across processes: two real servers share one send cap; the worker stops on SIGTERM."""

from __future__ import annotations

import http.cookiejar
import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.verification.xproc import free_port, isolated_database_env, server_process

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shared_env() -> Iterator[dict[str, str]]:
    # A 1 s resend cooldown (the minimum) so the per-target cap, not the cooldown, is what refuses.
    with isolated_database_env(CODE_RESEND_COOLDOWN_SECONDS="1", DELIVERY_WORKER_IN_SERVER="false") as env:
        yield env


class ApiClient:
    """A browser-like client of one server: keeps cookies and sends the CSRF token header."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with self.opener.open(f"{base_url}/api/v1/auth/csrf", timeout=30) as response:
            self.csrf_token = json.loads(response.read())["csrf_token"]

    def post(self, path: str, body: dict[str, str]) -> tuple[int, dict[str, object]]:
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf_token},
            method="POST",
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")


def test_two_server_processes_enforce_one_per_target_send_cap(shared_env):
    # given two server processes sharing one database (and Redis when the run has it)
    with server_process(shared_env, free_port()) as first, server_process(shared_env, free_port()) as second:
        clients = [ApiClient(first), ApiClient(second)]
        answers = []
        # when eight sign-up codes for one address are asked for, alternating between the servers
        for number in range(8):
            status, body = clients[number % 2].post(
                "/api/v1/auth/signup/codes", {"channel": "email", "target": "cap@example.com"}
            )
            answers.append((status, body.get("code")))
            time.sleep(1.1)  # past the 1 s resend cooldown
    # then exactly five are accepted, and the rest are refused by the per-target cap
    assert answers == [(202, None)] * 5 + [(429, "rate_limited")] * 3
    outbox = Path(shared_env["OUTBOX_PATH"]).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["to"] for line in outbox] == ["cap@example.com"] * 5


def test_the_worker_stops_cleanly_on_sigterm(shared_env):
    # given a running worker
    worker = subprocess.Popen(
        [sys.executable, "-m", "billing_center.cli", "worker", "--interval", "0.2"],
        env=shared_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert worker.stdout is not None
    assert "Delivery worker running" in worker.stdout.readline()
    time.sleep(0.5)
    # when it gets SIGTERM
    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate(timeout=30)
    # then it finishes its tick and exits 0
    assert worker.returncode == 0, err[-2000:]
    assert "Delivery worker stopped." in out
