"""SNS lifecycle through /marketplace/aws/sns: in order, out of order, retried; terminal states hold."""

from __future__ import annotations

import json

import pytest

from billing_center.cloud.inbox import inbox_retry
from billing_center.cloud.models import CloudAccount, CloudAccountState, InboxEvent, InboxStatus
from billing_center.cloud.vendors.aws import services, sns
from billing_center.cloud.vendors.aws.metering import ResolvedCustomer
from tests.cloud.aws.support import (
    ACCOUNT_ID,
    AGREEMENT_ID,
    ENTITLEMENT_TOPIC,
    LICENSE_ARN,
    PRODUCT_CODE,
    TOPIC,
    notification,
    subscription_confirmation,
)

pytestmark = pytest.mark.django_db

S = CloudAccountState
SNS = "/marketplace/aws/sns"
CUSTOMER = "legacy-cust-1"


def at(minute: int) -> str:
    return f"2026-12-06T10:{minute:02d}:00.000Z"


def post(client, signer, fields: dict[str, str], *, version: str = "2"):
    signed = signer.sign(fields, version=version)
    return client.post(
        SNS, json.dumps(signed), content_type="text/plain; charset=UTF-8", HTTP_X_AMZ_SNS_MESSAGE_TYPE=fields["Type"]
    )


def action(client, signer, name: str, *, minute: int, message_id: str | None = None, **extra: str):
    payload = {"action": name, "customer-identifier": CUSTOMER, "product-code": PRODUCT_CODE, **extra}
    topic = ENTITLEMENT_TOPIC if name == "entitlement-updated" else TOPIC
    return post(client, signer, notification(payload, message_id=message_id or f"{name}-{minute}", topic=topic, timestamp=at(minute)))


def registered() -> CloudAccount:
    customer = ResolvedCustomer(
        customer_aws_account_id=ACCOUNT_ID,
        license_arn=LICENSE_ARN,
        product_code=PRODUCT_CODE,
        customer_identifier=CUSTOMER,
        agreement_id=AGREEMENT_ID,
    )
    return services.aws_registration_create(customer=customer, free_trial=False, entitlements=None).cloud_account


def state() -> str:
    return CloudAccount.objects.get().state


def test_the_whole_lifecycle_in_order(client, aws_settings, signer):
    # given a registered (pending) subscription
    registered()
    # when AWS sends subscribe-success, unsubscribe-pending, unsubscribe-success
    assert action(client, signer, "subscribe-success", minute=1, **{"isFreeTrialTermPresent": "true", "offer-identifier": "offer-1"}).status_code == 200
    assert state() == S.ACTIVE
    assert CloudAccount.objects.get().trial is True
    assert CloudAccount.objects.get().vendor_data["offer_id"] == "offer-1"
    action(client, signer, "unsubscribe-pending", minute=2)
    assert state() == S.CANCELLING
    assert CloudAccount.objects.get().vendor_data["final_usage_deadline"] == "2026-12-06T11:02:00+00:00"
    action(client, signer, "unsubscribe-success", minute=3)
    # then each step moved the one state machine, recorded with its time
    cloud_account = CloudAccount.objects.get()
    assert cloud_account.state == S.CANCELLED
    assert set(cloud_account.transitions) == {"pending", "active", "cancelling", "cancelled"}
    assert cloud_account.transitions["cancelled"] == "2026-12-06T10:03:00+00:00"
    rows = InboxEvent.objects.order_by("id")
    assert [row.action for row in rows] == ["subscribe-success", "unsubscribe-pending", "unsubscribe-success"]
    assert rows[1].result["state"] == ["active", "cancelling"]


def test_subscribe_fail_ends_in_failed_and_a_later_success_is_ignored(client, aws_settings, signer):
    registered()
    action(client, signer, "subscribe-fail", minute=1)
    assert state() == S.FAILED
    action(client, signer, "subscribe-success", minute=2)
    assert state() == S.FAILED
    assert InboxEvent.objects.get(action="subscribe-success").result["ignored"] == "terminal_state"


