"""Browser journeys of Account Settings in headless Chromium: change email with both codes and log in
with the new one, change phone likewise, change password and log in with it, end another session."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from billing_center.accounts.models import Account, AccountSession
from tests.factories import DEFAULT_PASSWORD, AccountFactory
from tests.outbox import latest_code

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "copper lanterns along the canal"


def log_in(page: Page, identifier: str, password: str = DEFAULT_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Username, email or phone").fill(identifier)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("banner").get_by_role("button", name="Log out")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to the Billing Center")


def walk_change(page: Page, *, current_target: str, new_label: str, new_value: str, new_target: str) -> None:
    """Steps 1-4 of the change page the browser is on."""
    page.get_by_role("button", name=re.compile(r"^Send code to")).click()
    expect(page.get_by_text("Step 1 of 3")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Send a new code"))).to_be_disabled()  # the countdown
    page.get_by_label("Code sent to your current address").fill(latest_code(current_target))
    page.get_by_role("button", name="Verify code").click()
    expect(page.get_by_text("Step 2 of 3")).to_be_visible()
    page.get_by_label(new_label).fill(new_value)
    new_kind = "address" if "@" in new_value else "number"  # the phone page says "number"
    page.get_by_role("button", name=f"Send code to the new {new_kind}").click()
    expect(page.get_by_text("Step 3 of 3")).to_be_visible()
    page.get_by_label("Code sent to your new address").fill(latest_code(new_target))
    page.get_by_role("button", name="Confirm change").click()


def test_change_email_with_both_codes_then_log_in_with_the_new_email(page: Page):
    # given a holder logged in through the login page
    AccountFactory(username="mover", email="mover@example.com")
    log_in(page, "mover@example.com")
    # when they change the email from the profile with both codes
    page.goto("/settings/profile")
    page.get_by_role("link", name="Change email").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change email")
    walk_change(
        page,
        current_target="mover@example.com",
        new_label="New email",
        new_value="mover@example.org",
        new_target="mover@example.org",
    )
    # then the profile says so and shows the new (masked) address
    expect(page.get_by_text("Your login email is now mover@example.org.")).to_be_visible()
    expect(page.get_by_test_id("email-masked")).to_have_text(re.compile(r"@example\.org$"))
    # and after logging out, the new email logs in
    log_out(page)
    log_in(page, "mover@example.org")
    expect(page.get_by_role("banner")).to_contain_text("mover")


def test_change_phone_with_both_codes_then_log_in_with_the_new_phone(page: Page):
    # given a holder with a phone, logged in
    AccountFactory(username="caller", phone="+8613800138000")
    log_in(page, "caller")
    # when they change the phone with both SMS codes
    page.goto("/settings/profile")
    page.get_by_role("link", name="Change phone").click()
    walk_change(
        page,
        current_target="+8613800138000",
        new_label="New phone number",
        new_value="13912345678",
        new_target="+8613912345678",
    )
    # then the new phone is bound and logs in
    expect(page.get_by_text("Your phone number is now +8613912345678.")).to_be_visible()
    log_out(page)
    log_in(page, "+8613912345678")
    assert Account.objects.get(username="caller").phone == "+8613912345678"


def test_change_password_then_log_in_with_it(page: Page):
    # given a logged-in holder
    AccountFactory(username="keeper")
    log_in(page, "keeper")
    # when they change the password on the Security page
    page.goto("/settings/security")
    page.get_by_label("Current password").fill(DEFAULT_PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password was changed.")).to_be_visible()
    # then after logging out, the new password logs in
    log_out(page)
    log_in(page, "keeper", NEW_PASSWORD)
    expect(page.get_by_role("banner")).to_contain_text("keeper")


def test_end_another_session(page: Page):
    # given a holder logged in in this browser and on another device
    account = AccountFactory(username="roamer")
    log_in(page, "roamer")
    other_device = Client(HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/128.0")
    other_device.force_login(account, backend="billing_center.accounts.backends.IdentifierBackend")
    session = other_device.session
    session["_bc_ua"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/128.0"
    session.save()
    # when they open Sessions and end the other device's session
    page.goto("/settings/sessions")
    rows = page.get_by_role("row")
    expect(rows).to_have_count(3)  # header + two sessions
    expect(page.get_by_text("This session")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^End session on Firefox on Windows")).click()
    # then only this browser's session remains, and the other device is logged out
    expect(page.get_by_text("The session was ended.")).to_be_visible()
    expect(page.get_by_role("row")).to_have_count(2)
    assert AccountSession.objects.filter(account=account).count() == 1
    assert other_device.get("/settings/profile").status_code == 302
