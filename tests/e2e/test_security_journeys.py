"""Browser journey of the sign-up SMS proof of work (issue 7, docs/security.md): while the sign-up SMS
budget runs low, the sign-up page solves the server's puzzle itself and the code goes out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from billing_center.verification.models import Delivery
from tests.outbox import latest_code

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_signup_page_solves_the_puzzle_when_sign_up_sms_run_low(page: Page, settings):
    # given a sign-up SMS budget already "low" (a puzzle is asked from the first SMS on)
    settings.SMS_SIGNUP_CHALLENGE_AFTER = 0
    settings.SMS_SIGNUP_POW_BITS = 12
    # when a visitor asks for a phone code on the sign-up page
    page.goto("/signup")
    page.get_by_label("Mobile phone").fill("13800138002")
    page.get_by_role("button", name="Send code to phone").click()
    # then the page answered the puzzle and the code was sent
    status = page.get_by_role("group", name="Mobile phone verification").get_by_role("status")
    expect(status).to_have_text(re.compile(r"We sent a code to \+86\d*\*+8002\."))
    assert re.fullmatch(r"\d{6}", latest_code("+8613800138002"))
    assert Delivery.objects.filter(to="+8613800138002").count() == 1
