"""/marketplace/aws/register and the landing page: boto3 against the local fake, nothing stored on failure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from billing_center.audit.models import AuditEvent
from billing_center.cloud.models import AwsRegistration, CloudAccount, CloudAccountState, Vendor
from billing_center.cloud.vendors.aws import selectors, services
from tests.cloud.aws.support import ACCOUNT_ID, AGREEMENT_ID, LICENSE_ARN, PRODUCT_CODE

pytestmark = pytest.mark.django_db

REGISTER = "/marketplace/aws/register"


def post_token(client, token: str, **extra: str):
    return client.post(REGISTER, {"x-amzn-marketplace-token": token, **extra})


def nothing_stored() -> bool:
    return not CloudAccount.objects.exists() and not AwsRegistration.objects.exists()


def test_a_valid_token_records_a_pending_subscription_and_lands_on_its_page(client, aws_settings, fake_aws):
    # given AWS resolves the token to a customer with current entitlements
    fake_aws.customer("valid-token")
    fake_aws.entitlement_pages = [[{"Dimension": "users", "Value": {"IntegerValue": 25}}]]
    # when the buyer's browser POSTs it (cross-site: no CSRF token)
    response = post_token(client, "valid-token", **{"x-amzn-marketplace-offer-type": "free-trial"})
    # then a pending cloud account keyed on (account id, licence ARN) exists, and the buyer is redirected
    assert response.status_code == 302
    cloud_account = CloudAccount.objects.get()
    assert (cloud_account.vendor, cloud_account.vendor_account_id, cloud_account.instance_id) == (
        Vendor.AWS,
        ACCOUNT_ID,
        LICENSE_ARN,
    )
    assert cloud_account.state == CloudAccountState.PENDING
    assert cloud_account.trial is True
    assert cloud_account.product == PRODUCT_CODE
    assert cloud_account.vendor_data["agreement_id"] == AGREEMENT_ID
    assert cloud_account.vendor_data["license"] == "l-0123456789abcdef"
    assert cloud_account.vendor_data["entitlements"] == [{"dimension": "users", "value": 25, "expires_at": None}]
    assert AuditEvent.objects.filter(event="cloud_account.aws_registered").count() == 1
    # and the landing page shows it
    key = response["Location"].rsplit("/", 1)[-1]
    assert response["Location"] == f"/marketplace/aws/landing/{key}"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert ACCOUNT_ID in page.content.decode()
    assert "l-0123456789abcdef" in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"
    assert "no-store" in page["Cache-Control"]
    # and only a hash of the landing id is stored
    registration = AwsRegistration.objects.get()
    assert registration.key_hash == selectors.registration_key_hash(key) != key
    assert registration.expires_at - registration.created_at == timedelta(hours=24)


def test_a_legacy_customer_identifier_is_kept(client, aws_settings, fake_aws):
    fake_aws.customer("valid-token", CustomerIdentifier="legacy-cust-1")
    post_token(client, "valid-token")
    assert CloudAccount.objects.get().vendor_data["customer_identifier"] == "legacy-cust-1"


def test_a_legacy_only_answer_is_keyed_on_the_customer_identifier(client, aws_settings, fake_aws):
    fake_aws.tokens["old"] = {"CustomerIdentifier": "legacy-cust-2", "ProductCode": PRODUCT_CODE}
    assert post_token(client, "old").status_code == 302
    cloud_account = CloudAccount.objects.get()
    assert cloud_account.instance_id == "legacy-cust-2"
    assert cloud_account.vendor_account_id == ""


def test_registering_twice_finds_the_same_subscription_with_a_new_landing_id(client, aws_settings, fake_aws):
    fake_aws.customer("valid-token")
    first = post_token(client, "valid-token")["Location"]
    second = post_token(client, "valid-token")["Location"]
    assert first != second
    assert CloudAccount.objects.count() == 1
    assert AwsRegistration.objects.count() == 2


@pytest.mark.parametrize(
    ("setup", "token", "status", "text"),
    [
        (lambda fake: fake.expired.add("old-token"), "old-token", 400, "has expired"),
        (lambda fake: None, "unknown-token", 400, "is not valid"),
        (lambda fake: fake.customer("t", ProductCode="prod-someone-else"), "t", 400, "is not valid"),
        (lambda fake: setattr(fake, "throttle", 10), "any-token", 503, "could not be reached"),
    ],
)
def test_a_bad_token_gets_a_clear_page_and_creates_nothing(client, aws_settings, fake_aws, setup, token, status, text):
    # given AWS refuses the token (expired, invalid, another product, throttled)
    setup(fake_aws)
    # when it is posted
    response = post_token(client, token)
    # then the page says what happened and nothing is stored
    assert response.status_code == status
    assert text in response.content.decode()
    assert nothing_stored()


def test_throttled_registration_says_when_to_retry(client, aws_settings, fake_aws):
    fake_aws.throttle = 10
    response = post_token(client, "any")
    assert response["Retry-After"] == "30"


@pytest.mark.parametrize("form", [{}, {"x-amzn-marketplace-token": ""}, {"x-amzn-marketplace-token": "x" * 5000}])
def test_a_missing_or_oversized_token_never_calls_aws(client, aws_settings, fake_aws, form):
    response = client.post(REGISTER, form)
    assert response.status_code == 400
    assert fake_aws.calls == []
    assert nothing_stored()


def test_get_entitlements_failing_at_registration_still_registers(client, aws_settings, fake_aws, monkeypatch):
    # given ResolveCustomer works but GetEntitlements is throttled
    fake_aws.customer("valid-token")
    original = fake_aws.answer

    def throttle_entitlements(target, body):
        if target.endswith("GetEntitlements"):
            return 400, {"__type": "ThrottlingException", "message": "slow down"}
        return original(target, body)

    monkeypatch.setattr(fake_aws, "answer", throttle_entitlements)
    # when / then the registration completes without an entitlement snapshot
    assert post_token(client, "valid-token").status_code == 302
    assert "entitlements" not in CloudAccount.objects.get().vendor_data


def test_register_only_accepts_post(client, aws_settings):
    assert client.get(REGISTER).status_code == 405


def test_every_aws_endpoint_answers_404_while_unconfigured(client, settings):
    # given no AWS settings at all
    settings.AWS_MARKETPLACE_PRODUCT_CODE = ""
    settings.AWS_SNS_TOPIC_ARNS = []
    settings.AWS_EVENTS_RELAY_SECRET = ""
    # when / then
    for path in (REGISTER, "/marketplace/aws/sns", "/marketplace/aws/events"):
        assert client.post(path, {"x-amzn-marketplace-token": "t"}).status_code == 404
    assert client.get("/marketplace/aws/landing/abc").status_code == 404


def test_sns_and_events_answer_404_without_their_own_setting(client, aws_settings):
    aws_settings.AWS_SNS_TOPIC_ARNS = []
    aws_settings.AWS_EVENTS_RELAY_SECRET = ""
    assert client.post("/marketplace/aws/sns", b"{}", content_type="text/plain").status_code == 404
    assert client.post("/marketplace/aws/events", b"{}", content_type="application/json").status_code == 404


# --- The landing id ----------------------------------------------------------------------------------


def register(client, fake_aws) -> str:
    fake_aws.customer("valid-token")
    return post_token(client, "valid-token")["Location"].rsplit("/", 1)[-1]


def test_an_unknown_landing_id_gets_a_clear_404(client, aws_settings):
    response = client.get("/marketplace/aws/landing/not-a-real-id")
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_a_landing_id_expires_after_24_hours(client, aws_settings, fake_aws, time_machine):
    key = register(client, fake_aws)
    time_machine.move_to(timezone.now() + timedelta(hours=24, seconds=1))
    assert client.get(f"/marketplace/aws/landing/{key}").status_code == 404
    assert services.aws_registration_consume(key=key) is None


def test_a_landing_id_is_single_use(client, aws_settings, fake_aws):
    # given a registration
    key = register(client, fake_aws)
    # when the link consumes it
    cloud_account = services.aws_registration_consume(key=key)
    # then it gave the subscription once, and never again
    assert cloud_account == CloudAccount.objects.get()
    assert services.aws_registration_consume(key=key) is None
    assert client.get(f"/marketplace/aws/landing/{key}").status_code == 404
    assert AuditEvent.objects.filter(event="cloud_account.aws_registration_used").count() == 1


def test_the_landing_page_offers_log_in_and_sign_up_that_come_back(client, aws_settings, fake_aws):
    key = register(client, fake_aws)
    page = client.get(f"/marketplace/aws/landing/{key}").content.decode()
    assert f"/login?next=/marketplace/aws/landing/{key}" in page
    assert f"/signup?next=/marketplace/aws/landing/{key}" in page


def test_the_pages_speak_simplified_chinese(client, aws_settings, fake_aws):
    # given a Chinese browser
    key = register(client, fake_aws)
    # when it opens the landing page and posts an expired token
    page = client.get(f"/marketplace/aws/landing/{key}", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    fake_aws.expired.add("old-token")
    problem = client.post(REGISTER, {"x-amzn-marketplace-token": "old-token"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    # then both are translated
    assert "您的 AWS Marketplace 订阅" in page
    assert "再次选择“设置您的账户”" in problem.content.decode()
    assert "您的 AWS Marketplace 注册已过期。" in problem.content.decode()


def test_registrations_are_limited_per_ip_before_calling_aws(client, aws_settings, fake_aws):
    # given 20 registration attempts from one address in a minute
    from billing_center.cloud.vendors.aws.views import REGISTRATIONS_PER_IP_PER_MINUTE

    for n in range(REGISTRATIONS_PER_IP_PER_MINUTE):
        assert post_token(client, f"bad-{n}").status_code == 400
    calls = len(fake_aws.calls)
    # when one more arrives
    response = post_token(client, "another")
    # then it is refused without spending an AWS call
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert len(fake_aws.calls) == calls
    assert nothing_stored()


def test_a_concurrent_registration_of_the_same_licence_finds_the_winner(client, aws_settings, fake_aws, monkeypatch):
    # given another request records the same licence between our lookup and our insert
    from django.db import IntegrityError

    real = services.cloud_account_record
    raced = []

    def racing(**kwargs):
        if not raced:
            raced.append(True)
            real(**kwargs)  # the other request wins
            raise IntegrityError("duplicate key value violates unique constraint")
        return real(**kwargs)

    monkeypatch.setattr(services, "cloud_account_record", racing)
    fake_aws.customer("valid-token")
    # when the buyer's request completes
    response = post_token(client, "valid-token")
    # then it lands on the one subscription
    assert response.status_code == 302
    assert CloudAccount.objects.count() == 1
    assert AwsRegistration.objects.get().cloud_account == CloudAccount.objects.get()


def test_a_url_encoded_token_reaches_aws_decoded(client, aws_settings, fake_aws):
    # given a token with the characters form encoding changes (+ / = and a space)
    token = "AbC+def/ghi=jk lm=="
    fake_aws.customer(token)
    # when the browser posts it form-encoded
    body = "x-amzn-marketplace-token=" + "AbC%2Bdef%2Fghi%3Djk+lm%3D%3D"
    response = client.post(REGISTER, body, content_type="application/x-www-form-urlencoded")
    # then AWS got exactly the decoded token and the subscription is recorded
    assert response.status_code == 302
    assert fake_aws.calls[0] == ("AWSMPMeteringService.ResolveCustomer", {"RegistrationToken": token})


def test_the_landing_page_reads_the_registration_and_its_subscription_in_one_query(client, aws_settings, fake_aws, django_assert_num_queries):
    key = register(client, fake_aws)
    client.cookies.clear()
    with django_assert_num_queries(1):
        assert client.get(f"/marketplace/aws/landing/{key}").status_code == 200