def test_a_resubscribe_while_cancelling_brings_it_back(client, aws_settings, signer):
    registered()
    action(client, signer, "subscribe-success", minute=1)
    action(client, signer, "unsubscribe-pending", minute=2)
    action(client, signer, "subscribe-success", minute=3)
    assert state() == S.ACTIVE


def test_out_of_order_an_older_event_never_overrides_a_newer_terminal_state(client, aws_settings, signer):
    # given the unsubscribe-success (10:05) arrives before the subscribe-success (10:01)
    registered()
    action(client, signer, "unsubscribe-success", minute=5)
    assert state() == S.CANCELLED
    # when the older events arrive late
    action(client, signer, "subscribe-success", minute=1)
    action(client, signer, "unsubscribe-pending", minute=4)
    # then the terminal state holds and the late events are recorded as ignored
    assert state() == S.CANCELLED
    ignored = InboxEvent.objects.filter(action__in=["subscribe-success", "unsubscribe-pending"])
    assert {row.result["ignored"] for row in ignored} == {"stale_event"}
    assert all(row.status == InboxStatus.PROCESSED for row in ignored)


def test_a_retried_delivery_gets_the_same_answer_and_changes_nothing(client, aws_settings, signer):
    # given a processed subscribe-success
    registered()
    first = action(client, signer, "subscribe-success", minute=1, message_id="m-1")
    cloud_account = CloudAccount.objects.get()
    # when SNS redelivers the same MessageId (v1 signature this time), three times
    for _ in range(3):
        payload = {"action": "subscribe-success", "customer-identifier": CUSTOMER, "product-code": PRODUCT_CODE}
        again = post(client, signer, notification(payload, message_id="m-1", timestamp=at(1)), version="1")
        # then the answer is the stored one
        assert again.status_code == 200
        assert again.json() == first.json()
    # and no second transition happened
    after = CloudAccount.objects.get()
    assert after.transitions == cloud_account.transitions
    assert after.updated_at == cloud_account.updated_at
    assert InboxEvent.objects.count() == 1
    assert InboxEvent.objects.get().attempts == 1


def test_events_before_the_registration_are_applied_when_the_buyer_registers(client, aws_settings, signer):
    # given subscribe-success arrives before the buyer's registration
    action(client, signer, "subscribe-success", minute=1)
    row = InboxEvent.objects.get()
    assert row.result["unmatched"]["customer_identifier"] == CUSTOMER
    assert not CloudAccount.objects.exists()
    # when the buyer registers
    registered()
    # then the subscription is active at once, and the inbox row shows what it changed
    assert state() == S.ACTIVE
    row.refresh_from_db()
    assert row.result["state"] == ["pending", "active"]
    assert row.result["applied_at_registration"] is True
    assert row.cloud_account == CloudAccount.objects.get()


def test_deferred_events_apply_in_event_order(client, aws_settings, signer):
    # given unsubscribe-pending (10:02) arrives before subscribe-success (10:01), both before registration
    action(client, signer, "unsubscribe-pending", minute=2)
    action(client, signer, "subscribe-success", minute=1)
    # when the buyer registers
    registered()
    # then they applied in event order: pending → active → cancelling
    assert state() == S.CANCELLING


def test_entitlement_updated_reads_get_entitlements(client, aws_settings, signer, fake_aws):
    # given an active subscription and AWS reporting current entitlements
    registered()
    action(client, signer, "subscribe-success", minute=1)
    fake_aws.entitlement_pages = [[{"Dimension": "users", "Value": {"IntegerValue": 50}}]]
    # when entitlement-updated arrives
    action(client, signer, "entitlement-updated", minute=2)
    # then the snapshot is stored and the subscription stays active
    cloud_account = CloudAccount.objects.get()
    assert cloud_account.state == S.ACTIVE
    assert cloud_account.vendor_data["entitlements"] == [{"dimension": "users", "value": 50, "expires_at": None}]
    target, body = fake_aws.calls[-1]
    assert target == "AWSMPEntitlementService.GetEntitlements"
    assert body["Filter"] == {"CUSTOMER_AWS_ACCOUNT_ID": [ACCOUNT_ID], "LICENSE_ARN": [LICENSE_ARN]}
    # when a later entitlement-updated finds none left
    fake_aws.entitlement_pages = [[{"Dimension": "users", "Value": {"IntegerValue": 50}, "ExpirationDate": 1_000_000}]]
    action(client, signer, "entitlement-updated", minute=3)
    # then it is cancelled
    assert state() == S.CANCELLED


