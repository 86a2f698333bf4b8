"""The local outbox: a trimmed JSON-lines file, its two pages, and its refusal in production."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail

from billing_center.verification.channels.outbox import outbox_append, outbox_read
from billing_center.verification.channels.sms.outbox import OutboxSmsBackend
from tests.outbox import latest_code, outbox_messages
from tests.verification.xproc import REPO


def test_messages_are_read_newest_first_with_every_field():
    # given an email through Django's mail API and an SMS through the SMS backend
    mail.send_mail("Hello", "Your code is 123456.", None, ["ada@example.com"])
    OutboxSmsBackend().send(to="+8613800000000", body="654321 is your code", purpose="login", code="654321")
    # when the outbox is read
    messages = outbox_read()
    # then the SMS comes first, and both carry channel, to, subject, body, created_at
    assert [message["channel"] for message in messages] == ["sms", "email"]
    assert set(messages[0]) == {"channel", "to", "subject", "body", "created_at"}
    assert latest_code("ada@example.com") == "123456"
    assert latest_code("+8613800000000") == "654321"


def test_the_outbox_keeps_only_the_newest_messages(settings):
    # given room for 3 messages / when 5 are written
    settings.OUTBOX_KEEP = 3
    for number in range(5):
        outbox_append(channel="email", to=f"u{number}@example.com", subject="s", body=str(number))
    # then the 3 newest remain
    assert [message["body"] for message in outbox_read()] == ["4", "3", "2"]


def test_concurrent_appends_never_interleave(settings):
    # given many writers at once / when each appends a long message
    settings.OUTBOX_KEEP = 1000
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda n: outbox_append(channel="sms", to=f"+1{n}", subject="", body="x" * 5000), range(80)))
    # then every line is a whole message
    assert len(outbox_messages()) == 80


def test_latest_code_reads_only_the_newest_message_to_that_address():
    outbox_append(channel="email", to="ada@example.com", subject="code", body="Code 111111")
    outbox_append(channel="email", to="ada@example.com", subject="notice", body="Your email changed.")
    with pytest.raises(AssertionError, match="holds no code"):
        latest_code("ada@example.com")


def test_the_json_page_lists_the_outbox_newest_first(client):
    # given two messages / when the JSON page is read
    outbox_append(channel="email", to="ada@example.com", subject="first", body="Code 111111")
    outbox_append(channel="sms", to="+8613800000000", subject="", body="222222 验证码")
    response = client.get("/dev/outbox.json")
    # then it is a JSON array, newest first, with exactly the documented fields
    assert response.status_code == 200
    data = response.json()
    assert [item["body"] for item in data] == ["222222 验证码", "Code 111111"]
    assert set(data[0]) == {"channel", "to", "subject", "body", "created_at"}


@pytest.mark.django_db
def test_the_html_page_shows_readable_codes(client):
    outbox_append(channel="email", to="ada@example.com", subject="Your code", body="Code 314159")
    response = client.get("/dev/outbox")
    assert response.status_code == 200
    assert "314159" in response.content.decode()
    assert "ada@example.com" in response.content.decode()


@pytest.mark.parametrize("path", ["/dev/outbox", "/dev/outbox.json"])
def test_the_pages_do_not_exist_without_an_outbox_backend(client, settings, path):
    # given SMTP and Aliyun configured (no outbox backend) / when a page is asked for / then 404
    settings.OUTBOX_ENABLED = False
    outbox_append(channel="email", to="ada@example.com", subject="s", body="Code 111111")
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("email_backend", "sms_backend"), [("outbox", "aliyun"), ("smtp", "outbox"), ("outbox", "outbox")]
)
def test_production_refuses_any_outbox_backend(email_backend, sms_backend, tmp_path):
    # given a production configuration with every secret but an outbox backend
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env.update(
        DEPLOYMENT="production", SECRET_KEY="x" * 50, CODE_HMAC_KEY="y" * 50, DATA_DIR=str(tmp_path),
        EMAIL_BACKEND=email_backend, SMS_BACKEND=sms_backend, PYTHONPATH=str(REPO / "src"),
        DJANGO_SETTINGS_MODULE="billing_center.settings",
    )
    # when the settings are imported
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, timeout=60
    )
    # then start-up fails, naming the outbox
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "outbox" in result.stderr


def test_production_starts_with_real_backends(tmp_path):
    # given the same production configuration with SMTP and Aliyun / when imported / then it starts
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env.update(
        DEPLOYMENT="production", SECRET_KEY="x" * 50, CODE_HMAC_KEY="y" * 50, DATA_DIR=str(tmp_path),
        EMAIL_BACKEND="smtp", SMS_BACKEND="aliyun", PYTHONPATH=str(REPO / "src"),
        DJANGO_SETTINGS_MODULE="billing_center.settings",
    )
    script = "import django; django.setup(); from django.conf import settings; print(settings.OUTBOX_ENABLED)"
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "False"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/dev/outbox", "/dev/outbox.json"])
def test_the_pages_answer_only_a_client_on_this_machine(client, settings, path):
    # given an outbox backend and a message holding a code
    import ipaddress

    outbox_append(channel="email", to="ada@example.com", subject="s", body="Your code is 123456")
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1/32")]
    # when a remote client asks, directly or through a proxy on this machine / then there is no page
    assert client.get(path, REMOTE_ADDR="192.0.2.10").status_code == 404
    assert client.get(path, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.10").status_code == 404
    # and a local client (IPv4 or IPv6 loopback) reads it
    assert client.get(path, REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get(path, REMOTE_ADDR="::1").status_code == 200
