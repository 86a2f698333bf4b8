"""Browser journey of enterprise certification in headless Chromium: the holder submits, an operator
with two-factor approves it in the back office, the holder sees it verified."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from billing_center.audit.models import AuditEvent
from tests.accounts.two_factor_support import enrol, totp_now
from tests.certification.conftest import VALID_USCC, jpeg_with_exif
from tests.factories import DEFAULT_PASSWORD, AccountFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page: Page, username: str) -> None:
    page.get_by_label("Username, email or phone").fill(username)
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()


def test_holder_submits_operator_with_two_factor_approves_holder_sees_verified(page: Page, new_context):
    # given a holder and an operator with two-factor on
    AccountFactory(username="certholder", enterprise_name="Acme Observability")
    operator = AccountFactory(username="reviewer", is_staff=True, is_superuser=True)
    enrol(operator)
    # when the holder logs in and submits the certification with a JPEG of the licence
    page.goto("/login")
    _log_in(page, "certholder")
    expect(page.get_by_role("banner")).to_contain_text("certholder")
    page.get_by_role("link", name="Enterprise certification").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enterprise certification")
    page.get_by_label("Enterprise name on the business licence").fill("Acme Observability Ltd")
    page.get_by_label("Taxpayer id (unified social credit code)").fill(VALID_USCC.lower())
    page.get_by_label("Business licence file").set_input_files(
        {"name": "licence.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_exif()}
    )
    page.get_by_role("button", name="Submit for review").click()
    # then it is under review
    expect(page.get_by_test_id("certification-state")).to_have_text("Under review")

    # when the operator opens the back office, logs in with the password and the second factor
    operator_context = new_context(locale="en-US")
    operator_context.set_default_timeout(10_000)
    desk = operator_context.new_page()
    desk.goto("/backoffice/")
    expect(desk).to_have_url(re.compile(r"/login\?next="))
    _log_in(desk, "reviewer")
    expect(desk.get_by_role("heading", level=1)).to_have_text("Two-factor authentication")
    desk.get_by_label("Authentication code or recovery code").fill(totp_now(operator))
    desk.get_by_role("button", name="Verify").click()
    # then the dashboard shows one review waiting
    counts = desk.get_by_test_id("dashboard-counts")
    expect(counts.get_by_role("row", name="Certifications waiting for review")).to_contain_text("1")
    # when they open it, see the licence inline and approve it
    counts.get_by_role("link", name="Certifications waiting for review").click()
    desk.get_by_role("link", name="certholder").click()
    expect(desk.get_by_role("img", name="Business licence")).to_be_visible()
    desk.get_by_role("link", name="Approve").click()
    desk.get_by_role("button", name="Approve").click()
    expect(desk.get_by_text("Certification of Acme Observability Ltd verified.")).to_be_visible()

    # then the holder sees it verified on the certification page and on the profile
    page.reload()
    expect(page.get_by_test_id("certification-state")).to_have_text("Verified")
    expect(page.get_by_role("button", name="Submit for review")).to_have_count(0)
    page.goto("/settings/profile")
    expect(page.get_by_test_id("profile-certification")).to_contain_text("Verified")
    expect(page.get_by_test_id("profile-certification")).to_contain_text(VALID_USCC)
    approved = AuditEvent.objects.get(event="certification.approved")
    assert approved.actor_id == operator.pk
