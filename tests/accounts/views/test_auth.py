"""Console pages for sign-up, login, login by code, forgot password, re-authentication, logout
(accounts/views/auth.py) and the language switch (accounts/views/language.py), driven through Django's
test client."""

from __future__ import annotations

import re
import socket

import pytest
from django.test import Client
from django.urls import reverse

from billing_center.accounts.models import Account
from billing_center.audit.models import AuditEvent
from tests.factories import DEFAULT_PASSWORD, AccountFactory
from tests.outbox import latest_code, outbox_messages

pytestmark = pytest.mark.django_db

PROFILE_URL = "/settings/profile"
NEW_PASSWORD = "violet lantern across the harbour 7"


def html(response) -> str:
    return response.content.decode()


def label_for(page: str, control_id: str) -> bool:
    return f'<label for="{control_id}"' in page and f'id="{control_id}"' in page


def send_signup_code(client: Client, **typed: str):
    button = "send_phone_code" if "phone" in typed and "email" not in typed else "send_email_code"
    return client.post("/signup", {**typed, button: "1"})


def signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "username": "newholder",
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
        "email": "new.holder@example.com",
        "email_code": "",
        "phone": "",
        "phone_code": "",
        "enterprise_name": "Northwind Telemetry",
        "industry": "internet",
        "region": "cn-east",
        "introduction": "",
        "contact_name": "",
        "language": "en",
        "accept_terms": "on",
    }
    data.update(overrides)
    return data


def is_logged_in_as(client: Client, account: Account) -> bool:
    return client.session.get("_auth_user_id") == str(account.pk)


# --- Pages render with labelled controls ------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "heading", "controls"),
    [
        (
            "/signup",
            "Create your Billing Center account",
            [
                "id_username",
                "id_password",
                "id_password_confirm",
                "id_email",
                "id_email_code",
                "id_phone",
                "id_phone_code",
                "id_enterprise_name",
                "id_industry",
                "id_region",
                "id_introduction",
                "id_contact_name",
                "id_language",
                "id_accept_terms",
            ],
        ),
        ("/login", "Log in to the Billing Center", ["id_identifier", "id_password"]),
        ("/login/code", "Log in with a code", ["id_identifier"]),
        ("/password-reset", "Forgot your password?", ["id_identifier"]),
        ("/reauthenticate", "Confirm it's you", ["id_password"]),
        ("/logout", "Log out of the Billing Center?", []),
    ],
)
def test_each_page_renders_with_a_heading_and_labelled_controls(client, account, path, heading, controls):
    # given a visitor (logged in for the pages that need it)
    if path in ("/reauthenticate", "/logout"):
        client.force_login(account)
    # when they open the page
    response = client.get(path)
    # then it renders its heading, and every control has a <label for>
    assert response.status_code == 200
    page = html(response)
    assert f"<h1>{heading}</h1>" in page
    for control in controls:
        assert label_for(page, control), control
    assert "csrfmiddlewaretoken" in page
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]


def test_signup_lists_industries_and_regions_with_labels(client):
    # given the default industry and region tables
    # when the sign-up page renders
    page = html(client.get("/signup"))
    # then both selects offer the configured values with readable labels
    assert '<option value="internet">Internet and software</option>' in page
    assert '<option value="cn-east">East China</option>' in page
    assert "<details" in page and "More information" in page


def test_login_page_links_to_code_login_and_password_reset(client):
    # given an anonymous visitor / when they open the login page
    page = html(client.get("/login"))
    # then they find the code login and the forgot-password links
    assert 'href="/login/code"' in page
    assert 'href="/password-reset"' in page
    assert "Username, email or phone" in page


# --- Sign-up ---------------------------------------------------------------------------------------


RETYPE_NOTE = "For your security, passwords are not kept when the page reloads."


