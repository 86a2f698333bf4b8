from __future__ import annotations

import pytest

from billing_center.cloud.vendors.aws import metering, sns
from tests.cloud.aws.support import (
    CERT_URL,
    ENTITLEMENT_TOPIC,
    PRODUCT_CODE,
    TOPIC,
    FakeMarketplace,
    make_signer,
    serve_fake,
)

RELAY_SECRET = "relay-secret-for-tests"


@pytest.fixture
def fake_aws():
    fake = FakeMarketplace()
    server = serve_fake(fake)
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def aws_settings(settings, monkeypatch, fake_aws):
    """AWS configured against the local fake (credentials are dummies: the fake ignores SigV4)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIATESTTESTTESTTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    settings.AWS_MARKETPLACE_PRODUCT_CODE = PRODUCT_CODE
    settings.AWS_MARKETPLACE_REGION = "us-east-1"
    settings.AWS_MARKETPLACE_ENDPOINT_URL = fake_aws.url
    settings.AWS_SNS_TOPIC_ARNS = [TOPIC, ENTITLEMENT_TOPIC]
    settings.AWS_EVENTS_RELAY_SECRET = RELAY_SECRET
    metering.clients_forget()
    yield settings
    metering.clients_forget()


@pytest.fixture
def signer(monkeypatch):
    """A test SNS certificate served for CERT_URL instead of the network."""
    from django.core.cache import cache

    test_signer = make_signer()
    fetched: list[str] = []

    def download(url: str) -> bytes:
        fetched.append(url)
        if url != CERT_URL:
            raise sns.SnsRejected("certificate_unavailable")
        return test_signer.pem

    sns.certificates_forget()
    cache.clear()
    monkeypatch.setattr(sns, "download_certificate", download)
    test_signer.fetched = fetched  # type: ignore[attr-defined]
    yield test_signer
    sns.certificates_forget()
