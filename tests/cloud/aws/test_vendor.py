"""The AWS vendor in the registry and in `billing-center check`."""

from __future__ import annotations

from billing_center.cloud.checks import marketplace_vendors
from billing_center.cloud.vendors import vendor_get


def messages_for_aws() -> list[str]:
    return [m.msg for m in marketplace_vendors(None) if "Marketplace aws" in m.msg]


def test_check_says_aws_is_off_without_a_product_code(settings):
    settings.AWS_MARKETPLACE_PRODUCT_CODE = ""
    assert messages_for_aws() == ["Marketplace aws: not configured, its endpoints answer 404."]


def test_check_names_the_missing_lifecycle_channel(settings):
    settings.AWS_MARKETPLACE_PRODUCT_CODE = "prod-x"
    settings.AWS_SNS_TOPIC_ARNS = ["arn:aws:sns:us-east-1:1:t"]
    settings.AWS_EVENTS_RELAY_SECRET = ""
    assert messages_for_aws() == ["Marketplace aws: configured, but AWS_EVENTS_RELAY_SECRET missing."]


def test_check_says_aws_is_configured(settings):
    settings.AWS_MARKETPLACE_PRODUCT_CODE = "prod-x"
    settings.AWS_SNS_TOPIC_ARNS = ["arn:aws:sns:us-east-1:1:t"]
    settings.AWS_EVENTS_RELAY_SECRET = "k"
    vendor = vendor_get("aws")
    assert vendor is not None and vendor.configured()
    assert messages_for_aws() == ["Marketplace aws: configured."]