def test_send_email_code_rerenders_with_typed_values_masked_target_and_countdown(client):
    # given a visitor who typed part of the sign-up form
    typed = signup_data()
    # when they press "Send code" next to the email (no JavaScript: an ordinary form submit)
    response = client.post("/signup", {**typed, "send_email_code": "1"})
    # then the page comes back with the typed values, where the code went and a resend countdown
    assert response.status_code == 200
    page = html(response)
    assert 'value="newholder"' in page
    assert 'value="new.holder@example.com"' in page
    assert 'value="Northwind Telemetry"' in page
    assert '<option value="internet" selected>' in page
    assert "We sent a code to ne******@example.com." in page or "We sent a code to ne" in page
    assert "data-countdown-until=" in page
    # and only the action's own problems are shown, not "required" errors for fields not reached yet
    assert "This field is required" not in page
    # and a code reached the address
    assert re.fullmatch(r"\d{6}", latest_code("new.holder@example.com"))


def test_send_code_never_echoes_the_password_and_asks_to_type_it_again(client):
    # given a visitor who typed both passwords before pressing "Send code" (no JavaScript)
    typed = signup_data(phone="+8613800138000")
    # when they press "Send code" next to the email, and then next to the phone
    for button in ("send_email_code", "send_phone_code"):
        response = client.post("/signup", {**typed, button: "1"})
        page = html(response)
        # then the password is nowhere in the page: both password inputs come back empty
        assert NEW_PASSWORD not in page
        for name in ("password", "password_confirm"):
            control = re.search(rf'<input type="password" name="{name}"[^>]*>', page)
            assert control is not None and "value=" not in control.group(0)
        # and a note next to the password fields says to type it again, the other fields are kept
        assert RETYPE_NOTE in page
        assert 'value="newholder"' in page and 'value="+8613800138000"' in page


def test_a_refused_submit_also_empties_the_passwords_with_the_note(client):
    # given a sign-up submitted with a wrong code
    response = client.post("/signup", signup_data(email_code="000000"))
    # then the page comes back without the password, with the note, and the typed username
    page = html(response)
    assert NEW_PASSWORD not in page
    assert RETYPE_NOTE in page and 'value="newholder"' in page


def test_the_retype_note_is_not_shown_when_no_password_was_typed(client):
    # given a fresh page, and a "Send code" with the password fields still empty
    fresh = html(client.get("/signup"))
    sent = html(
        client.post("/signup", {**signup_data(password="", password_confirm=""), "send_email_code": "1"})
    )
    # then neither shows the note
    assert RETYPE_NOTE not in fresh and RETYPE_NOTE not in sent


def test_send_code_buttons_carry_what_the_script_needs(client):
    # given the sign-up page / when it renders
    page = html(client.get("/signup"))
    # then each "Send code" button names the API, its channel, its address field and its status region
    assert (
        'data-send-code-url="/api/v1/auth/signup/codes" data-channel="email" data-target-input="id_email" data-status="email-code-status" data-language-input="id_language"'
        in page
    )
    assert 'data-channel="sms" data-target-input="id_phone" data-status="phone-code-status"' in page
    assert '<div id="email-code-status" class="send-status" role="status">' in page
    # and the localized message templates the script fills in
    assert 'data-msg-sent="We sent a code to %(target)s."' in page
    assert 'data-msg-delayed="Delivery is delayed; we will keep trying."' in page
    assert 'data-msg-empty="Enter the address to send a code to."' in page


def test_signup_with_email_and_phone_codes_creates_the_account_and_logs_in(client):
    # given codes sent to the email and the phone
    data = signup_data(phone="+8613800138000")
    client.post("/signup", {**data, "send_email_code": "1"})
    client.post("/signup", {**data, "send_phone_code": "1"})
    data.update(email_code=latest_code("new.holder@example.com"), phone_code=latest_code("+8613800138000"))
    # when the form is submitted with both codes
    response = client.post("/signup", data)
    # then the account exists, the holder is logged in and lands on the profile
    assert response.status_code == 302
    assert response["Location"] == PROFILE_URL
    account = Account.objects.get(username="newholder")
    assert account.email == "new.holder@example.com"
    assert account.phone == "+8613800138000"
    assert account.industry == "internet" and account.region == "cn-east"
    assert is_logged_in_as(client, account)


