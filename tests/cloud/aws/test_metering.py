"""ResolveCustomer and GetEntitlements: botocore's Stubber (unit) and boto3 against a local fake (integration)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.stub import Stubber

from billing_center.cloud.vendors.aws import metering
from tests.cloud.aws.support import ACCOUNT_ID, AGREEMENT_ID, LICENSE_ARN, PRODUCT_CODE


@pytest.fixture
def stubbed(settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIATESTTESTTESTTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    settings.AWS_MARKETPLACE_PRODUCT_CODE = PRODUCT_CODE
    settings.AWS_MARKETPLACE_ENDPOINT_URL = ""
    metering.clients_forget()
    stubs = {}
    for service in (metering.METERING_SERVICE, metering.ENTITLEMENT_SERVICE):
        stub = Stubber(metering.client_for(service))
        stub.activate()
        stubs[service] = stub
    yield stubs
    for stub in stubs.values():
        stub.deactivate()
    metering.clients_forget()


RESOLVED = {
    "CustomerAWSAccountId": ACCOUNT_ID,
    "LicenseArn": LICENSE_ARN,
    "ProductCode": PRODUCT_CODE,
    "CustomerIdentifier": "legacy-cust-1",
    "Metadata": {"AgreementId": AGREEMENT_ID},
}


def test_stubbed_resolve_customer_returns_the_account_licence_and_legacy_identifier(stubbed):
    # given ResolveCustomer answers for the token
    stub = stubbed[metering.METERING_SERVICE]
    stub.add_response("resolve_customer", RESOLVED, {"RegistrationToken": "tok"})
    # when resolved
    customer = metering.resolve_customer("tok")
    # then
    assert customer == metering.ResolvedCustomer(
        customer_aws_account_id=ACCOUNT_ID,
        license_arn=LICENSE_ARN,
        product_code=PRODUCT_CODE,
        customer_identifier="legacy-cust-1",
        agreement_id=AGREEMENT_ID,
    )
    stub.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("code", "raised"),
    [
        ("InvalidTokenException", metering.TokenInvalid),
        ("ExpiredTokenException", metering.TokenExpired),
        ("ThrottlingException", metering.MarketplaceUnavailable),
        ("InternalServiceErrorException", metering.MarketplaceUnavailable),
        ("DisabledApiException", metering.MarketplaceUnavailable),
    ],
)
def test_stubbed_resolve_customer_errors_map_to_three_outcomes(stubbed, code, raised):
    stub = stubbed[metering.METERING_SERVICE]
    # standard retry mode retries throttling/internal errors once: queue both attempts
    for _ in range(2):
        stub.add_client_error("resolve_customer", service_error_code=code, http_status_code=400)
    with pytest.raises(raised):
        metering.resolve_customer("tok")


def test_a_token_for_another_product_is_invalid(stubbed):
    stubbed[metering.METERING_SERVICE].add_response("resolve_customer", {**RESOLVED, "ProductCode": "prod-other"})
    with pytest.raises(metering.TokenInvalid):
        metering.resolve_customer("tok")


@pytest.mark.parametrize("token", ["", "x" * (metering.MAX_TOKEN_LENGTH + 1)])
def test_an_empty_or_oversized_token_is_refused_without_a_call(stubbed, token):
    with pytest.raises(metering.TokenInvalid):
        metering.resolve_customer(token)
    stubbed[metering.METERING_SERVICE].assert_no_pending_responses()


def test_stubbed_get_entitlements_pages_through_an_empty_page_with_a_next_token(stubbed):
    # given three pages, the middle one empty but with a NextToken
    stub = stubbed[metering.ENTITLEMENT_SERVICE]
    later = datetime.now(UTC) + timedelta(days=30)
    filters = {"CUSTOMER_AWS_ACCOUNT_ID": [ACCOUNT_ID], "LICENSE_ARN": [LICENSE_ARN]}
    base = {"ProductCode": PRODUCT_CODE, "Filter": filters, "MaxResults": 25}
    stub.add_response(
        "get_entitlements",
        {"Entitlements": [{"Dimension": "users", "Value": {"IntegerValue": 10}, "ExpirationDate": later}], "NextToken": "a"},
        base,
    )
    stub.add_response("get_entitlements", {"Entitlements": [], "NextToken": "b"}, {**base, "NextToken": "a"})
    stub.add_response(
        "get_entitlements",
        {"Entitlements": [{"Dimension": "tier", "Value": {"StringValue": "gold"}}]},
        {**base, "NextToken": "b"},
    )
    # when
    found = metering.get_entitlements(product_code=PRODUCT_CODE, customer_aws_account_id=ACCOUNT_ID, license_arn=LICENSE_ARN)
    # then every page was read
    assert [(e.dimension, e.value) for e in found] == [("users", 10), ("tier", "gold")]
    assert found[0].expires_at is not None
    assert metering.entitlements_current(found, now=datetime.now(UTC))
    stub.assert_no_pending_responses()


def test_expired_entitlements_are_not_current():
    past = datetime.now(UTC) - timedelta(days=1)
    assert not metering.entitlements_current([metering.Entitlement("users", 1, past)], now=datetime.now(UTC))
    assert not metering.entitlements_current([], now=datetime.now(UTC))


def test_stubbed_get_entitlements_throttled_is_unavailable(stubbed):
    stub = stubbed[metering.ENTITLEMENT_SERVICE]
    for _ in range(2):
        stub.add_client_error("get_entitlements", service_error_code="ThrottlingException", http_status_code=400)
    with pytest.raises(metering.MarketplaceUnavailable):
        metering.get_entitlements(product_code=PRODUCT_CODE, customer_identifier="legacy-cust-1")


# --- boto3 against the local fake on 127.0.0.1 --------------------------------------------------------


def test_boto3_resolves_a_valid_token_at_the_overridden_endpoint(aws_settings, fake_aws):
    # given the fake knows the token
    fake_aws.customer("valid-token")
    # when resolved through boto3 at AWS_MARKETPLACE_ENDPOINT_URL
    customer = metering.resolve_customer("valid-token")
    # then the answer came from the fake
    assert customer.customer_aws_account_id == ACCOUNT_ID
    assert customer.license_arn == LICENSE_ARN
    assert customer.customer_identifier == ""
    assert fake_aws.calls == [("AWSMPMeteringService.ResolveCustomer", {"RegistrationToken": "valid-token"})]


def test_boto3_expired_and_invalid_tokens_are_told_apart(aws_settings, fake_aws):
    fake_aws.expired.add("old-token")
    with pytest.raises(metering.TokenExpired):
        metering.resolve_customer("old-token")
    with pytest.raises(metering.TokenInvalid):
        metering.resolve_customer("unknown-token")


def test_boto3_retries_one_throttle_then_succeeds(aws_settings, fake_aws):
    # given the fake throttles the first call only
    fake_aws.customer("valid-token")
    fake_aws.throttle = 1
    # when / then boto3's standard retry gets through
    assert metering.resolve_customer("valid-token").license_arn == LICENSE_ARN
    assert len(fake_aws.calls) == 2


def test_boto3_persistent_throttling_is_unavailable(aws_settings, fake_aws):
    fake_aws.customer("valid-token")
    fake_aws.throttle = 10
    with pytest.raises(metering.MarketplaceUnavailable):
        metering.resolve_customer("valid-token")
    assert len(fake_aws.calls) == 2  # max_attempts


def test_boto3_get_entitlements_follows_the_fake_pages(aws_settings, fake_aws):
    fake_aws.entitlement_pages = [[{"Dimension": "users", "Value": {"IntegerValue": 5}}], [], [{"Dimension": "x", "Value": {"BooleanValue": True}}]]
    found = metering.get_entitlements(product_code=PRODUCT_CODE, customer_aws_account_id=ACCOUNT_ID, license_arn=LICENSE_ARN)
    assert [(e.dimension, e.value) for e in found] == [("users", 5), ("x", True)]
    assert [target for target, _body in fake_aws.calls] == ["AWSMPEntitlementService.GetEntitlements"] * 3


def test_an_unreachable_endpoint_is_unavailable(aws_settings):
    aws_settings.AWS_MARKETPLACE_ENDPOINT_URL = "http://127.0.0.1:9"
    with pytest.raises(metering.MarketplaceUnavailable):
        metering.resolve_customer("valid-token")


@pytest.mark.parametrize(
    "override",
    [{"CustomerAWSAccountId": "12345abc"}, {"CustomerAWSAccountId": "1" * 129}, {"LicenseArn": "arn:" + "x" * 253}],
)
def test_an_answer_the_columns_cannot_hold_is_refused(stubbed, override):
    stubbed[metering.METERING_SERVICE].add_response("resolve_customer", {**RESOLVED, **override})
    with pytest.raises(metering.TokenInvalid):
        metering.resolve_customer("tok")