def test_entitlement_updated_while_aws_is_throttled_is_kept_for_a_retry(client, aws_settings, signer, fake_aws):
    # given GetEntitlements is throttled
    registered()
    action(client, signer, "subscribe-success", minute=1)
    fake_aws.throttle = 10
    # when entitlement-updated arrives
    response = action(client, signer, "entitlement-updated", minute=2, message_id="ent-1")
    # then SNS is told to redeliver, the row is kept as failed, and nothing changed
    assert response.status_code == 503
    row = InboxEvent.objects.get(dedup_key="sns:ent-1")
    assert row.status == InboxStatus.FAILED
    assert state() == S.ACTIVE
    # when AWS recovers and SNS redelivers
    fake_aws.throttle = 0
    fake_aws.entitlement_pages = []
    assert action(client, signer, "entitlement-updated", minute=2, message_id="ent-1").status_code == 200
    # then the row is processed once
    row.refresh_from_db()
    assert row.status == InboxStatus.PROCESSED
    assert state() == S.CANCELLED


def test_an_operator_can_rerun_a_failed_row(client, aws_settings, signer, fake_aws):
    registered()
    action(client, signer, "subscribe-success", minute=1)
    fake_aws.throttle = 10
    action(client, signer, "entitlement-updated", minute=2, message_id="ent-1")
    fake_aws.throttle = 0
    fake_aws.entitlement_pages = [[{"Dimension": "users", "Value": {"IntegerValue": 1}}]]
    outcome = inbox_retry(event=InboxEvent.objects.get(dedup_key="sns:ent-1"))
    assert outcome.event.status == InboxStatus.PROCESSED
    assert CloudAccount.objects.get().vendor_data["entitlements"][0]["value"] == 1


def test_another_products_notification_changes_nothing(client, aws_settings, signer):
    registered()
    payload = {"action": "subscribe-success", "customer-identifier": CUSTOMER, "product-code": "prod-other"}
    post(client, signer, notification(payload, message_id="m-x", timestamp=at(1)))
    assert state() == S.PENDING
    assert InboxEvent.objects.get().result == {"ignored": "other_product"}


def test_a_subscription_confirmation_is_confirmed_after_commit(client, aws_settings, signer, monkeypatch, django_capture_on_commit_callbacks):
    # given SNS asks us to confirm the subscription of a configured topic
    visited: list[str] = []
    monkeypatch.setattr(sns, "confirm_subscription", visited.append)
    fields = subscription_confirmation()
    # when it is delivered
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, signer, fields, version="1")
    # then the SubscribeURL is visited once, after commit
    assert response.status_code == 200
    assert visited == [fields["SubscribeURL"]]
    assert InboxEvent.objects.get().action == "SubscriptionConfirmation"


def test_a_wrong_topic_is_refused_with_nothing_stored(client, aws_settings, signer):
    registered()
    payload = {"action": "subscribe-success", "customer-identifier": CUSTOMER, "product-code": PRODUCT_CODE}
    response = post(client, signer, notification(payload, message_id="m-1", topic=TOPIC + "-other"))
    assert response.status_code == 400
    assert not InboxEvent.objects.exists()
    assert state() == S.PENDING


def test_a_tampered_message_is_refused_with_nothing_stored(client, aws_settings, signer):
    registered()
    payload = {"action": "subscribe-success", "customer-identifier": CUSTOMER, "product-code": PRODUCT_CODE}
    signed = signer.sign(notification(payload, message_id="m-1"))
    signed["Message"] = signed["Message"].replace("subscribe-success", "unsubscribe-success")
    response = client.post(SNS, json.dumps(signed), content_type="text/plain")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert not InboxEvent.objects.exists()
    assert state() == S.PENDING


