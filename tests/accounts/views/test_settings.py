"""Account Settings console pages (Django test client)."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from billing_center.accounts.models import Account
from billing_center.accounts.selectors.settings import session_public_id
from billing_center.audit.services import audit_record
from tests.accounts.settings_support import (
    live_session_keys,
    logged_in_client,
    session_key_of,
    use_outbox_email,
)
from tests.factories import DEFAULT_PASSWORD, AccountFactory
from tests.outbox import latest_code

pytestmark = pytest.mark.django_db(transaction=True)

NEW_EMAIL = "console.new@example.org"


@pytest.fixture(autouse=True)
def _outbox(settings):
    use_outbox_email(settings)


def make_reauth_stale(client: Client) -> None:
    session = client.session
    session["_bc_reauth_at"] = time.time() - 3600
    session.save()


def test_pages_need_a_login(client):
    # when an anonymous visitor opens a settings page, then they are sent to the login page
    for path in ("/settings/profile", "/settings/email", "/settings/security", "/settings/sessions"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login"), path


def test_profile_shows_masked_addresses_and_saves_edits():
    # given a holder
    account = AccountFactory(phone="+8613800138000")
    client = logged_in_client(account)
    # when they open the profile
    page = client.get("/settings/profile").content.decode()
    # then email and phone are masked, with Change actions, and every control has a label
    assert account.email not in page and "13800138000" not in page
    # (the links read "Change" with the field after it for screen readers: "Change email", "Change phone")
    assert 'Change<span class="visually-hidden"> email</span>' in page
    assert 'Change<span class="visually-hidden"> phone</span>' in page
    for control in ("enterprise_name", "industry", "region", "introduction", "contact_name", "time_zone"):
        assert f'for="id_{control}"' in page
    # when they save an edit
    response = client.post(
        "/settings/profile",
        {
            "enterprise_name": "Renamed Co",
            "industry": "finance",
            "region": "",
            "introduction": "",
            "contact_name": "",
            "time_zone": "Asia/Tokyo",
        },
    )
    # then it is stored and they land back on the profile with a message
    assert response.status_code == 302
    assert Account.objects.get(pk=account.pk).enterprise_name == "Renamed Co"
    assert Account.objects.get(pk=account.pk).time_zone == "Asia/Tokyo"
    assert "Your profile was saved." in client.get("/settings/profile").content.decode()


def test_profile_errors_are_shown_on_the_form():
    # given a holder
    account = AccountFactory()
    client = logged_in_client(account)
    # when they clear the enterprise name
    response = client.post("/settings/profile", {"enterprise_name": "", "industry": "", "region": ""})
    # then the page shows the error and nothing changed
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert Account.objects.get(pk=account.pk).enterprise_name == account.enterprise_name


def test_console_email_change_shows_each_step_and_commits():
    # given a logged-in holder
    account = AccountFactory()
    client = logged_in_client(account)
    # when they start, the page shows step 1 of 3 with a resend countdown
    client.post("/settings/email", {"action": "start", "end_other_sessions": "on"})
    page = client.get("/settings/email").content.decode()
    assert "Step 1 of 3" in page and "data-countdown-until=" in page
    # when they enter the codes and the new address
    client.post("/settings/email", {"action": "verify_current", "code": latest_code(account.email)})
    assert "Step 2 of 3" in client.get("/settings/email").content.decode()
    client.post("/settings/email", {"action": "new", "email": NEW_EMAIL})
    assert "Step 3 of 3" in client.get("/settings/email").content.decode()
    done = client.post(
        "/settings/email", {"action": "confirm", "code": latest_code(NEW_EMAIL), "end_other_sessions": "on"}
    )
    # then they land on the profile and the email is changed
    assert done.status_code == 302 and done["Location"] == "/settings/profile"
    assert Account.objects.get(pk=account.pk).email == NEW_EMAIL


def test_a_wrong_code_is_shown_as_a_form_error():
    # given a started change
    account = AccountFactory()
    client = logged_in_client(account)
    client.post("/settings/email", {"action": "start", "end_other_sessions": "on"})
    good = latest_code(account.email)
    # when a wrong code is entered
    response = client.post(
        "/settings/email", {"action": "verify_current", "code": "000000" if good != "000000" else "1"}
    )
    # then the code field shows the error and the step stays the same
    page = response.content.decode()
    assert "The code is wrong or no longer valid" in page and "Step 1 of 3" in page


def test_a_stale_login_is_sent_to_reauthenticate_and_the_start_resumes_afterwards():
    # given a holder whose last authentication is stale
    account = AccountFactory()
    client = logged_in_client(account)
    make_reauth_stale(client)
    # when they start an email change
    response = client.post("/settings/email", {"action": "start", "end_other_sessions": "on"})
    # then they are sent to re-authenticate, with this page as the way back
    assert response.status_code == 302
    assert response["Location"] == "/reauthenticate?next=%2Fsettings%2Femail"
    # when they confirm with their password
    back = client.post(
        "/reauthenticate?next=/settings/email", {"action": "password", "password": DEFAULT_PASSWORD}
    )
    assert back["Location"] == "/settings/email"
    # then returning to the page resumes the start: a code went to the current email
    resumed = client.get("/settings/email")
    assert resumed.status_code == 302
    assert latest_code(account.email)
    assert "Step 1 of 3" in client.get("/settings/email").content.decode()


def test_phone_page_offers_add_phone_without_a_phone_and_lost_phone_with_one():
    # given holders with and without a phone
    without = logged_in_client(AccountFactory())
    with_phone = logged_in_client(AccountFactory(phone="+8613800138000"))
    # when they open the phone page, then the right paths are offered
    assert "Add phone" in without.get("/settings/phone").content.decode()
    page = with_phone.get("/settings/phone").content.decode()
    assert "Replace a lost phone" in page and "Change phone" in page


def test_security_page_title_is_its_heading_and_two_factor_is_a_card_of_the_page(db):
    # given a holder
    client = logged_in_client(AccountFactory())
    # when they open the security page
    page = client.get("/settings/security").content.decode()
    # then its <title> is the heading alone, and the two-factor link is in the page's body once
    assert "<title>Security · Billing Center</title>" in page
    assert page.count("Manage two-factor authentication") == 1
    assert page.index("Manage two-factor authentication") > page.index("</head>")


def test_password_change_on_the_security_page():
    # given a holder on two devices
    account = AccountFactory()
    client, other = logged_in_client(account), logged_in_client(account)
    # when the current password is wrong
    wrong = client.post(
        "/settings/security",
        {
            "current_password": "nope nope nope",
            "new_password": "river stones at dawn",
            "new_password_confirm": "river stones at dawn",
        },
    )
    assert "The current password is not correct." in wrong.content.decode()
    # when it is right
    done = client.post(
        "/settings/security",
        {
            "current_password": DEFAULT_PASSWORD,
            "new_password": "river stones at dawn",
            "new_password_confirm": "river stones at dawn",
        },
    )
    # then this session stays logged in and the other one is ended
    assert done.status_code == 302
    assert client.get("/settings/security").status_code == 200
    assert other.get("/settings/security").status_code == 302
    assert live_session_keys(account) == {session_key_of(client)}


def test_sessions_page_ends_another_session_and_404s_for_someone_elses():
    # given a holder on two devices and another holder
    account, stranger = AccountFactory(), AccountFactory()
    client, second = logged_in_client(account), logged_in_client(account)
    stranger_client = logged_in_client(stranger)
    page = client.get("/settings/sessions").content.decode()
    assert "This session" in page and session_key_of(client) not in page
    # when they end the stranger's session by its id
    foreign = client.post(
        "/settings/sessions",
        {"action": "end", "session_id": session_public_id(session_key_of(stranger_client))},
    )
    # then it is a 404 and the stranger stays logged in
    assert foreign.status_code == 404
    assert stranger_client.get("/settings/profile").status_code == 200
    # when they end their second device's session
    client.post(
        "/settings/sessions", {"action": "end", "session_id": session_public_id(session_key_of(second))}
    )
    # then that device is logged out
    assert second.get("/settings/profile").status_code == 302


def test_security_log_lists_own_events_with_an_older_page():
    # given a holder with 25 events and another account's event
    account, other = AccountFactory(), AccountFactory()
    for _ in range(25):
        audit_record(event="login.succeeded", account=account)
    audit_record(event="password.changed", account=other)
    client = logged_in_client(account)
    # when they open the log
    page = client.get("/settings/security-log").content.decode()
    # then their events show with a link to older ones, and not the other account's
    assert page.count("Logged in") >= 20 and "Password changed" not in page
    assert 'rel="next"' in page


def test_state_changing_posts_need_the_csrf_token():
    # given a browser-like client that enforces CSRF
    account = AccountFactory()
    client = logged_in_client(account, enforce_csrf=True)
    del client.defaults["HTTP_X_CSRFTOKEN"]
    # when it posts without the token
    response = client.post("/settings/profile", {"enterprise_name": "Hijacked"})
    # then it is refused
    assert response.status_code == 403
    assert Account.objects.get(pk=account.pk).enterprise_name != "Hijacked"


def test_pages_render_in_simplified_chinese():
    # given a holder whose language is Simplified Chinese
    account = AccountFactory(language="zh-hans")
    client = logged_in_client(account)
    # when they open each page, then it renders in that language
    for path in (
        "/settings/profile",
        "/settings/email",
        "/settings/phone",
        "/settings/security",
        "/settings/sessions",
        "/settings/security-log",
    ):
        response = client.get(path)
        assert response.status_code == 200 and '<html lang="zh-hans">' in response.content.decode(), path
