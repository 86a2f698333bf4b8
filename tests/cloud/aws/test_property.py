"""Property: random bodies, parameters and headers to every AWS endpoint get no 5xx and store nothing."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing_center.cloud.models import AwsRegistration, CloudAccount, InboxEvent
from billing_center.cloud.vendors.aws import eventbridge
from tests.cloud.aws.conftest import RELAY_SECRET
from tests.cloud.aws.support import CERT_URL, TOPIC

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

text = st.text(max_size=40)
header_names = st.sampled_from(
    ["HTTP_X_AMZ_SNS_MESSAGE_TYPE", "HTTP_X_BC_TIMESTAMP", "HTTP_X_BC_SIGNATURE", "HTTP_X_FORWARDED_FOR", "HTTP_X_CUSTOM"]
)
header_values = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80)
headers = st.dictionaries(header_names, header_values, max_size=4)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=8,
)
sns_keys = st.sampled_from(
    ["Type", "MessageId", "TopicArn", "Message", "Timestamp", "Signature", "SignatureVersion", "SigningCertURL",
     "SubscribeURL", "Token", "Subject"]
)
sns_values = st.one_of(
    st.sampled_from(
        ["Notification", "SubscriptionConfirmation", TOPIC, CERT_URL, "1", "2", "2026-12-06T10:00:00.000Z",
         "http://sns.us-east-1.amazonaws.com/x.pem", "https://sns.us-east-1.amazonaws.com.evil.example/x.pem",
         "aGVsbG8=", '{"action": "subscribe-success"}', "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00",
         "2026-12-06T10:00:00+99:00", "١٢٣"]
    ),
    json_values,
)
sns_bodies = st.one_of(
    st.binary(max_size=300),
    st.dictionaries(sns_keys, sns_values, max_size=11).map(lambda d: json.dumps(d).encode()),
)


@pytest.fixture(autouse=True)
def _no_registration_limit(monkeypatch):
    """Examples share one test's rate-limit window: the per-IP limit is tested in test_register."""
    from billing_center.cloud.vendors.aws import views

    monkeypatch.setattr(views, "REGISTRATIONS_PER_IP_PER_MINUTE", 10**6)


def nothing_stored() -> bool:
    return not (CloudAccount.objects.exists() or AwsRegistration.objects.exists() or InboxEvent.objects.exists())


@PROPERTY
@given(body=sns_bodies, extra=headers)
def test_sns_never_fails_on_random_input(client, aws_settings, signer, body, extra):
    response = client.post("/marketplace/aws/sns", body, content_type="text/plain", **extra)
    assert response.status_code < 500
    assert response.status_code in (400, 403)
    assert nothing_stored()


@PROPERTY
@given(body=st.binary(max_size=300), extra=headers)
def test_events_never_fail_on_random_input(client, aws_settings, body, extra):
    response = client.post("/marketplace/aws/events", body, content_type="application/json", **extra)
    assert response.status_code in (400, 403)
    assert nothing_stored()


envelope_values = st.one_of(
    json_values,
    st.sampled_from(
        ["aws.agreement-marketplace", "Purchase Agreement Created - Manufacturer", "0001-01-01T00:00:00+05:00",
         "9999-12-31T23:59:59-05:00", "2026-12-06T10:00:00Z", "e-1"]
    ),
    st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat()),
)


@PROPERTY
@given(event=st.dictionaries(st.sampled_from(["id", "source", "detail-type", "time", "detail", "x"]), envelope_values, max_size=6))
def test_correctly_signed_random_events_never_fail(client, aws_settings, event):
    # given bodies the relay signed correctly (so they reach the envelope checks)
    raw = json.dumps(event).encode()
    stamp = str(int(time.time()))
    response = client.post(
        "/marketplace/aws/events",
        raw,
        content_type="application/json",
        HTTP_X_BC_TIMESTAMP=stamp,
        HTTP_X_BC_SIGNATURE=eventbridge.relay_signature(RELAY_SECRET, stamp, raw),
    )
    # then a malformed envelope is refused; a well-formed one for no known subscription stores only its row
    assert response.status_code < 500
    if response.status_code != 200:
        assert nothing_stored()
    else:
        assert not CloudAccount.objects.exists()
        InboxEvent.objects.all().delete()


@PROPERTY
@given(form=st.dictionaries(st.sampled_from(["x-amzn-marketplace-token", "x-amzn-marketplace-offer-type", "other"]), text, max_size=3), extra=headers)
def test_register_never_fails_on_random_input(client, aws_settings, fake_aws, form, extra):
    response = client.post("/marketplace/aws/register", form, **extra)
    assert response.status_code == 400
    assert nothing_stored()


@PROPERTY
@given(body=st.binary(max_size=200), content_type=st.sampled_from(["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain", "application/json"]))
def test_register_never_fails_on_random_bodies(client, aws_settings, fake_aws, body, content_type):
    response = client.post("/marketplace/aws/register", body, content_type=content_type)
    assert response.status_code == 400
    assert nothing_stored()


@PROPERTY
@given(key=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FFF, blacklist_characters="/?#%"), min_size=1, max_size=150))
def test_landing_never_fails_on_random_ids(client, aws_settings, key):
    from urllib.parse import quote

    response = client.get("/marketplace/aws/landing/" + quote(key, safe=""))
    assert response.status_code == 404