def test_a_look_alike_certificate_host_is_refused_without_fetching(client, aws_settings, signer):
    payload = {"action": "subscribe-success", "customer-identifier": CUSTOMER, "product-code": PRODUCT_CODE}
    signed = signer.sign(
        notification(payload, message_id="m-1"),
        cert_url="https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-x.pem",
    )
    response = client.post(SNS, json.dumps(signed), content_type="text/plain")
    assert response.status_code == 403
    assert signer.fetched == []
    assert not InboxEvent.objects.exists()


def test_an_unreachable_certificate_host_stores_nothing_and_asks_for_redelivery(client, aws_settings, signer):
    payload = {"action": "subscribe-success", "customer-identifier": CUSTOMER, "product-code": PRODUCT_CODE}
    signed = signer.sign(notification(payload, message_id="m-1"), cert_url="https://sns.eu-west-1.amazonaws.com/x.pem")
    response = client.post(SNS, json.dumps(signed), content_type="text/plain")
    assert response.status_code == 503
    assert response.json()["code"] == "marketplace_unavailable"
    assert response["Retry-After"] == "30"
    assert not InboxEvent.objects.exists()


def test_a_call_that_raced_the_registration_is_applied_by_the_next_registration(client, aws_settings, signer):
    # given a subscription registered, and a subscribe-success left unmatched (as if it raced the registration)
    registered()
    action(client, signer, "subscribe-success", minute=1)
    row = InboxEvent.objects.get()
    CloudAccount.objects.update(state=S.PENDING, transitions={"pending": "2026-12-06T09:00:00+00:00"}, last_event_at=None)
    InboxEvent.objects.filter(pk=row.pk).update(cloud_account=None, result={"unmatched": {"customer_identifier": CUSTOMER, "event_at": "2026-12-06T10:01:00+00:00"}})
    # when the buyer registers again
    registered()
    # then the left-over call is applied
    assert state() == S.ACTIVE
    row.refresh_from_db()
    assert row.cloud_account == CloudAccount.objects.get()


@pytest.mark.parametrize(
    "missing", ["Signature", "SignatureVersion", "SigningCertURL", "MessageId", "Timestamp", "TopicArn", "Message", "Type"]
)
def test_a_delivery_missing_a_field_is_refused_with_nothing_stored(client, aws_settings, signer, missing):
    registered()
    payload = {"action": "subscribe-success", "customer-identifier": CUSTOMER, "product-code": PRODUCT_CODE}
    signed = signer.sign(notification(payload, message_id="m-1"))
    del signed[missing]
    response = client.post(SNS, json.dumps(signed), content_type="text/plain")
    assert response.status_code == 400
    assert not InboxEvent.objects.exists()
    assert state() == S.PENDING


def test_unsigned_extra_fields_such_as_unsubscribe_url_do_not_break_the_signature(client, aws_settings, signer):
    # given a notification as SNS sends it, with fields outside the signed set
    registered()
    payload = {"action": "subscribe-success", "customer-identifier": CUSTOMER, "product-code": PRODUCT_CODE}
    signed = signer.sign(notification(payload, message_id="m-1"))
    signed["UnsubscribeURL"] = "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x"
    signed["MessageAttributes"] = {"k": {"Type": "String", "Value": "v"}}
    # when / then it verifies and applies
    assert client.post(SNS, json.dumps(signed), content_type="text/plain").status_code == 200
    assert state() == S.ACTIVE


def test_a_message_with_escaped_characters_verifies_over_the_decoded_values(client, aws_settings, signer):
    # given a Message whose JSON text has quotes, a newline and non-ASCII (escaped on the wire)
    registered()
    payload = {"action": "subscribe-success", "customer-identifier": CUSTOMER, "product-code": PRODUCT_CODE, "note": "a \"b\"\n订阅"}
    signed = signer.sign(notification(payload, message_id="m-1", subject="Subject with spaces & ünïcode"))
    # when sent with ASCII escapes
    response = client.post(SNS, json.dumps(signed, ensure_ascii=True), content_type="text/plain")
    # then it verifies
    assert response.status_code == 200
    assert state() == S.ACTIVE