def test_signup_with_a_wrong_email_code_shows_the_error_and_creates_nothing(client):
    # given a code sent to the email
    data = signup_data()
    client.post("/signup", {**data, "send_email_code": "1"})
    real = latest_code("new.holder@example.com")
    wrong = "000000" if real != "000000" else "111111"
    # when the form is submitted with a wrong code
    response = client.post("/signup", {**data, "email_code": wrong})
    # then the page shows an error and no account exists
    assert response.status_code == 200
    assert 'class="error"' in html(response) or 'class="alert"' in html(response)
    assert not Account.objects.filter(username="newholder").exists()


def test_signup_passwords_that_differ_are_refused_before_the_service(client):
    # given two different passwords
    data = signup_data(password_confirm=NEW_PASSWORD + "x", email_code="123456")
    # when the form is submitted
    response = client.post("/signup", data)
    # then the confirm field says so and nothing is created
    assert "The two passwords do not match." in html(response)
    assert not Account.objects.exists()


def test_signup_without_terms_is_refused(client):
    # given codes sent and everything typed but the terms box unticked
    data = signup_data()
    client.post("/signup", {**data, "send_email_code": "1"})
    data.update(email_code=latest_code("new.holder@example.com"))
    del data["accept_terms"]
    # when the form is submitted
    response = client.post("/signup", data)
    # then the terms box carries the error
    assert "Accept the terms of service to create an account." in html(response)
    assert not Account.objects.exists()


def test_send_code_twice_quickly_says_when_to_try_again(client):
    # given a code just sent to an address
    data = signup_data()
    client.post("/signup", {**data, "send_email_code": "1"})
    # when "Send code" is pressed again at once
    response = client.post("/signup", {**data, "send_email_code": "1"})
    # then the page says how long to wait, with status 429 and Retry-After
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert re.search(r"Too many attempts, try again in \d+ seconds?\.", html(response))
    assert len([m for m in outbox_messages() if m["to"] == "new.holder@example.com"]) == 1


def closed_local_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_send_code_while_the_mail_server_is_down_says_delivery_is_delayed(client, settings):
    # given an SMTP server that cannot be reached
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_local_port()
    # when a sign-up code is requested
    response = client.post("/signup", {**signup_data(), "send_email_code": "1"})
    # then the page says where the code goes and that delivery is delayed (it will be retried)
    assert response.status_code == 200
    page = html(response)
    assert "We sent a code to" in page
    assert "Delivery is delayed; we will keep trying." in page


def test_send_code_with_an_empty_address_asks_for_it(client):
    # given an empty email field / when "Send code" is pressed
    response = client.post("/signup", {**signup_data(email=""), "send_email_code": "1"})
    # then the email field asks for an address and nothing is sent
    assert "Enter the address to send a code to." in html(response)
    assert outbox_messages() == []


def test_signup_code_to_a_taken_email_answers_the_same(client):
    # given an existing account
    AccountFactory(email="taken@example.com")
    # when someone asks for a sign-up code for its email, and for a free address
    taken = client.post("/signup", {**signup_data(email="taken@example.com"), "send_email_code": "1"})
    free = Client().post("/signup", {**signup_data(email="fresh@example.com"), "send_email_code": "1"})
    # then both pages answer the same (apart from the masked address): no hint the address is taken
    notice = re.compile(r'<div class="notice"[^>]*>(.*?)</div>', re.S)
    assert taken.status_code == free.status_code == 200
    taken_text = notice.search(html(taken)).group(1).replace("ta***@", "*@")
    free_text = notice.search(html(free)).group(1).replace("fr***@", "*@")
    assert taken_text == free_text
    assert "We sent a code to" in taken_text


def test_logged_in_holder_is_sent_on_from_signup_and_login(client, account):
    # given a logged-in holder
    client.force_login(account)
    # when they open the sign-up or login pages
    # then they are redirected to their profile
    assert client.get("/signup")["Location"] == PROFILE_URL
    assert client.get("/login")["Location"] == PROFILE_URL


# --- Login by password -----------------------------------------------------------------------------


