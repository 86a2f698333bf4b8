"""/marketplace/aws/events: the relay HMAC (SPEC §12) and the EventBridge lifecycle."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest

from billing_center.cloud.models import CloudAccount, CloudAccountState, InboxEvent
from billing_center.cloud.vendors.aws import eventbridge, services
from billing_center.cloud.vendors.aws.metering import ResolvedCustomer
from tests.cloud.aws.conftest import RELAY_SECRET
from tests.cloud.aws.support import ACCOUNT_ID, AGREEMENT_ID, LICENSE_ARN, PRODUCT_CODE

pytestmark = pytest.mark.django_db

S = CloudAccountState
EVENTS = "/marketplace/aws/events"


def envelope(detail_type: str, *, event_id: str, minute: int, detail: dict | None = None) -> dict:
    return {
        "version": "0",
        "id": event_id,
        "detail-type": detail_type,
        "source": "aws.agreement-marketplace",
        "account": "999999999999",
        "time": f"2026-12-06T10:{minute:02d}:00Z",
        "region": "us-east-1",
        "resources": [f"arn:aws:aws-marketplace:us-east-1:999999999999:AWSMarketplace/Agreement/{AGREEMENT_ID}"],
        "detail": detail if detail is not None else {"agreement": {"id": AGREEMENT_ID, "status": "ACTIVE", "intent": "NEW"}},
    }


def license_detail() -> dict:
    # The documentation's example prints the licence ARN without its "arn:" prefix.
    return {
        "product": {"code": PRODUCT_CODE, "id": "prod-id"},
        "license": {"arn": LICENSE_ARN.removeprefix("arn:")},
        "agreement": {"id": AGREEMENT_ID},
        "acceptor": {"accountId": ACCOUNT_ID},
    }


def send(client, event: dict, *, secret: str = RELAY_SECRET, timestamp: str | None = None, body: bytes | None = None):
    raw = body if body is not None else json.dumps(event).encode()
    stamp = timestamp or str(int(time.time()))
    return client.post(
        EVENTS,
        raw,
        content_type="application/json",
        HTTP_X_BC_TIMESTAMP=stamp,
        HTTP_X_BC_SIGNATURE=eventbridge.relay_signature(secret, stamp, raw),
    )


def registered() -> CloudAccount:
    customer = ResolvedCustomer(ACCOUNT_ID, LICENSE_ARN, PRODUCT_CODE, "", AGREEMENT_ID)
    return services.aws_registration_create(customer=customer, free_trial=False, entitlements=None).cloud_account


def state() -> str:
    return CloudAccount.objects.get().state


def test_the_relay_signature_is_hmac_sha256_of_timestamp_dot_body():
    # given the SPEC §12 definition, computed independently
    import hashlib
    import hmac

    expected = hmac.new(b"k", b"1700000000.{}", hashlib.sha256).hexdigest()
    # when / then
    assert eventbridge.relay_signature("k", "1700000000", b"{}") == f"sha256={expected}"


def test_agreement_created_activates_and_ended_starts_cancelling_and_deprovisioned_cancels(client, aws_settings, fake_aws):
    # given a registered subscription
    registered()
    # when the agreement is created
    assert send(client, envelope("Purchase Agreement Created - Manufacturer", event_id="e-1", minute=1)).status_code == 200
    assert state() == S.ACTIVE
    # when the licence is updated (current entitlements)
    fake_aws.entitlement_pages = [[{"Dimension": "users", "Value": {"IntegerValue": 3}}]]
    send(client, envelope("License Updated - Manufacturer", event_id="e-2", minute=2, detail=license_detail()))
    assert CloudAccount.objects.get().vendor_data["entitlements"][0]["value"] == 3
    # when the agreement ends
    ended = {"agreement": {"id": AGREEMENT_ID, "status": "CANCELLED"}}
    send(client, envelope("Purchase Agreement Ended - Manufacturer", event_id="e-3", minute=3, detail=ended))
    assert state() == S.CANCELLING
    assert CloudAccount.objects.get().vendor_data["final_usage_deadline"] == "2026-12-06T11:03:00+00:00"
    # when the licence is deprovisioned
    send(client, envelope("License Deprovisioned - Manufacturer", event_id="e-4", minute=4, detail=license_detail()))
    # then
    assert state() == S.CANCELLED


def test_a_redelivered_event_changes_nothing_more(client, aws_settings):
    registered()
    first = send(client, envelope("Purchase Agreement Created - Proposer", event_id="e-1", minute=1))
    before = CloudAccount.objects.get()
    again = send(client, envelope("Purchase Agreement Created - Proposer", event_id="e-1", minute=1))
    assert again.json() == first.json()
    assert CloudAccount.objects.get().updated_at == before.updated_at
    assert InboxEvent.objects.count() == 1


def test_an_older_created_never_reopens_a_deprovisioned_licence(client, aws_settings):
    registered()
    send(client, envelope("License Deprovisioned - Manufacturer", event_id="e-9", minute=9, detail=license_detail()))
    send(client, envelope("Purchase Agreement Created - Manufacturer", event_id="e-1", minute=1))
    assert state() == S.CANCELLED


def test_an_informational_event_is_recorded_without_change(client, aws_settings):
    registered()
    detail = {"agreement": {"id": AGREEMENT_ID}, "daysBeforeEndTime": 30}
    send(client, envelope("Purchase Agreement Ending - Manufacturer", event_id="e-1", minute=1, detail=detail))
    assert state() == S.PENDING
    assert InboxEvent.objects.get().result == {"ignored": "informational"}


def test_an_agreement_event_before_registration_applies_at_registration(client, aws_settings):
    send(client, envelope("Purchase Agreement Created - Manufacturer", event_id="e-1", minute=1))
    assert InboxEvent.objects.get().result["unmatched"]["agreement_id"] == AGREEMENT_ID
    registered()
    assert state() == S.ACTIVE


@pytest.mark.parametrize(
    ("secret", "timestamp_shift", "status"),
    [
        ("wrong-secret", 0, 403),
        (RELAY_SECRET, -301, 403),
        (RELAY_SECRET, 301, 403),
    ],
)
def test_a_wrong_key_or_stale_timestamp_is_refused_with_nothing_stored(client, aws_settings, secret, timestamp_shift, status):
    registered()
    stamp = str(int(time.time()) + timestamp_shift)
    response = send(client, envelope("Purchase Agreement Created - Manufacturer", event_id="e-1", minute=1), secret=secret, timestamp=stamp)
    assert response.status_code == status
    assert not InboxEvent.objects.exists()
    assert state() == S.PENDING


def test_a_tampered_body_is_refused(client, aws_settings):
    raw = json.dumps(envelope("Purchase Agreement Created - Manufacturer", event_id="e-1", minute=1)).encode()
    stamp = str(int(time.time()))
    response = client.post(
        EVENTS,
        raw.replace(b"ACTIVE", b"ACTIVF"),
        content_type="application/json",
        HTTP_X_BC_TIMESTAMP=stamp,
        HTTP_X_BC_SIGNATURE=eventbridge.relay_signature(RELAY_SECRET, stamp, raw),
    )
    assert response.status_code == 403
    assert not InboxEvent.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_X_BC_TIMESTAMP": "1700000000"},
        {"HTTP_X_BC_TIMESTAMP": "soon", "HTTP_X_BC_SIGNATURE": "sha256=" + "0" * 64},
        {"HTTP_X_BC_TIMESTAMP": "1700000000", "HTTP_X_BC_SIGNATURE": "md5=abc"},
        {"HTTP_X_BC_TIMESTAMP": "1700000000", "HTTP_X_BC_SIGNATURE": "sha256=" + "G" * 64},
    ],
)
def test_missing_or_malformed_signature_headers_are_refused(client, aws_settings, headers):
    response = client.post(EVENTS, b"{}", content_type="application/json", **headers)
    assert response.status_code == 403
    assert not InboxEvent.objects.exists()


@pytest.mark.parametrize(
    "event",
    [
        {"source": "aws.other", "id": "x", "detail-type": "d", "time": "2026-12-06T10:00:00Z", "detail": {}},
        {"source": "aws.agreement-marketplace", "detail-type": "d", "time": "2026-12-06T10:00:00Z", "detail": {}},
        {"source": "aws.agreement-marketplace", "id": "x", "detail-type": "d", "time": "yesterday", "detail": {}},
        {"source": "aws.agreement-marketplace", "id": "x", "detail-type": "d", "time": "2026-12-06T10:00:00", "detail": {}},
        {"source": "aws.agreement-marketplace", "id": "x", "detail-type": "d", "time": "2026-12-06T10:00:00Z", "detail": []},
        {"source": "aws.agreement-marketplace", "id": "x", "detail-type": "d", "time": "0001-01-01T00:00:00+05:00", "detail": {}},
        {"source": "aws.agreement-marketplace", "id": "x", "detail-type": "d", "time": "9999-12-31T23:59:59-05:00", "detail": {}},
        {"source": "aws.agreement-marketplace", "id": "x", "detail-type": "d", "time": 1733480000, "detail": {}},
    ],
)
def test_a_correctly_signed_but_malformed_event_is_refused(client, aws_settings, event):
    response = send(client, event)
    assert response.status_code == 400
    assert not InboxEvent.objects.exists()


def test_relay_verify_compares_at_the_window_edges():
    now = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    stamp = str(int(now.timestamp()) - 300)
    body = b"{}"
    eventbridge.relay_verify(secret="k", timestamp=stamp, signature=eventbridge.relay_signature("k", stamp, body), body=body, now=now)
    late = str(int(now.timestamp()) - 301)
    with pytest.raises(eventbridge.RelayRejected):
        eventbridge.relay_verify(secret="k", timestamp=late, signature=eventbridge.relay_signature("k", late, body), body=body, now=now)


@pytest.mark.parametrize("raw", [b'{"id": "x\\u0000"}', b'{"id": "\\ud800"}'])
def test_a_signed_body_the_database_could_not_store_is_refused(client, aws_settings, raw):
    # given NUL or a lone surrogate inside a correctly signed body (PostgreSQL's jsonb refuses both)
    event = json.loads(raw)
    event.update({"source": "aws.agreement-marketplace", "detail-type": "d", "time": "2026-12-06T10:00:00Z", "detail": {"k": event.pop("id")}, "id": "e-1"})
    body = json.dumps(event).encode()
    # when / then it is refused, nothing stored
    assert send(client, event, body=body).status_code == 400
    assert not InboxEvent.objects.exists()


def test_an_oversized_body_is_refused_as_a_bad_request(client, aws_settings):
    raw = b"{" + b" " * eventbridge.MAX_BODY_BYTES + b"}"
    response = send(client, {}, body=raw)
    assert response.status_code == 400
    assert not InboxEvent.objects.exists()
