"""Browser journey of an AWS Marketplace buyer: AWS's cross-site form POST, then the landing page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from billing_center.cloud.models import AwsRegistration, CloudAccount, CloudAccountState
from tests.cloud.aws.conftest import aws_settings, fake_aws  # noqa: F401 - fixtures used below
from tests.cloud.aws.support import ACCOUNT_ID

pytestmark = pytest.mark.django_db(transaction=True)


def aws_marketplace_page(register_url: str, token: str) -> str:
    """What AWS Marketplace serves the buyer: a form that POSTs the token to our registration URL."""
    return f"""<!doctype html><html><body>
      <form method="post" action="{register_url}">
        <input type="hidden" name="x-amzn-marketplace-token" value="{token}">
        <input type="hidden" name="x-amzn-marketplace-offer-type" value="free-trial">
        <button type="submit">Set up your account</button>
      </form></body></html>"""


def test_buyer_registers_from_aws_marketplace_and_lands_on_the_subscription(page: Page, live_server, aws_settings, fake_aws):  # noqa: F811
    # given AWS resolves the buyer's token
    fake_aws.customer("journey-token")
    # when the buyer clicks "Set up your account" on AWS Marketplace (another origin)
    page.set_content(aws_marketplace_page(f"{live_server.url}/marketplace/aws/register", "journey-token"))
    page.get_by_role("button", name="Set up your account").click()
    # then they land on their subscription, recorded as pending
    expect(page.get_by_role("heading", level=1)).to_have_text("Your AWS Marketplace subscription")
    expect(page.get_by_text(ACCOUNT_ID)).to_be_visible()
    assert "/marketplace/aws/landing/" in page.url
    cloud_account = CloudAccount.objects.get()
    assert cloud_account.state == CloudAccountState.PENDING and cloud_account.trial
    assert AwsRegistration.objects.count() == 1
    # and "Log in" takes them to the login page that comes back here
    landing_path = page.url.removeprefix(live_server.url)
    page.get_by_role("main").get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url.endswith(f"/login?next={landing_path}")


def test_buyer_with_an_expired_token_gets_a_clear_page(page: Page, live_server, aws_settings, fake_aws):  # noqa: F811
    fake_aws.expired.add("old-token")
    page.set_content(aws_marketplace_page(f"{live_server.url}/marketplace/aws/register", "old-token"))
    page.get_by_role("button", name="Set up your account").click()
    expect(page.get_by_text("Your AWS Marketplace registration has expired.")).to_be_visible()
    assert not CloudAccount.objects.exists()


def test_a_logged_out_buyer_signs_up_and_ends_with_the_aws_subscription_linked(page: Page, live_server, aws_settings, fake_aws):  # noqa: F811
    # given AWS resolves the buyer's token and the buyer has no Billing Center account
    from tests.outbox import latest_code

    fake_aws.customer("signup-token")
    page.set_content(aws_marketplace_page(f"{live_server.url}/marketplace/aws/register", "signup-token"))
    page.get_by_role("button", name="Set up your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your AWS Marketplace subscription")
    landing_path = page.url.removeprefix(live_server.url)
    # when they follow "Create an account" and sign up with an email code
    page.get_by_role("main").get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your Billing Center account")
    page.get_by_label("Username").fill("awsbuyer")
    page.get_by_label("Password", exact=True).fill("amber kettle over seven hills")
    page.get_by_label("Confirm password").fill("amber kettle over seven hills")
    page.get_by_label("Email", exact=True).fill("awsbuyer@example.com")
    page.get_by_role("button", name="Send code to email").click()
    expect(page.get_by_text("We sent a code to")).to_be_visible()
    page.get_by_label("Email verification code").fill(latest_code("awsbuyer@example.com"))
    page.get_by_label("Enterprise name").fill("AWS Buyer Ltd")
    page.get_by_label("I accept the terms of service").check()
    page.get_by_role("button", name="Create account").click()
    # then they are back on the landing page, which offers the link; they confirm
    expect(page.get_by_role("button", name="Link to my account")).to_be_visible()
    assert page.url.endswith(landing_path)
    page.get_by_role("button", name="Link to my account").click()
    # and end on Account Settings > Cloud Account with the AWS subscription linked
    expect(page.get_by_role("heading", level=1)).to_have_text("Cloud Account")
    expect(page.get_by_test_id("cloud-account")).to_contain_text(ACCOUNT_ID)
    assert CloudAccount.objects.get().account.username == "awsbuyer"
