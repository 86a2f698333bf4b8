"""Browser journeys of the sign-up and login pages in headless Chromium: sign up with codes read from
the outbox, log out, log in with username, email or phone, and log in by code."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from billing_center.accounts.models import Account
from tests.factories import DEFAULT_PASSWORD, AccountFactory
from tests.outbox import latest_code

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "amber kettle over seven hills"


def top_bar(page: Page):
    return page.get_by_role("banner")


def log_in_with_password(page: Page, identifier: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Username, email or phone").fill(identifier)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()


def status_in(page: Page, group: str):
    """The live status region of a fieldset (where its "Send code" answers)."""
    return page.get_by_role("group", name=group).get_by_role("status")


def test_sign_up_with_email_and_phone_codes_then_log_out(page: Page):
    # given a visitor on the sign-up page who types the passwords first
    page.goto("/signup")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your Billing Center account")
    page.get_by_label("Username").fill("journey01")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm password").fill(NEW_PASSWORD)
    # when they request a code for the email
    page.get_by_label("Email", exact=True).fill("journey01@example.com")
    page.get_by_role("button", name="Send code to email").click()
    # then the answer appears in the status region without a reload: the passwords are still typed
    expect(status_in(page, "Email verification")).to_have_text(
        re.compile(r"We sent a code to jo\*+@example\.com\. It is valid for \d+ minutes\.")
    )
    expect(page.get_by_label("Password", exact=True)).to_have_value(NEW_PASSWORD)
    expect(page.get_by_label("Confirm password")).to_have_value(NEW_PASSWORD)
    expect(page.get_by_role("button", name="Send code to email")).to_be_disabled()  # resend countdown
    expect(page.get_by_text("For your security, passwords are not kept")).to_have_count(0)
    # and when they do the same for the phone
    page.get_by_label("Mobile phone").fill("13800138001")
    page.get_by_role("button", name="Send code to phone").click()
    expect(status_in(page, "Mobile phone verification")).to_have_text(
        re.compile(r"We sent a code to \+86\d*\*+8001\.")
    )
    expect(page.get_by_label("Password", exact=True)).to_have_value(NEW_PASSWORD)
    # and type what arrived in the outbox and the rest of the form
    page.get_by_label("Email verification code").fill(latest_code("journey01@example.com"))
    page.get_by_label("Phone verification code").fill(latest_code("+8613800138001"))
    page.get_by_label("Enterprise name").fill("Journey Analytics")
    page.get_by_text("More information").click()
    page.get_by_label("Industry").select_option("internet")
    page.get_by_label("Region").select_option("cn-east")
    page.get_by_label("I accept the terms of service").check()
    page.get_by_role("button", name="Create account").click()
    # then they are logged in: the top bar shows their username
    expect(top_bar(page)).to_contain_text("journey01")
    account = Account.objects.get(username="journey01")
    assert account.phone == "+8613800138001" and account.industry == "internet"
    # and when they log out, they are back on the login page
    top_bar(page).get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to the Billing Center")
    expect(page.get_by_text("You have logged out.")).to_be_visible()
    expect(top_bar(page)).not_to_contain_text("journey01")


def test_send_code_to_an_invalid_email_shows_the_problem_in_place(page: Page):
    # given a visitor who typed a password and a malformed email
    page.goto("/signup")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Email", exact=True).fill("not-an-email")
    # when they press "Send code" for the email
    page.get_by_role("button", name="Send code to email").click()
    # then the API's problem shows under the field, the field is marked invalid and nothing reloaded
    expect(status_in(page, "Email verification")).to_have_text("Enter a valid email address.")
    expect(page.get_by_label("Email", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Password", exact=True)).to_have_value(NEW_PASSWORD)
    expect(page.get_by_role("button", name="Send code to email")).to_be_enabled()


def test_send_code_again_too_soon_shows_the_wait_and_counts_down(page: Page):
    # given a code just sent to an address, and the page reloaded (so it shows no countdown)
    page.goto("/signup")
    page.get_by_label("Email", exact=True).fill("hasty@example.com")
    page.get_by_role("button", name="Send code to email").click()
    expect(status_in(page, "Email verification")).to_contain_text("We sent a code to")
    page.reload()
    # when they press "Send code" again at once
    page.get_by_label("Email", exact=True).fill("hasty@example.com")
    page.get_by_role("button", name="Send code to email").click()
    # then the 429 problem is shown and the button counts down
    expect(status_in(page, "Email verification")).to_have_text(
        "Wait a minute before asking for another code."
    )
    expect(page.get_by_role("button", name="Send code to email")).to_be_disabled()
    expect(page.get_by_role("button", name="Send code to email")).to_have_text(
        re.compile(r"Send code \(\d+s\)")
    )


@pytest.mark.parametrize("identifier", ["walker", "walker@example.com", "+8613900139002"])
def test_log_in_with_username_email_or_phone(page: Page, identifier: str):
    # given an account with a verified phone
    AccountFactory(username="walker", email="walker@example.com", phone="+8613900139002")
    # when the holder logs in with one of the identifiers and the password
    log_in_with_password(page, identifier, DEFAULT_PASSWORD)
    # then the top bar shows their username
    expect(top_bar(page)).to_contain_text("walker")
    expect(top_bar(page).get_by_role("button", name="Log out")).to_be_visible()


def test_wrong_password_shows_an_error(page: Page):
    # given an account
    AccountFactory(username="walker")
    # when the holder types a wrong password
    log_in_with_password(page, "walker", "not my password at all")
    # then the page stays on login with an alert and nobody is logged in
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to the Billing Center")


def test_log_in_by_code(page: Page):
    # given an account without a password
    AccountFactory(username="codewalker", email="codewalker@example.com", password="")
    # when the holder chooses "Log in with a code" and types the code from the outbox
    page.goto("/login")
    page.get_by_role("link", name="Log in with a code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in with a code")
    page.get_by_label("Email or mobile number").fill("codewalker@example.com")
    page.get_by_role("button", name="Send code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    page.get_by_label("Verification code").fill(latest_code("codewalker@example.com"))
    page.get_by_role("button", name="Log in", exact=True).click()
    # then they are logged in
    expect(top_bar(page)).to_contain_text("codewalker")


def test_forgot_password_then_log_in_with_the_new_one(page: Page):
    # given an account
    AccountFactory(username="forgetful", email="forgetful@example.com")
    # when the holder resets the password with the emailed code
    page.goto("/login")
    page.get_by_role("link", name="Forgot password?").click()
    page.get_by_label("Email or mobile number").fill("forgetful@example.com")
    page.get_by_role("button", name="Send code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("Verification code").fill(latest_code("forgetful@example.com"))
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_text("Your password has been changed.")).to_be_visible()
    # then the new password logs in
    log_in_with_password(page, "forgetful", NEW_PASSWORD)
    expect(top_bar(page)).to_contain_text("forgetful")


def test_reauthenticate_with_password_returns_to_next(page: Page):
    # given a logged-in holder sent to confirm their identity before a security step
    AccountFactory(username="careful")
    log_in_with_password(page, "careful", DEFAULT_PASSWORD)
    expect(top_bar(page)).to_contain_text("careful")
    page.goto("/reauthenticate?next=/settings/security")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    # when they confirm with their password
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Confirm with password").click()
    # then they continue where they were going
    expect(page).to_have_url(re.compile(r"/settings/security$"))


def test_language_switch_asks_before_notifications_follow(page: Page):
    # given a logged-in holder reading in English
    account = AccountFactory(username="polyglot")
    log_in_with_password(page, "polyglot", DEFAULT_PASSWORD)
    expect(top_bar(page)).to_contain_text("polyglot")
    # when they pick Simplified Chinese in the top bar
    page.get_by_label("Language", exact=True).select_option("zh-hans")
    # then the page comes back in that language and asks whether emails and SMS should follow
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    account.refresh_from_db()
    assert account.language == "en"
    # when they say yes, then the account keeps the language for its notifications too
    follow = "是，也用此语言发送"  # noqa: RUF001 - the Chinese copy uses full-width punctuation
    page.get_by_role("button", name=follow).click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("button", name=follow)).to_have_count(0)
    account.refresh_from_db()
    assert account.language == "zh-hans"