@pytest.mark.parametrize("identifier", ["holderx", "HolderX", "holderx@example.com", "+8613900139000"])
def test_login_with_username_email_or_phone(client, identifier):
    # given an account with a phone
    account = AccountFactory(username="holderx", email="holderx@example.com", phone="+8613900139000")
    # when the holder logs in with one of the identifiers
    response = client.post("/login", {"identifier": identifier, "password": DEFAULT_PASSWORD})
    # then they are logged in and land on the profile
    assert response.status_code == 302
    assert response["Location"] == PROFILE_URL
    assert is_logged_in_as(client, account)


def test_login_failure_is_generic_for_wrong_password_and_unknown_identifier(client, account):
    # given an existing account
    # when logging in with a wrong password, and with an unknown username
    wrong = client.post("/login", {"identifier": account.username, "password": "not the password at all"})
    unknown = client.post("/login", {"identifier": "nobody-here", "password": "not the password at all"})
    # then both show the same error and nobody is logged in
    assert wrong.status_code == unknown.status_code == 200
    alert = re.compile(r'<div class="alert" role="alert">(.*?)</div>', re.S)
    assert alert.search(html(wrong)).group(1) == alert.search(html(unknown)).group(1)
    assert "_auth_user_id" not in client.session


def test_login_redirects_to_a_safe_next_only(client, account):
    # given a login form carrying a local next, and one carrying a foreign next
    local = client.post(
        "/login?next=/settings/security", {"identifier": account.username, "password": DEFAULT_PASSWORD}
    )
    client.logout()
    foreign = client.post(
        "/login",
        {"identifier": account.username, "password": DEFAULT_PASSWORD, "next": "https://evil.example/steal"},
    )
    # then the local one is followed and the foreign one is replaced by the profile
    assert local["Location"] == "/settings/security"
    assert foreign["Location"] == PROFILE_URL


def test_login_page_keeps_next_in_the_form(client):
    # given a visitor sent to log in from a settings page
    page = html(client.get("/login?next=/settings/security"))
    # then the form carries it, and a foreign one is dropped
    assert '<input type="hidden" name="next" value="/settings/security">' in page
    assert 'name="next" value="https://evil.example/"' not in html(
        client.get("/login?next=https://evil.example/")
    )


def test_repeated_login_failures_say_when_to_try_again(client, account):
    # given five failed attempts for one identifier from one address
    for _ in range(5):
        client.post("/login", {"identifier": account.username, "password": "not the password at all"})
    # when the holder tries again straight away
    response = client.post("/login", {"identifier": account.username, "password": DEFAULT_PASSWORD})
    # then the page answers 429 and says how long to wait
    assert response.status_code == 429
    assert re.search(r"Too many attempts, try again in \d+ seconds?\.", html(response))
    assert "_auth_user_id" not in client.session


# --- Login by code ---------------------------------------------------------------------------------


def test_login_by_code_sends_a_code_then_logs_in(client):
    # given an account
    account = AccountFactory(username="codeholder", email="codeholder@example.com")
    # when the holder asks for a code
    sent = client.post("/login/code", {"identifier": "codeholder@example.com", "send_code": "1"})
    # then step 2 asks for it, keeping the address, with a resend countdown
    page = html(sent)
    assert "<h1>Enter your code</h1>" in page
    assert 'value="codeholder@example.com"' in page
    assert "data-countdown-until=" in page
    # and entering the emailed code logs them in
    response = client.post(
        "/login/code", {"identifier": "codeholder@example.com", "code": latest_code("codeholder@example.com")}
    )
    assert response["Location"] == PROFILE_URL
    assert is_logged_in_as(client, account)


def test_login_code_request_for_an_unknown_email_looks_the_same(client, account):
    # given the email of an account and an email no account uses
    known = client.post("/login/code", {"identifier": account.email, "send_code": "1"})
    unknown = client.post("/login/code", {"identifier": "ghost-account@example.com", "send_code": "1"})
    # then both answer with the same step 2 text
    notice = re.compile(r'<div class="notice"[^>]*>(.*?)</div>', re.S)
    assert known.status_code == unknown.status_code == 200
    assert notice.search(html(known)).group(1) == notice.search(html(unknown)).group(1)


