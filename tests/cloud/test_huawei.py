"""Huawei KooGallery V2 and V1 endpoints: rejections (nothing stored), probes, lifecycles, retries."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

import pytest
import time_machine

from billing_center.cloud.inbox import inbox_retry
from billing_center.cloud.models import CloudAccount, InboxEvent, InboxStatus
from billing_center.cloud.vendors.huawei.signing import aes_encrypt, v1_auth_token, v2_signature
from tests.cloud.conftest import HUAWEI_KEY, HuaweiMarketplace, body_sign_ok, nothing_stored, order_answer

pytestmark = pytest.mark.django_db

ORDER, LINE = "CS1906666666ABCDE", "CS1906666666ABCDE-000001"


def new_instance(business_id: str = "biz-1", **extra: str) -> dict[str, str]:
    return {"activity": "newInstance", "orderId": ORDER, "orderLineId": LINE, "businessId": business_id, **extra}


@pytest.fixture
def order(koogallery):
    koogallery.orders[(ORDER, LINE)] = order_answer(ORDER, LINE, customerId="hw-buyer-42")
    return koogallery


def code(response) -> str:
    return response.json()["resultCode"]


def test_answers_404_while_the_key_is_missing(settings, db, client):
    settings.HUAWEI_MARKETPLACE_ACCESS_KEY = ""
    market = HuaweiMarketplace(client)
    assert client.post("/marketplace/huawei/v2", data=b"{}", content_type="application/json").status_code == 404
    assert market.client.get("/marketplace/huawei/v1?activity=queryInstance").status_code == 404
    assert nothing_stored()


def test_new_instance_records_the_buyer_from_query_order(huawei, order):
    # when KooGallery orders a new instance
    response = huawei.v2(**new_instance())
    # then the answer is signed, carries our instanceId (the first businessId), and the buyer comes from Query Order
    assert response.status_code == 200 and body_sign_ok(response)
    assert response.json() == {"resultCode": "000000", "resultMsg": "success", "instanceId": "biz-1"}
    account = CloudAccount.objects.get()
    assert (account.vendor, account.instance_id, account.vendor_account_id) == ("huawei", "biz-1", "hw-buyer-42")
    assert account.state == "active"
    assert account.expires_at == datetime(2027, 12, 1, tzinfo=UTC)
    assert account.vendor_data["skuCode"] == "sku-basic" and account.vendor_data["guideVersion"] == "v2"
    assert order.requests[0]["query"] == urlencode({"orderId": ORDER, "orderLineId": LINE})
    row = InboxEvent.objects.get()
    assert row.status == InboxStatus.PROCESSED
    # the request is kept as received: the raw body and the signature parameters
    assert json.loads(row.request["received"]["body"]) == new_instance()
    assert set(row.request["received"]["query"]) == {"signature", "timestamp", "nonce"}


def test_retried_new_instance_gets_the_same_instance_id(huawei, order):
    first = huawei.v2(**new_instance("biz-1")).json()
    # KooGallery's retries send a fresh businessId (and nonce, timestamp)
    again = huawei.v2(**new_instance("biz-2")).json()
    assert again == first
    assert CloudAccount.objects.count() == 1 and InboxEvent.objects.count() == 1
    assert len(order.requests) == 1


def test_query_order_failure_is_kept_and_the_retry_processes_it(huawei, order):
    order.fail_next = 1
    response = huawei.v2(**new_instance("biz-1"))
    assert code(response) == "000005"
    row = InboxEvent.objects.get()
    assert row.status == InboxStatus.FAILED and "QueryOrderFailed" in row.error
    assert not CloudAccount.objects.exists()
    retried = huawei.v2(**new_instance("biz-2"))
    assert retried.json()["instanceId"] == "biz-1"
    row.refresh_from_db()
    assert row.status == InboxStatus.PROCESSED and row.attempts == 2


def test_an_operator_rerun_processes_a_failed_row(huawei, order):
    order.fail_next = 1
    huawei.v2(**new_instance("biz-1"))
    outcome = inbox_retry(event=InboxEvent.objects.get())
    assert outcome.response["instanceId"] == "biz-1"
    assert CloudAccount.objects.get().state == "active"


# --- rejections (V2): each answered with a signed 000001/000002 and nothing stored ---


def test_wrong_key(huawei, order):
    response = huawei.v2_raw(json.dumps(new_instance()).encode(), key="not-the-key")
    assert code(response) == "000001"
    assert nothing_stored()


@pytest.mark.parametrize("missing", ["signature", "timestamp", "nonce"])
def test_missing_signature_parameter(huawei, order, client, missing):
    body = json.dumps(new_instance()).encode()
    timestamp, nonce = str(int(time.time() * 1000)), "n-1"
    query = {"signature": v2_signature(access_key=HUAWEI_KEY, nonce=nonce, timestamp=timestamp, body=body), "timestamp": timestamp, "nonce": nonce}
    del query[missing]
    response = client.post(f"/marketplace/huawei/v2?{urlencode(query)}", data=body, content_type="application/json")
    assert code(response) == "000001" and body_sign_ok(response)
    assert nothing_stored()


def test_missing_body_field_even_when_signed(huawei, order):
    fields = new_instance()
    del fields["orderLineId"]
    assert code(huawei.v2(**fields)) == "000002"
    assert nothing_stored()


def test_extra_url_parameter(huawei, order):
    response = huawei.v2_raw(json.dumps(new_instance()).encode(), extra_query="&debug=1")
    assert code(response) == "000002"
    assert nothing_stored()


def test_extra_or_tampered_body_after_signing(huawei, order):
    body = json.dumps(new_instance()).encode()
    timestamp, nonce = str(int(time.time() * 1000)), "n-2"
    signature = v2_signature(access_key=HUAWEI_KEY, nonce=nonce, timestamp=timestamp, body=body)
    extra = json.dumps({**new_instance(), "surprise": "1"}).encode()
    tampered = body.replace(b"biz-1", b"biz-9")
    for changed in (extra, tampered, body + b" "):
        response = huawei.v2_raw(changed, timestamp=timestamp, nonce=nonce, signature=signature)
        assert code(response) == "000001"
    assert nothing_stored()


def test_tampered_timestamp_or_nonce(huawei, order):
    body = json.dumps(new_instance()).encode()
    timestamp = str(int(time.time() * 1000))
    signature = v2_signature(access_key=HUAWEI_KEY, nonce="n-3", timestamp=timestamp, body=body)
    assert code(huawei.v2_raw(body, timestamp=timestamp, nonce="n-4", signature=signature)) == "000001"
    assert code(huawei.v2_raw(body, timestamp=str(int(timestamp) + 1), nonce="n-3", signature=signature)) == "000001"
    assert nothing_stored()


@pytest.mark.parametrize("offset_seconds", [-61, 61, -3600])
def test_stale_or_future_timestamp(huawei, order, offset_seconds):
    timestamp = str(int((time.time() + offset_seconds) * 1000))
    assert code(huawei.v2_raw(json.dumps(new_instance()).encode(), timestamp=timestamp)) == "000001"
    assert nothing_stored()


@pytest.mark.parametrize("timestamp", ["9999999999999999", "0", "1700000000", "\uff11\uff17" + "\uff10" * 11, "-1"])
def test_unreadable_or_far_off_timestamp(huawei, order, timestamp):
    assert code(huawei.v2_raw(json.dumps(new_instance()).encode(), timestamp=timestamp)) == "000001"
    assert nothing_stored()


def test_replayed_nonce_is_refused(huawei, order):
    body = json.dumps({"activity": "queryInstance", "instanceId": "x", "testFlag": "1"}).encode()
    timestamp = str(int(time.time() * 1000))
    assert code(huawei.v2_raw(body, timestamp=timestamp, nonce="once")) == "000000"
    # the identical, validly signed request again
    assert code(huawei.v2_raw(body, timestamp=timestamp, nonce="once")) == "000001"
    new_body = json.dumps(new_instance()).encode()
    assert code(huawei.v2_raw(new_body, nonce="once")) == "000001"
    assert nothing_stored()


def test_url_encoded_nonce_is_signed_decoded(huawei, order, client):
    body = json.dumps(new_instance()).encode()
    timestamp, nonce = str(int(time.time() * 1000)), "a b+c/d=="
    signature = v2_signature(access_key=HUAWEI_KEY, nonce=nonce, timestamp=timestamp, body=body)
    query = f"signature={signature}&timestamp={timestamp}&nonce={quote(nonce, safe='')}"
    response = client.post(f"/marketplace/huawei/v2?{query}", data=body, content_type="application/json")
    assert code(response) == "000000"


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1,2]", b'{"activity":"dance"}', b'{"activity":"newInstance","orderId":"a\\u0000b","orderLineId":"l","businessId":"b"}', b"\xff\xfe"],
)
def test_bad_bodies(huawei, order, body):
    assert code(huawei.v2_raw(body)) == "000002"
    assert nothing_stored()


def test_bad_field_values(huawei, order):
    assert code(huawei.v2(activity="updateInstanceStatus", instanceId="biz-1", status="MELT")) == "000002"
    assert code(huawei.v2(**new_instance(expireTime="00010101000000"))) == "000002"
    assert code(huawei.v2(activity="refreshInstance", instanceId="biz-1", orderId="o", orderLineId="l", scene="X")) == "000002"
    assert nothing_stored()


def test_get_is_not_allowed(huawei, client):
    assert client.get("/marketplace/huawei/v2").status_code == 405


# --- probes ---


def test_test_flag_probes_are_answered_without_a_subscription(huawei, order):
    created = huawei.v2(**new_instance(testFlag="1"))
    assert code(created) == "000000" and created.json()["instanceId"].startswith("test-")
    again = huawei.v2(**new_instance("other-biz", testFlag="1"))
    assert again.json()["instanceId"] == created.json()["instanceId"]
    instance_id = created.json()["instanceId"]
    queried = huawei.v2(activity="queryInstance", instanceId=instance_id, testFlag="1").json()
    assert queried["info"][0]["instanceId"] == instance_id and queried["info"][0]["appInfo"]["frontEndUrl"]
    for fields in (
        {"activity": "updateInstanceStatus", "instanceId": instance_id, "status": "FREEZE"},
        {"activity": "upgradeInstance", "instanceId": instance_id, "orderId": "o2", "orderLineId": "o2-1"},
        {"activity": "refreshInstance", "instanceId": instance_id, "orderId": "o3", "orderLineId": "o3-1", "scene": "RENEWAL"},
        {"activity": "releaseInstance", "instanceId": instance_id},
    ):
        assert code(huawei.v2(**fields, testFlag="1")) == "000000"
    assert nothing_stored()
    assert order.requests == []


# --- lifecycle ---


def test_whole_lifecycle_in_order(huawei, order):
    iid = huawei.v2(**new_instance()).json()["instanceId"]
    assert huawei.v2(activity="queryInstance", instanceId=iid).json()["info"][0]["instanceId"] == iid
    refresh = {"activity": "refreshInstance", "instanceId": iid, "orderId": "R-1", "orderLineId": "R-1-000001", "scene": "RENEWAL", "expireTime": "20281201000000"}
    assert code(huawei.v2(**refresh)) == "000000"
    assert CloudAccount.objects.get().expires_at == datetime(2028, 12, 1, tzinfo=UTC)
    assert code(huawei.v2(activity="updateInstanceStatus", instanceId=iid, status="FREEZE")) == "000000"
    assert CloudAccount.objects.get().state == "suspended"
    assert code(huawei.v2(activity="updateInstanceStatus", instanceId=iid, status="UNFREEZE")) == "000000"
    assert CloudAccount.objects.get().state == "active"
    assert code(huawei.v2(activity="updateInstanceStatus", instanceId=iid, status="FREEZE")) == "000000"
    assert CloudAccount.objects.get().state == "suspended"
    order.orders[("U-1", "U-1-000001")] = order_answer("U-1", "U-1-000001", skuCode="sku-pro", productId="prod-pro")
    upgrade = {"activity": "upgradeInstance", "instanceId": iid, "orderId": "U-1", "orderLineId": "U-1-000001"}
    assert code(huawei.v2(**upgrade)) == "000000"
    account = CloudAccount.objects.get()
    assert account.vendor_data["skuCode"] == "sku-pro" and account.product == "prod-pro"
    assert code(huawei.v2(activity="releaseInstance", instanceId=iid)) == "000000"
    account = CloudAccount.objects.get()
    assert account.state == "released"
    assert set(account.transitions) == {"pending", "active", "suspended", "released"}
    # a released instance is no longer shown
    assert code(huawei.v2(activity="queryInstance", instanceId=iid)) == "000003"
    assert InboxEvent.objects.filter(status=InboxStatus.PROCESSED).count() == 7


def test_trial_to_formal_clears_the_trial(huawei, order):
    order.orders[(ORDER, LINE)] = order_answer(ORDER, LINE, orderType="TRIAL")
    iid = huawei.v2(**new_instance()).json()["instanceId"]
    assert CloudAccount.objects.get().trial is True
    order.orders[("F-1", "F-1-000001")] = order_answer("F-1", "F-1-000001", expireTime="20291201000000")
    refresh = {"activity": "refreshInstance", "instanceId": iid, "orderId": "F-1", "orderLineId": "F-1-000001", "scene": "TRIAL_TO_FORMAL"}
    assert code(huawei.v2(**refresh)) == "000000"
    account = CloudAccount.objects.get()
    assert account.trial is False and account.expires_at == datetime(2029, 12, 1, tzinfo=UTC)


def test_retries_change_nothing_more(huawei, order):
    iid = huawei.v2(**new_instance()).json()["instanceId"]
    freeze = {"activity": "updateInstanceStatus", "instanceId": iid, "status": "FREEZE"}
    first = huawei.v2(**freeze).json()
    transitions, rows = dict(CloudAccount.objects.get().transitions), InboxEvent.objects.count()
    assert huawei.v2(**freeze).json() == first
    assert CloudAccount.objects.get().transitions == transitions and InboxEvent.objects.count() == rows
    release = {"activity": "releaseInstance", "instanceId": iid}
    assert huawei.v2(**release).json() == huawei.v2(**release).json()
    assert InboxEvent.objects.filter(action="releaseInstance").count() == 1


def test_out_of_order_an_older_event_never_overrides_a_newer_terminal_state(huawei, order):
    now = datetime.now(UTC)
    with time_machine.travel(now, tick=False):
        iid = huawei.v2(**new_instance()).json()["instanceId"]
        older_freeze = json.dumps({"activity": "updateInstanceStatus", "instanceId": iid, "status": "FREEZE"}).encode()
        release = json.dumps({"activity": "releaseInstance", "instanceId": iid}).encode()
        # the release (sent at now+20 s) arrives before a freeze sent at now+10 s
        assert code(huawei.v2_raw(release, timestamp=str(int((now.timestamp() + 20) * 1000)))) == "000000"
        assert code(huawei.v2_raw(older_freeze, timestamp=str(int((now.timestamp() + 10) * 1000)))) == "000000"
    account = CloudAccount.objects.get()
    assert account.state == "released"
    assert InboxEvent.objects.get(action="updateInstanceStatus").result == {"ignored": "stale_event"}


def test_out_of_order_unfreeze_before_freeze_stays_active(huawei, order):
    now = datetime.now(UTC)
    with time_machine.travel(now, tick=False):
        iid = huawei.v2(**new_instance()).json()["instanceId"]
        unfreeze = json.dumps({"activity": "updateInstanceStatus", "instanceId": iid, "status": "UNFREEZE"}).encode()
        freeze = json.dumps({"activity": "updateInstanceStatus", "instanceId": iid, "status": "FREEZE"}).encode()
        assert code(huawei.v2_raw(unfreeze, timestamp=str(int((now.timestamp() + 20) * 1000)))) == "000000"
        assert code(huawei.v2_raw(freeze, timestamp=str(int((now.timestamp() + 10) * 1000)))) == "000000"
    assert CloudAccount.objects.get().state == "active"


def test_calls_for_an_unknown_instance_get_000003_and_store_nothing(huawei, order):
    assert code(huawei.v2(activity="releaseInstance", instanceId="ghost")) == "000003"
    assert code(huawei.v2(activity="queryInstance", instanceId="ghost,also-ghost")) == "000003"
    assert nothing_stored()


# --- V1 ---


def v1_new(**extra: str) -> dict[str, str]:
    return {
        "activity": "newInstance",
        "businessId": "61e834ba-7b97-4418-b8f7-e5345137278c",
        "customerId": "68cbc86abc2018ab880d92f36422fa0e",
        "customerName": "Acme Co & Sons",
        "expireTime": "20271201000000",
        "orderId": "CS1906666666ABCDE",
        "productId": "00301-666666-0--0",
        **extra,
    }


def test_v1_lifecycle_with_encrypted_contacts(huawei):
    phone = aes_encrypt("13800000000", access_key=HUAWEI_KEY, iv="abcdefghijklmnop")
    response = huawei.v1(**v1_new(mobilePhone=phone, trialFlag="1"))
    assert response.json() == {"resultCode": "000000", "resultMsg": "success", "instanceId": "61e834ba-7b97-4418-b8f7-e5345137278c"}
    account = CloudAccount.objects.get()
    assert account.vendor_account_id == "68cbc86abc2018ab880d92f36422fa0e" and account.trial is True
    assert account.vendor_data["contactPhone"] == "138****0000"
    assert "13800000000" not in json.dumps(InboxEvent.objects.get().request)
    iid = account.instance_id
    assert code(huawei.v1(activity="refreshInstance", instanceId=iid, orderId="R1", expireTime="20281201000000", trialToFormal="1")) == "000000"
    account = CloudAccount.objects.get()
    assert account.trial is False and account.expires_at == datetime(2028, 12, 1, tzinfo=UTC)
    assert code(huawei.v1(activity="expireInstance", instanceId=iid)) == "000000"
    assert CloudAccount.objects.get().state == "suspended"
    assert code(huawei.v1(activity="instanceStatus", instanceId=iid, status="UNFREEZE")) == "000000"
    assert CloudAccount.objects.get().state == "active"
    assert code(huawei.v1(activity="upgrade", instanceId=iid, orderId="U1", productId="prod-pro")) == "000000"
    assert CloudAccount.objects.get().product == "prod-pro"
    assert huawei.v1(activity="queryInstance", instanceId=iid).json()["info"][0]["instanceId"] == iid
    assert code(huawei.v1(activity="releaseInstance", instanceId=iid)) == "000000"
    assert CloudAccount.objects.get().state == "released"


def test_v1_retry_gets_the_same_instance(huawei):
    first = huawei.v1(**v1_new()).json()
    again = huawei.v1(**v1_new(businessId="another")).json()
    assert again == first and CloudAccount.objects.count() == 1


def test_v1_url_encoded_values_are_signed_decoded(huawei):
    params = huawei.v1_params(**v1_new(customerName="Acme Co & Sons / 华为"))
    query = "&".join(f"{name}={quote(value, safe='')}" for name, value in params.items())
    assert code(huawei.v1_query(query)) == "000000"
    assert CloudAccount.objects.get().vendor_data["customerName"] == "Acme Co & Sons / 华为"


def test_v1_rejections_store_nothing(huawei):
    assert code(huawei.v1(key="wrong", **v1_new())) == "000001"
    missing = v1_new()
    del missing["customerId"]
    assert code(huawei.v1(**missing)) == "000002"
    signed = huawei.v1_params(**v1_new())
    assert code(huawei.v1_query(urlencode({**signed, "extra": "1"}))) == "000001"
    assert code(huawei.v1_query(urlencode({**signed, "customerId": "someone-else"}))) == "000001"
    stale = (datetime.now(UTC) - timedelta(seconds=90)).strftime("%Y%m%d%H%M%S%f")[:17]
    assert code(huawei.v1(time_stamp=stale, **v1_new())) == "000001"
    assert code(huawei.v1(time_stamp="yesterday", **v1_new())) == "000001"
    bad_phone = huawei.v1_params(**v1_new(mobilePhone="abcdefghijklmnopnot-a-cipher"))
    assert code(huawei.v1_query(urlencode(bad_phone))) == "000002"
    no_token = {name: value for name, value in signed.items() if name != "authToken"}
    assert code(huawei.v1_query(urlencode(no_token))) == "000001"
    assert nothing_stored()


def test_v1_replayed_call_is_refused(huawei):
    signed = huawei.v1_params(activity="queryInstance", instanceId="x", testFlag="1")
    assert code(huawei.v1_query(urlencode(signed))) == "000000"
    assert code(huawei.v1_query(urlencode(signed))) == "000001"


def test_v1_auth_token_covers_every_parameter(huawei):
    params = v1_new(timeStamp="20200727073711903")
    assert v1_auth_token(params, access_key=HUAWEI_KEY) != v1_auth_token({**params, "x": "1"}, access_key=HUAWEI_KEY)
