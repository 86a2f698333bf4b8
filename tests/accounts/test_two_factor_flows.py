"""Two-factor in the login, login-by-code and re-authentication flows (pages and API), and the
Account Settings page that turns it on and off."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from billing_center.accounts.sessions import REAUTH_AT
from tests.accounts.two_factor_support import enrol, totp_for, totp_now
from tests.factories import DEFAULT_PASSWORD, AccountFactory
from tests.outbox import latest_code

pytestmark = pytest.mark.django_db
PROFILE = "/settings/profile"


def _logged_in(client: Client) -> bool:
    return client.get(PROFILE).status_code == 200


def _password_login(client: Client, account, next_url: str = ""):
    data = {"identifier": account.username, "password": DEFAULT_PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data)


def test_login_without_two_factor_logs_in_at_once():
    client = Client()
    response = _password_login(client, AccountFactory())
    assert response.status_code == 302 and response["Location"] == PROFILE
    assert _logged_in(client)


def test_password_login_with_two_factor_asks_for_the_code_before_logging_in():
    # given an account with two-factor on
    account = AccountFactory()
    enrol(account)
    client = Client()
    # when the password is right
    response = _password_login(client, account, next_url="/settings/security")
    # then the visitor is sent to the second step and is not logged in yet
    assert response["Location"] == reverse("accounts:two_factor")
    assert not _logged_in(client)
    page = client.get(reverse("accounts:two_factor"))
    assert "Authentication code or recovery code" in page.content.decode()
    # when a wrong code is entered, then still not logged in
    assert client.post(reverse("accounts:two_factor"), {"code": "000000"}).status_code == 422
    assert not _logged_in(client)
    # when the right code is entered, then logged in and sent to ?next
    done = client.post(reverse("accounts:two_factor"), {"code": totp_now(account)})
    assert done["Location"] == "/settings/security"
    assert _logged_in(client)


def test_login_with_a_recovery_code():
    account = AccountFactory()
    codes = enrol(account)
    client = Client()
    _password_login(client, account)
    client.post(reverse("accounts:two_factor"), {"code": codes[3]})
    assert _logged_in(client)
    # the same recovery code does not work a second time
    other = Client()
    _password_login(other, account)
    assert other.post(reverse("accounts:two_factor"), {"code": codes[3]}).status_code == 422
    assert not _logged_in(other)


def test_five_wrong_codes_end_the_waiting_login():
    account = AccountFactory()
    enrol(account)
    client = Client()
    _password_login(client, account)
    for _attempt in range(4):
        assert client.post(reverse("accounts:two_factor"), {"code": "111111"}).status_code == 422
    fifth = client.post(reverse("accounts:two_factor"), {"code": "111111"})
    assert fifth["Location"] == reverse("accounts:login")
    # then even the right code no longer completes it: the password step must be done again
    assert client.post(reverse("accounts:two_factor"), {"code": totp_now(account)})["Location"] == reverse(
        "accounts:login"
    )
    assert not _logged_in(client)


def test_the_second_step_without_a_first_goes_back_to_login():
    client = Client()
    assert client.get(reverse("accounts:two_factor"))["Location"] == reverse("accounts:login")


def test_login_by_code_with_two_factor_asks_for_the_second_factor():
    account = AccountFactory()
    enrol(account)
    client = Client()
    client.post(reverse("accounts:login_code"), {"identifier": account.email, "send_code": "1"})
    response = client.post(
        reverse("accounts:login_code"), {"identifier": account.email, "code": latest_code(account.email)}
    )
    assert response["Location"] == reverse("accounts:two_factor")
    assert not _logged_in(client)
    client.post(reverse("accounts:two_factor"), {"code": totp_now(account)})
    assert _logged_in(client)


def test_reauthentication_with_two_factor_needs_the_code_too():
    # given a logged-in holder with two-factor on whose re-authentication is stale
    account = AccountFactory()
    enrol(account)
    client = Client()
    client.force_login(account)
    session = client.session
    session[REAUTH_AT] = time.time() - 3600
    session.save()
    # when the password is confirmed
    response = client.post(
        reverse("accounts:reauthenticate") + "?next=/settings/security",
        {"action": "password", "password": DEFAULT_PASSWORD, "next": "/settings/security"},
    )
    # then the second factor is asked, and the re-authentication is not fresh yet
    assert response["Location"] == reverse("accounts:two_factor")
    assert time.time() - client.session[REAUTH_AT] > 600
    done = client.post(reverse("accounts:two_factor"), {"code": totp_now(account)})
    assert done["Location"] == "/settings/security"
    assert time.time() - client.session[REAUTH_AT] < 5


def test_api_login_answers_two_factor_required_then_completes():
    account = AccountFactory()
    enrol(account)
    client = Client()
    first = client.post(
        "/api/v1/auth/login",
        {"identifier": account.username, "password": DEFAULT_PASSWORD},
        content_type="application/json",
    )
    assert first.status_code == 403
    assert first.json()["code"] == "two_factor_required"
    assert client.get("/api/v1/account/me").status_code == 401
    wrong = client.post("/api/v1/auth/two-factor", {"code": "000000"}, content_type="application/json")
    assert (wrong.status_code, wrong.json()["code"]) == (422, "two_factor_invalid")
    done = client.post(
        "/api/v1/auth/two-factor", {"code": totp_now(account)}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["completed"] == "login"
    assert client.get("/api/v1/account/me").json()["username"] == account.username


def test_api_second_step_without_a_first_is_409():
    response = Client().post("/api/v1/auth/two-factor", {"code": "123456"}, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (409, "two_factor_not_pending")


def test_enrolment_page_shows_a_local_qr_code_then_the_recovery_codes_once():
    # given a logged-in holder on the two-factor page
    account = AccountFactory()
    client = Client()
    client.force_login(account)
    url = reverse("accounts:two_factor_settings")
    assert "Set up two-factor authentication" in client.get(url).content.decode()
    # when the set-up starts, then an inline SVG QR code and the key are shown (no external image)
    page = client.post(url, {"action": "start"}).content.decode()
    assert "<svg" in page and "http" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    device = TOTPDevice.objects.get(user=account, confirmed=False)
    # when the first code is confirmed, then the recovery codes are shown and two-factor is on
    done = client.post(url, {"action": "confirm", "code": totp_for(device)})
    assert done.status_code == 200
    assert done.content.decode().count("<li><code>") == 10
    assert "recovery codes left" in client.get(url).content.decode()


def test_disabling_needs_a_fresh_reauthentication():
    account = AccountFactory()
    enrol(account)
    client = Client()
    client.force_login(account)
    session = client.session
    session[REAUTH_AT] = time.time() - 3600
    session.save()
    url = reverse("accounts:two_factor_settings")
    response = client.post(url, {"action": "disable"})
    assert response["Location"].startswith(reverse("accounts:reauthenticate"))
    assert TOTPDevice.objects.filter(user=account, confirmed=True).exists()
    session = client.session
    session[REAUTH_AT] = time.time()
    session.save()
    client.post(url, {"action": "disable"})
    assert not TOTPDevice.objects.filter(user=account).exists()