def test_login_with_a_wrong_code_stays_on_step_two_with_an_error(client, account):
    # given a code sent
    client.post("/login/code", {"identifier": account.email, "send_code": "1"})
    real = latest_code(account.email)
    # when a wrong code is entered
    response = client.post(
        "/login/code", {"identifier": account.email, "code": "999999" if real != "999999" else "111111"}
    )
    # then the code step shows an error and nobody is logged in
    page = html(response)
    assert "<h1>Enter your code</h1>" in page
    assert 'class="error"' in page or 'class="alert"' in page
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("path", ["/login/code", "/password-reset"])
def test_code_pages_ask_for_an_email_or_mobile_number(client, path):
    # given an anonymous visitor / when they open a page that sends a code
    page = html(client.get(path))
    # then its one box asks for the address the code goes to, not for a username
    assert '<label for="id_identifier">Email or mobile number</label>' in page
    assert "Username, email or phone" not in page


@pytest.mark.parametrize(
    ("path", "heading"), [("/login/code", "Log in with a code"), ("/password-reset", "Forgot your password?")]
)
def test_a_username_on_a_code_page_is_refused_on_its_field_and_sends_nothing(client, account, path, heading):
    # given an account, whose username is public
    # when someone types that username into a page that sends codes
    response = client.post(path, {"identifier": account.username, "send_code": "1"})
    # then the page stays on step 1, keeps what was typed, and the identifier field says what to enter
    assert response.status_code == 200
    page = html(response)
    assert f"<h1>{heading}</h1>" in page
    assert f'value="{account.username}"' in page
    assert (
        '<p class="error" role="alert" id="id_identifier_error1">Enter the email address or mobile number of '
        "your account; codes are sent there.</p>"
    ) in page
    assert "data-countdown-until=" not in page
    # and no code or notice went anywhere
    assert outbox_messages() == []
    assert not AuditEvent.objects.filter(event="code.sent").exists()


def test_a_username_on_the_code_step_is_refused_on_its_field(client, account):
    # given a code sent to the account's email
    client.post("/login/code", {"identifier": account.email, "send_code": "1"})
    code = latest_code(account.email)
    # when the right code is entered together with the username instead of the email
    response = client.post("/login/code", {"identifier": account.username, "code": code})
    # then the identifier field carries the error and nobody is logged in
    page = html(response)
    assert 'id="id_identifier_error1">Enter the email address or mobile number' in page
    assert "_auth_user_id" not in client.session
    # and the code was not spent: with the email it still logs in
    client.post("/login/code", {"identifier": account.email, "code": code})
    assert is_logged_in_as(client, account)


# --- Forgot password -------------------------------------------------------------------------------


def test_password_reset_by_code_then_login_with_the_new_password(client, account):
    # given a reset code sent to the holder's email
    sent = client.post("/password-reset", {"identifier": account.email, "send_code": "1"})
    assert "<h1>Choose a new password</h1>" in html(sent)
    code = latest_code(account.email)
    # when they enter it with a new password
    response = client.post(
        "/password-reset",
        {
            "identifier": account.email,
            "code": code,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
    )
    # then they are sent to log in, and the new password works while the old one does not
    assert response["Location"] == reverse("accounts:login")
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD)
    assert not account.check_password(DEFAULT_PASSWORD)


def test_password_reset_refuses_a_weak_new_password_on_its_field(client, account):
    # given a reset code
    client.post("/password-reset", {"identifier": account.email, "send_code": "1"})
    code = latest_code(account.email)
    # when the new password is too short
    response = client.post(
        "/password-reset",
        {
            "identifier": account.email,
            "code": code,
            "new_password": "short",
            "new_password_confirm": "short",
        },
    )
    # then the page shows why and the old password still works
    assert response.status_code == 200
    assert 'id="id_new_password_error1"' in html(response) or 'class="alert"' in html(response)
    account.refresh_from_db()
    assert account.check_password(DEFAULT_PASSWORD)


