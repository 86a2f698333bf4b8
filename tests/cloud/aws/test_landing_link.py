"""AWS: the landing page's "link to my account" and POST /api/v1/cloud-accounts/link {vendor: aws}."""

from __future__ import annotations

import pytest

from billing_center.cloud.models import AwsRegistration, CloudAccount, CloudAccountState
from tests.cloud.aws.test_register import register
from tests.cloud.holder import logged_in, post_json
from tests.factories import DEFAULT_PASSWORD, AccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db):
    return AccountFactory(username="alice", email="alice@example.com")


def test_a_logged_in_buyer_links_from_the_landing_page(client, aws_settings, fake_aws, alice):
    # given a registration and a holder logged in (and re-authenticated) in the same browser
    key = register(client, fake_aws)
    browser = logged_in(alice)
    landing = f"/marketplace/aws/landing/{key}"
    # when the landing page offers "Link to my account" and they confirm
    page = browser.get(landing).content.decode()
    assert "Link to my account" in page
    response = browser.post(landing)
    # then the subscription is theirs and they are on Account Settings > Cloud Account
    assert response.status_code == 302
    assert response["Location"] == "/settings/cloud-account"
    cloud_account = CloudAccount.objects.get()
    assert cloud_account.account == alice
    assert cloud_account.state == CloudAccountState.PENDING
    # and the landing id is used up
    assert AwsRegistration.objects.get().used_at is not None
    assert browser.get(landing).status_code == 404


def test_a_logged_out_buyer_is_sent_to_log_in_and_back_and_the_id_survives(client, aws_settings, fake_aws, alice):
    # given a registration and a logged-out buyer
    key = register(client, fake_aws)
    landing = f"/marketplace/aws/landing/{key}"
    # when they confirm without a session
    response = client.post(landing)
    # then they go to the login page that comes back to the landing page
    assert response.status_code == 302
    assert response["Location"] == f"/login?next=%2Fmarketplace%2Faws%2Flanding%2F{key}"
    # and after logging in there, they come back and can link
    logged = client.post("/login", {"identifier": "alice", "password": DEFAULT_PASSWORD, "next": landing})
    assert logged.status_code == 302 and logged["Location"] == landing
    assert client.post(landing).status_code == 302
    assert CloudAccount.objects.get().account == alice


def test_a_stale_session_re_authenticates_first_and_comes_back(client, aws_settings, fake_aws, alice):
    key = register(client, fake_aws)
    landing = f"/marketplace/aws/landing/{key}"
    browser = logged_in(alice, reauthenticated=False)
    response = browser.post(landing)
    assert response.status_code == 302
    assert response["Location"] == f"/reauthenticate?next=%2Fmarketplace%2Faws%2Flanding%2F{key}"
    assert CloudAccount.objects.get().account_id is None
    assert AwsRegistration.objects.get().used_at is None


def test_the_api_links_by_registration_once(client, aws_settings, fake_aws, alice):
    key = register(client, fake_aws)
    api = logged_in(alice)
    first = post_json(api, "/api/v1/cloud-accounts/link", {"vendor": "aws", "registration": key})
    assert first.status_code == 201, first.content
    assert first.json()["vendor"] == "aws"
    again = post_json(api, "/api/v1/cloud-accounts/link", {"vendor": "aws", "registration": key})
    assert again.status_code == 422
    assert again.json()["code"] == "cloud_account_not_found"


def test_an_unknown_registration_gets_the_one_answer(aws_settings, alice):
    response = post_json(logged_in(alice), "/api/v1/cloud-accounts/link", {"vendor": "aws", "registration": "nope"})
    assert response.status_code == 422
    assert response.json()["code"] == "cloud_account_not_found"


def test_a_registration_of_a_subscription_linked_elsewhere_is_refused_and_stays_unused(client, aws_settings, fake_aws, alice):
    key = register(client, fake_aws)
    bob = AccountFactory(username="bob", email="bob@example.com")
    cloud_account = CloudAccount.objects.get()
    CloudAccount.objects.filter(pk=cloud_account.pk).update(account=bob, linked_at=cloud_account.created_at)
    response = post_json(logged_in(alice), "/api/v1/cloud-accounts/link", {"vendor": "aws", "registration": key})
    assert response.status_code == 422
    assert CloudAccount.objects.get().account == bob


def test_a_new_buyer_signs_up_and_comes_back_to_link(client, aws_settings, fake_aws):
    # given a registration and a buyer without an account
    from billing_center.accounts.models import Account
    from tests.accounts.views.test_auth import signup_data
    from tests.outbox import latest_code

    key = register(client, fake_aws)
    landing = f"/marketplace/aws/landing/{key}"
    # when they follow "Create an account" (next = the landing page) and sign up with an email code
    data = {**signup_data(), "next": landing}
    client.post(f"/signup?next={landing}", {**data, "send_email_code": "1"})
    data["email_code"] = latest_code("new.holder@example.com")
    signed_up = client.post(f"/signup?next={landing}", data)
    # then they are back on the landing page, logged in, and the id still works
    assert signed_up.status_code == 302 and signed_up["Location"] == landing
    assert "Link to my account" in client.get(landing).content.decode()
    # and confirming links the subscription to the new account (a sign-up counts as a fresh authentication)
    linked = client.post(landing)
    assert linked.status_code == 302 and linked["Location"] == "/settings/cloud-account"
    assert CloudAccount.objects.get().account == Account.objects.get(username="newholder")
