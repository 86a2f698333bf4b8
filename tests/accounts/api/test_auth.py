"""The /api/v1/auth/* endpoints: CSRF, sign-up, login (password/code), reset, re-auth, logout, session
rules (new id on (re-)authentication, idle and absolute limits) and enumeration-safe answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from billing_center.accounts.models import AccountSession
from billing_center.audit.models import AuditEvent
from tests.factories import DEFAULT_PASSWORD, AccountFactory
from tests.outbox import latest_code, outbox_messages

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "amber lantern over quiet fields"


def _post(client: Client, path: str, body: dict | None = None):
    response = client.post(f"/api/v1/auth/{path}", body or {}, content_type="application/json")
    # Django rotates the CSRF token at login; a browser reads the new cookie, so does this helper.
    if "csrftoken" in response.cookies:
        client.defaults["HTTP_X_CSRFTOKEN"] = response.cookies["csrftoken"].value
    return response


def _session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def holder():
    return AccountFactory(username="dave", email="dave@example.com", phone="+8613800138000")


def _login(api_client: Client, identifier: str = "dave", password: str = DEFAULT_PASSWORD):
    return _post(api_client, "login", {"identifier": identifier, "password": password})


# --- CSRF ----------------------------------------------------------------------------------------


def test_csrf_endpoint_sets_the_cookie_and_returns_the_token():
    browser = Client(enforce_csrf_checks=True)
    response = browser.get("/api/v1/auth/csrf")
    assert response.status_code == 200
    assert response.json()["csrf_token"]
    assert browser.cookies["csrftoken"].value


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("login", {"identifier": "dave", "password": DEFAULT_PASSWORD}),
        ("signup", {}),
        ("signup/codes", {"channel": "email", "target": "x@example.com"}),
        ("login/codes", {"identifier": "dave@example.com"}),
        ("login/code", {"identifier": "dave@example.com", "code": "123456"}),
        ("password-reset/codes", {"identifier": "dave@example.com"}),
        (
            "password-reset",
            {"identifier": "dave@example.com", "code": "123456", "new_password": NEW_PASSWORD},
        ),
        ("logout", {}),
    ],
)
def test_pre_login_posts_need_the_csrf_token(holder, path, body):
    # given a browser that has the CSRF cookie but sends no token header
    browser = Client(enforce_csrf_checks=True)
    browser.get("/api/v1/auth/csrf")
    # when it posts / then 403 problem details, and nobody got logged in
    response = browser.post(f"/api/v1/auth/{path}", body, content_type="application/json")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert not AuditEvent.objects.filter(event="login.succeeded").exists()


def test_logged_in_posts_need_the_csrf_token(holder):
    # given a logged-in browser without the token header
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(holder)
    # when it re-authenticates / then 403
    response = browser.post(
        "/api/v1/auth/reauthenticate", {"password": DEFAULT_PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 403


# --- sign-up and login ---------------------------------------------------------------------------


def test_signup_over_the_api_logs_in(api_client):
    # given sign-up codes for an email and a phone
    sent = _post(api_client, "signup/codes", {"channel": "email", "target": "erin@example.com"})
    assert sent.status_code == 202
    assert set(sent.json()) == {"target_masked", "expires_at", "resend_available_at", "delivery"}
    assert _post(api_client, "signup/codes", {"channel": "sms", "target": "13900139000"}).status_code == 202
    # when signing up
    response = _post(
        api_client,
        "signup",
        {
            "username": "erin",
            "password": NEW_PASSWORD,
            "email": "erin@example.com",
            "email_code": latest_code("erin@example.com"),
            "phone": "13900139000",
            "phone_code": latest_code("+8613900139000"),
            "enterprise_name": "Erin Ltd",
            "industry": "finance",
            "accept_terms": True,
        },
    )
    # then 201 with the account, and the session is logged in
    assert response.status_code == 201, response.content
    assert response.json()["username"] == "erin"
    assert response.json()["phone_masked"] == "+86139****9000"
    me = api_client.get("/api/v1/account/me")
    assert me.status_code == 200 and me.json()["industry"] == "finance"


def test_signup_errors_are_problem_details_with_a_field(api_client):
    response = _post(
        api_client,
        "signup",
        {
            "username": "9bad",
            "password": NEW_PASSWORD,
            "email": "x@example.com",
            "email_code": "123456",
            "enterprise_name": "X",
            "accept_terms": True,
        },
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "invalid_username"
    assert body["errors"] == [{"field": "username", "message": body["title"]}]


@pytest.mark.parametrize("identifier", ["dave", "DAVE@example.com", "13800138000"])
def test_login_with_username_email_or_phone(api_client, holder, identifier):
    response = _login(api_client, identifier)
    assert response.status_code == 200
    assert response.json()["username"] == "dave"
    assert api_client.get("/api/v1/account/me").status_code == 200


def test_wrong_password_and_unknown_identifier_look_the_same(api_client, holder):
    wrong = _login(api_client, "dave", "not the password")
    unknown = _login(api_client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 400
    assert {**wrong.json(), "instance": ""} == {**unknown.json(), "instance": ""}


def test_throttled_login_answers_429_with_retry_after(api_client, holder):
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(5):
            assert _login(api_client, "dave", "not the password").status_code == 400
        response = _login(api_client)
    assert response.status_code == 429
    assert response["Retry-After"] == "1"
    assert response.json()["code"] == "too_many_attempts"


def test_login_by_code_over_the_api(api_client, holder):
    assert _post(api_client, "login/codes", {"identifier": "Dave@Example.com"}).status_code == 202
    response = _post(
        api_client, "login/code", {"identifier": "dave@example.com", "code": latest_code("dave@example.com")}
    )
    assert response.status_code == 200
    assert api_client.get("/api/v1/account/me").json()["username"] == "dave"


# --- codes go only to an address that was typed (no username → email route) ------------------------

EMAIL_OR_PHONE_REQUIRED = "Enter the email address or mobile number of your account; codes are sent there."


def _same_problem(first, second) -> bool:
    return {**first.json(), "instance": ""} == {**second.json(), "instance": ""}


@pytest.mark.parametrize(
    ("path", "extra"),
    [
        ("login/codes", {}),
        ("login/code", {"code": "123456"}),
        ("password-reset/codes", {}),
        ("password-reset", {"code": "123456", "new_password": NEW_PASSWORD}),
    ],
)
def test_a_username_where_a_code_goes_is_a_422_problem(api_client, holder, path, extra):
    # given a holder / when a code endpoint is called with the holder's username
    response = _post(api_client, path, {"identifier": "dave", **extra})
    # then 422 problem details naming the identifier field, and nothing was sent
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "email_or_phone_required"
    assert body["errors"] == [{"field": "identifier", "message": EMAIL_OR_PHONE_REQUIRED}]
    assert outbox_messages() == []


@pytest.mark.parametrize("path", ["login/codes", "password-reset/codes"])
def test_a_username_cannot_reveal_which_email_is_its_accounts(api_client, holder, path):
    """The attack the review found: ask for a code by the public username "dave" (it went to dave's
    email and started that email's resend cooldown), then ask for a guessed email — a 429 meant the
    guess was dave's email. Now a username starts nothing, so the guess answers alike either way."""
    with time_machine.travel(timezone.now(), tick=False):
        # given the holder asked for a code for their own email a moment ago
        assert _post(api_client, path, {"identifier": "dave@example.com"}).status_code == 202
        # when someone names the holder's username, and a username no account has
        by_username = _post(api_client, path, {"identifier": "dave"})
        by_nobody = _post(api_client, path, {"identifier": "nobody"})
        # then both are refused by syntax alone, identically: the username route is gone
        assert by_username.status_code == by_nobody.status_code == 422
        assert by_username.json()["code"] == "email_or_phone_required"
        assert _same_problem(by_username, by_nobody)
        # and within the minute a guess of the holder's email meets only that address's own cooldown
        # (it was just used), exactly as an address with no account does when it was just used
        assert _post(api_client, path, {"identifier": "stranger@example.com"}).status_code == 202
        right = _post(api_client, path, {"identifier": "dave@example.com"})
        wrong = _post(api_client, path, {"identifier": "stranger@example.com"})
        assert right.status_code == wrong.status_code == 429
        assert right.json()["code"] == "resend_too_soon"
        assert _same_problem(right, wrong) and right["Retry-After"] == wrong["Retry-After"]
    # and only the two address requests sent anything: a code to the holder, a notice to the stranger
    assert [m["to"] for m in outbox_messages()] == ["stranger@example.com", "dave@example.com"]


@pytest.mark.parametrize("path", ["login/codes", "password-reset/codes"])
def test_after_a_username_request_a_guessed_email_answers_the_same_right_or_wrong(api_client, holder, path):
    # given someone who named the holder's username first (before, this sent a code to dave's email
    # and started its cooldown, so the right guess below answered 429 and the wrong one 202)
    with time_machine.travel(timezone.now(), tick=False):
        assert _post(api_client, path, {"identifier": "dave"}).status_code == 422
        # when they then guess the holder's email, and an email no account has
        right = _post(api_client, path, {"identifier": "dave@example.com"})
        wrong = _post(api_client, path, {"identifier": "dave.guess@example.com"})
    # then both answers are the same 202: the username started nothing on the holder's email
    assert right.status_code == wrong.status_code == 202
    assert right.json() == wrong.json()


@pytest.mark.parametrize("path", ["login/codes", "password-reset/codes"])
def test_code_requests_answer_identically_for_unknown_addresses(api_client, holder, path):
    known = _post(api_client, path, {"identifier": "dave@example.com"})
    unknown = _post(api_client, path, {"identifier": "stranger@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()


def test_signup_codes_answer_alike_for_taken_and_free_addresses(api_client, holder):
    taken = _post(api_client, "signup/codes", {"channel": "email", "target": "dave@example.com"})
    free = _post(api_client, "signup/codes", {"channel": "email", "target": "dove@example.com"})
    assert taken.status_code == free.status_code == 202
    assert taken.json()["target_masked"] == "da***@example.com"
    assert free.json()["target_masked"] == "do***@example.com"
    assert taken.json()["delivery"] == free.json()["delivery"]


def test_password_reset_over_the_api(api_client, holder):
    assert _post(api_client, "password-reset/codes", {"identifier": "13800138000"}).status_code == 202
    response = _post(
        api_client,
        "password-reset",
        {"identifier": "13800138000", "code": latest_code("+8613800138000"), "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 204
    assert _login(api_client, "dave", NEW_PASSWORD).status_code == 200


# --- sessions ------------------------------------------------------------------------------------


def test_login_gives_a_new_session_id(api_client, holder):
    # given a browser that already has a session (e.g. from an earlier login)
    assert _login(api_client).status_code == 200
    before = _session_key(api_client)
    # when it logs in again / then the session id changed and the old one is gone
    assert _login(api_client).status_code == 200
    after = _session_key(api_client)
    assert after != before
    assert not AccountSession.objects.filter(session_key=before).exists()


def test_session_row_records_device_ip_and_account(api_client, holder):
    api_client.defaults["HTTP_USER_AGENT"] = "Firefox/128 test"
    _login(api_client)
    row = AccountSession.objects.get(session_key=_session_key(api_client))
    assert (row.account_id, row.ip, row.user_agent) == (holder.pk, "127.0.0.1", "Firefox/128 test")


def test_reauthentication_rotates_the_session(api_client, holder):
    # given a logged-in browser
    _login(api_client)
    before = _session_key(api_client)
    # when the holder re-authenticates with the password
    response = _post(api_client, "reauthenticate", {"password": DEFAULT_PASSWORD})
    # then 200, a new session id, and the session is still logged in
    assert response.status_code == 200
    assert "reauthenticated_until" in response.json()
    assert _session_key(api_client) != before
    assert api_client.get("/api/v1/account/me").status_code == 200


def test_reauthentication_by_code_over_the_api(api_client, holder):
    _login(api_client)
    sent = _post(api_client, "reauthenticate/codes")
    assert sent.status_code == 202
    response = _post(api_client, "reauthenticate", {"code": latest_code("dave@example.com")})
    assert response.status_code == 200


def test_reauthentication_needs_a_login(api_client):
    assert _post(api_client, "reauthenticate", {"password": DEFAULT_PASSWORD}).status_code == 401


def test_idle_session_ends_after_thirty_minutes(api_client, holder):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        # given a logged-in browser
        _login(api_client)
        # when it comes back after 29 minutes / then still logged in
        clock.shift(timedelta(minutes=29))
        assert api_client.get("/api/v1/account/me").status_code == 200
        # when it then stays idle for 31 minutes / then logged out, and the end is audited
        clock.shift(timedelta(minutes=31))
        assert api_client.get("/api/v1/account/me").status_code == 401
    assert AuditEvent.objects.filter(event="session.expired", detail__reason="idle").exists()


def test_busy_session_ends_after_twelve_hours(api_client, holder):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        # given a logged-in browser that is used every 20 minutes
        _login(api_client)
        for _ in range(35):  # 11 h 40 min
            clock.shift(timedelta(minutes=20))
            assert api_client.get("/api/v1/account/me").status_code == 200
        # when the 12 hours are over / then logged out although it was never idle
        clock.shift(timedelta(minutes=21))
        assert api_client.get("/api/v1/account/me").status_code == 401
    assert AuditEvent.objects.filter(event="session.expired", detail__reason="absolute").exists()


def test_lifetimes_follow_the_settings(api_client, holder, settings):
    settings.SESSION_IDLE_SECONDS = 120
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _login(api_client)
        clock.shift(timedelta(seconds=121))
        assert api_client.get("/api/v1/account/me").status_code == 401


def test_logout_ends_the_session(api_client, holder):
    # given a logged-in browser
    _login(api_client)
    key = _session_key(api_client)
    # when it logs out / then 204, the session row is gone, the API asks for a login, the logout is audited
    assert _post(api_client, "logout").status_code == 204
    assert not AccountSession.objects.filter(session_key=key).exists()
    assert api_client.get("/api/v1/account/me").status_code == 401
    assert AuditEvent.objects.filter(event="logout", account=holder).exists()


def test_logout_without_a_session_is_harmless(api_client):
    assert _post(api_client, "logout").status_code == 204


def test_session_cookie_is_httponly_and_samesite(api_client, holder):
    response = _login(api_client)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


# --- OpenAPI -------------------------------------------------------------------------------------


def test_openapi_documents_every_auth_endpoint_with_schemas(client):
    document = client.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    for path in [
        "/api/v1/auth/csrf",
        "/api/v1/auth/signup/codes",
        "/api/v1/auth/signup",
        "/api/v1/auth/login",
        "/api/v1/auth/login/codes",
        "/api/v1/auth/login/code",
        "/api/v1/auth/password-reset/codes",
        "/api/v1/auth/password-reset",
        "/api/v1/auth/reauthenticate",
        "/api/v1/auth/reauthenticate/codes",
        "/api/v1/auth/logout",
        "/api/v1/account/me",
    ]:
        assert path in paths, path
    schemas = document["components"]["schemas"]
    assert {"SignupIn", "LoginIn", "MeOut", "CodeSentOut", "ProblemOut"} <= set(schemas)
    assert schemas["SignupIn"]["properties"]["username"]["examples"] == ["acme-ops"]
    assert "429" in paths["/api/v1/auth/login"]["post"]["responses"]