# --- Re-authentication -----------------------------------------------------------------------------


def test_reauthenticate_needs_login(client):
    # given an anonymous visitor / when they open the re-auth page
    response = client.get("/reauthenticate?next=/settings/security")
    # then they are sent to log in first
    assert response.status_code == 302
    assert response["Location"].startswith("/login?next=")


def test_reauthenticate_with_password_marks_the_session_and_follows_next(client, account):
    # given a logged-in holder whose re-auth stamp is old
    client.force_login(account)
    session = client.session
    session["_bc_reauth_at"] = 0
    session.save()
    old_key = client.session.session_key
    # when they confirm with their password
    response = client.post(
        "/reauthenticate", {"action": "password", "password": DEFAULT_PASSWORD, "next": "/settings/security"}
    )
    # then they go on to next with a fresh stamp under a new session id
    assert response["Location"] == "/settings/security"
    assert client.session["_bc_reauth_at"] > 0
    assert client.session.session_key != old_key


def test_reauthenticate_with_a_wrong_password_shows_an_error(client, account):
    # given a logged-in holder
    client.force_login(account)
    # when they type a wrong password
    response = client.post("/reauthenticate", {"action": "password", "password": "definitely not it"})
    # then the page shows the error and stays
    assert response.status_code in (200, 429)
    assert 'class="alert"' in html(response) or 'class="error"' in html(response)


def test_reauthenticate_by_code_for_an_account_without_password(client):
    # given a logged-in holder without a password
    account = AccountFactory(password="")
    client.force_login(account)
    page = html(client.get("/reauthenticate?next=https://evil.example/"))
    assert 'name="password"' not in page
    # when they ask for a code and enter it
    sent = client.post("/reauthenticate", {"action": "send_code"})
    assert "We sent a code to" in html(sent)
    response = client.post("/reauthenticate", {"action": "code", "code": latest_code(account.email)})
    # then they are re-authenticated and sent to the profile (a foreign next is never followed)
    assert response["Location"] == PROFILE_URL


# --- Logout ----------------------------------------------------------------------------------------


def test_logout_get_asks_and_post_logs_out(client, account):
    # given a logged-in holder
    client.force_login(account)
    # when they open /logout, nothing happens yet
    assert "<h1>Log out of the Billing Center?</h1>" in html(client.get("/logout"))
    assert is_logged_in_as(client, account)
    # and when they press the button, they are logged out and sent to the login page
    response = client.post("/logout")
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(event="logout", account=account).exists()


# --- CSRF ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/login", {"identifier": "someone", "password": "whatever-whatever"}),
        ("/signup", {"email": "x@example.com", "send_email_code": "1"}),
        ("/login/code", {"identifier": "someone@example.com", "send_code": "1"}),
        ("/password-reset", {"identifier": "someone@example.com", "send_code": "1"}),
        ("/logout", {}),
        ("/language", {"language": "zh-hans"}),
    ],
)
def test_posts_without_a_csrf_token_are_refused(path, data):
    # given a browser-like client that enforces CSRF
    browser = Client(enforce_csrf_checks=True)
    # when it posts without a token
    response = browser.post(path, data)
    # then the request is refused and nothing is sent
    assert response.status_code == 403
    assert outbox_messages() == []


def test_reauthenticate_post_without_csrf_token_is_refused(account):
    # given a logged-in browser enforcing CSRF
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(account)
    # when it posts the re-auth form without a token
    response = browser.post("/reauthenticate", {"action": "password", "password": DEFAULT_PASSWORD})
    # then it is refused
    assert response.status_code == 403


def test_login_with_the_csrf_token_from_the_page_works(account):
    # given a browser-like client that loaded the login page
    browser = Client(enforce_csrf_checks=True)
    page = html(browser.get("/login"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    # when it posts with the page's token
    response = browser.post(
        "/login", {"identifier": account.username, "password": DEFAULT_PASSWORD, "csrfmiddlewaretoken": token}
    )
    # then the login succeeds
    assert response.status_code == 302


# --- Language switch -------------------------------------------------------------------------------


def test_language_switch_changes_the_console_and_asks_about_notifications(client, account):
    # given a logged-in holder reading (and notified) in English
    client.force_login(account)
    # when they switch the console to Simplified Chinese
    response = client.post("/language", {"language": "zh-hans", "next": "/settings/profile"})
    # then the cookie is set and they return to the page, now in Chinese, which asks about notifications
    assert response["Location"] == "/settings/profile"
    assert response.cookies["django_language"].value == "zh-hans"
    page = client.get("/settings/profile").content.decode()
    assert '<html lang="zh-hans">' in page
    assert 'action="/language/notifications"' in page
    # and the account's language (emails, SMS) has not changed silently
    account.refresh_from_db()
    assert account.language == "en"
    assert not AuditEvent.objects.filter(event="account.language_changed").exists()


def test_notifications_follow_the_console_language_when_the_holder_says_yes(client, account):
    # given a holder who switched the console to Chinese
    client.force_login(account)
    client.post("/language", {"language": "zh-hans", "next": "/settings/profile"})
    # when they answer yes
    response = client.post("/language/notifications", {"follow": "yes", "next": "/settings/profile"})
    # then the account's language moves (audited) and the question is gone
    assert response["Location"] == "/settings/profile"
    account.refresh_from_db()
    assert account.language == "zh-hans"
    event = AuditEvent.objects.get(event="account.language_changed", account=account)
    assert event.old == {"language": "en"} and event.new == {"language": "zh-hans"}
    assert 'action="/language/notifications"' not in client.get("/settings/profile").content.decode()


def test_notifications_keep_their_language_when_the_holder_says_no(client, account):
    # given a holder who switched the console to Chinese
    client.force_login(account)
    client.post("/language", {"language": "zh-hans", "next": "/settings/profile"})
    # when they keep English for notifications
    client.post("/language/notifications", {"follow": "no", "next": "/settings/profile"})
    # then the account stays English, the console stays Chinese, and the question is gone
    account.refresh_from_db()
    assert account.language == "en"
    page = client.get("/settings/profile").content.decode()
    assert '<html lang="zh-hans">' in page
    assert 'action="/language/notifications"' not in page


def test_switching_back_to_the_accounts_language_asks_nothing(client, account):
    client.force_login(account)
    client.post("/language", {"language": "zh-hans", "next": "/settings/profile"})
    client.post("/language", {"language": "en", "next": "/settings/profile"})
    page = client.get("/settings/profile").content.decode()
    assert 'action="/language/notifications"' not in page
    assert '<html lang="en">' in page


def test_language_switch_for_a_visitor_sets_only_the_cookie(client):
    # given an anonymous visitor
    # when they switch language
    response = client.post("/language", {"language": "zh-hans", "next": "/login"})
    # then the cookie is set and no account changes
    assert response.cookies["django_language"].value == "zh-hans"
    assert not AuditEvent.objects.filter(event="account.language_changed").exists()


def test_language_switch_ignores_an_unknown_language(client, account):
    # given a logged-in holder
    client.force_login(account)
    # when a bogus language is posted
    client.post("/language", {"language": "xx", "next": "/logout"})
    # then the account keeps its language
    account.refresh_from_db()
    assert account.language == "en"


def test_top_bar_language_form_posts_to_the_language_view(client):
    # given any page / then its language switch posts to /language and returns to the page
    page = html(client.get("/login"))
    assert 'action="/language"' in page
    assert '<input type="hidden" name="next" value="/login">' in page


def test_logout_page_for_a_visitor_sends_to_login(client):
    # given an anonymous visitor / when they open /logout
    response = client.get("/logout")
    # then there is nothing to log out of: they are sent to the login page
    assert response["Location"] == reverse("accounts:login")


def test_the_pages_stylesheet_and_script_are_served(client):
    # given the top bar's static files / when a browser fetches them
    # then both are served (the package's static directory is collected and found)
    assert client.get("/static/billing_center/app.css").status_code == 200
    assert client.get("/static/billing_center/app.js").status_code == 200
