"""Alibaba Cloud SPI: the token vector, every rejection (nothing stored), lifecycles and retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

import pytest
import time_machine

from billing_center.cloud.inbox import inbox_retry
from billing_center.cloud.models import CloudAccount, InboxEvent, InboxStatus
from billing_center.cloud.vendors.aliyun.protocol import BEIJING, aliyun_token
from tests.cloud.conftest import ALIYUN_KEY, AliyunMarketplace, create_params, nothing_stored

pytestmark = pytest.mark.django_db


def test_token_matches_the_reference_fixture():
    params = create_params()
    assert aliyun_token(params, "isvkey") == "f73c45ecebe115c202f790291ad90673"
    # ``token`` itself is never hashed
    assert aliyun_token({**params, "token": "anything"}, "isvkey") == "f73c45ecebe115c202f790291ad90673"


def test_answers_404_while_the_key_is_missing(settings, client):
    settings.ALIYUN_MARKETPLACE_KEY = ""
    response = AliyunMarketplace(client).get(**create_params())
    assert response.status_code == 404
    assert nothing_stored()


def test_create_records_an_active_instance_with_instance_id_order_biz_id(aliyun):
    # when the marketplace creates an instance (GET, as documented)
    response = aliyun.get(**create_params(trial="true"))
    # then the answer carries instanceId = orderBizId and the account is active
    assert response.status_code == 200
    body = response.json()
    assert body["instanceId"] == "2001"
    assert body["appInfo"]["authUrl"].endswith("/marketplace/aliyun/spi")
    account = CloudAccount.objects.get()
    assert (account.vendor, account.instance_id, account.vendor_account_id) == ("aliyun", "2001", "1234567890")
    assert account.state == "active" and account.trial is True
    assert account.expires_at == datetime(2027, 1, 1, tzinfo=BEIJING)
    assert account.vendor_data["skuId"] == "yuncode1234500001"
    row = InboxEvent.objects.get()
    assert row.status == InboxStatus.PROCESSED and row.cloud_account == account
    assert row.result["state"] == ["pending", "active"]


def test_form_post_is_accepted(aliyun):
    response = aliyun.post(**create_params())
    assert response.status_code == 200
    assert response.json()["instanceId"] == "2001"


def test_create_retries_get_the_same_instance_id_and_change_nothing(aliyun):
    first = aliyun.get(**create_params()).json()
    updated_at = CloudAccount.objects.get().updated_at
    again = [aliyun.get(**create_params()).json() for _ in range(3)]
    assert all(answer == first for answer in again)
    assert CloudAccount.objects.count() == 1 and InboxEvent.objects.count() == 1
    assert CloudAccount.objects.get().updated_at == updated_at


def test_extra_billable_items_are_hashed_and_kept(aliyun):
    response = aliyun.get(**create_params(Count="2", Num="3"))
    assert response.status_code == 200
    assert CloudAccount.objects.get().vendor_data["billableItems"] == {"Count": "2", "Num": "3"}


def test_wrong_key_is_refused_with_nothing_stored(aliyun_on, db, client):
    response = AliyunMarketplace(client, key="not-the-key").get(**create_params())
    assert response.status_code == 403
    assert response.json()["code"] == "invalid_token"
    assert nothing_stored()


@pytest.mark.parametrize("token", ["é" * 32, "F73C45ECEBE115C202F790291AD9067\u0663", "\ud800"])
def test_a_non_ascii_token_is_a_plain_refusal(aliyun, token):
    query = urlencode({**create_params(), "token": token.encode("utf-8", "surrogatepass")})
    response = aliyun.raw(query)
    assert response.status_code in {400, 403}
    assert nothing_stored()


def test_an_uppercase_token_is_accepted(aliyun):
    signed = aliyun.signed(**create_params())
    response = aliyun.raw(urlencode({**signed, "token": signed["token"].upper()}))
    assert response.status_code == 200


def test_missing_token_is_refused(aliyun):
    response = aliyun.raw(urlencode(create_params()))
    assert response.status_code == 403
    assert nothing_stored()


def test_missing_parameter_is_refused_even_when_signed(aliyun):
    params = create_params()
    del params["aliUid"]
    response = aliyun.get(**params)
    assert response.status_code == 400
    assert "aliUid" in response.json()["message"]
    assert nothing_stored()


def test_extra_parameter_added_after_signing_is_refused(aliyun):
    signed = aliyun.signed(**create_params())
    response = aliyun.raw(urlencode({**signed, "Count": "9"}))
    assert response.status_code == 403
    assert nothing_stored()


def test_unknown_parameter_on_a_closed_action_is_refused(aliyun):
    aliyun.get(**create_params())
    response = aliyun.get(action="expiredInstance", instanceId="2001", surprise="1")
    assert response.status_code == 400
    assert CloudAccount.objects.get().state == "active"


def test_tampered_value_is_refused(aliyun):
    signed = aliyun.signed(**create_params())
    response = aliyun.raw(urlencode({**signed, "aliUid": "999"}))
    assert response.status_code == 403
    assert nothing_stored()


def test_parameter_given_twice_is_refused(aliyun):
    signed = aliyun.signed(**create_params())
    response = aliyun.raw(urlencode(signed) + "&orderId=3002")
    assert response.status_code == 400
    assert nothing_stored()


@pytest.mark.parametrize("encode", [quote, lambda value: value.replace(" ", "+")])
def test_url_encoded_values_are_hashed_decoded(aliyun, encode):
    params = create_params(expiredOn="2027-01-01 00:00:00")
    token = aliyun_token(params, ALIYUN_KEY)
    query = "&".join(f"{name}={encode(value)}" for name, value in {**params, "token": token}.items())
    assert "%20" in query or "+" in query
    response = aliyun.raw(query)
    assert response.status_code == 200
    assert CloudAccount.objects.get().expires_at == datetime(2027, 1, 1, tzinfo=BEIJING)


def test_bad_values_are_refused(aliyun):
    assert aliyun.get(**create_params(trial="maybe")).status_code == 400
    assert aliyun.get(**create_params(expiredOn="tomorrow")).status_code == 400
    assert aliyun.get(**create_params(expiredOn="0001-01-01 00:00:00")).status_code == 400
    assert aliyun.get(**create_params(expiredOn="9999-12-31 23:59:59")).status_code == 400
    assert aliyun.get(**create_params(orderBizId="x" * 200)).status_code == 400
    assert aliyun.get(**create_params(productCode="p" * 300)).status_code == 400
    assert aliyun.get(**create_params(orderBizId="a\x00b")).status_code == 400
    assert aliyun.get(action="teleportInstance", instanceId="1").status_code == 400
    assert nothing_stored()


def test_whole_lifecycle_in_order(aliyun):
    # create → renew → upgrade → expire → renew (unfreezes) → expire again → release
    assert aliyun.get(**create_params()).json()["instanceId"] == "2001"
    renew = {"action": "renewInstance", "instanceId": "2001", "orderId": "3002", "expiredOn": "2028-01-01 00:00:00"}
    assert aliyun.get(**renew).json() == {"success": True}
    account = CloudAccount.objects.get()
    assert account.expires_at == datetime(2028, 1, 1, tzinfo=BEIJING)
    assert aliyun.get(action="upgradeInstance", instanceId="2001", skuId="sku-pro").json() == {"success": True}
    assert aliyun.get(action="expiredInstance", instanceId="2001").json() == {"success": True}
    assert CloudAccount.objects.get().state == "suspended"
    renew2 = {**renew, "orderId": "3003", "expiredOn": "2029-01-01 00:00:00"}
    assert aliyun.get(**renew2).json() == {"success": True}
    assert CloudAccount.objects.get().state == "active"
    assert aliyun.get(action="expiredInstance", instanceId="2001").json() == {"success": True}
    assert CloudAccount.objects.get().state == "suspended"
    assert aliyun.get(action="releaseInstance", instanceId="2001", isRefund="true").json() == {"success": True}
    account = CloudAccount.objects.get()
    assert account.state == "released"
    assert account.vendor_data["skuId"] == "sku-pro" and account.vendor_data["isRefund"] is True
    assert set(account.transitions) == {"pending", "active", "suspended", "released"}
    assert InboxEvent.objects.filter(status=InboxStatus.PROCESSED).count() == 7


def test_retries_of_each_action_change_nothing_more(aliyun):
    aliyun.get(**create_params())
    calls = [
        {"action": "renewInstance", "instanceId": "2001", "orderId": "3002", "expiredOn": "2028-01-01 00:00:00"},
        {"action": "upgradeInstance", "instanceId": "2001", "skuId": "sku-pro"},
        {"action": "expiredInstance", "instanceId": "2001"},
        {"action": "releaseInstance", "instanceId": "2001", "isRefund": "false"},
    ]
    for call in calls:
        first = aliyun.get(**call).json()
        rows, transitions = InboxEvent.objects.count(), dict(CloudAccount.objects.get().transitions)
        assert aliyun.get(**call).json() == first
        assert InboxEvent.objects.count() == rows
        assert CloudAccount.objects.get().transitions == transitions


def test_out_of_order_a_late_renewal_never_revives_a_released_instance(aliyun):
    aliyun.get(**create_params())
    aliyun.get(action="releaseInstance", instanceId="2001", isRefund="false")
    late = {"action": "renewInstance", "instanceId": "2001", "orderId": "3002", "expiredOn": "2028-01-01 00:00:00"}
    # the marketplace is told it is done (so it stops retrying); the row says why nothing changed
    assert aliyun.get(**late).json() == {"success": True}
    account = CloudAccount.objects.get()
    assert account.state == "released"
    assert account.expires_at == datetime(2027, 1, 1, tzinfo=BEIJING)
    assert InboxEvent.objects.get(action="renewInstance").result == {"ignored": "terminal_state"}


def test_a_call_for_an_unknown_instance_is_kept_failed_and_can_be_rerun(aliyun):
    # given a renewal that arrives before its instance exists
    renew = {"action": "renewInstance", "instanceId": "2001", "orderId": "3002", "expiredOn": "2028-01-01 00:00:00"}
    response = aliyun.get(**renew)
    assert response.status_code == 200 and response.json()["success"] is False
    row = InboxEvent.objects.get()
    assert row.status == InboxStatus.FAILED and "UnknownInstance" in row.error
    # when the instance is created and an operator re-runs the row
    aliyun.get(**create_params())
    outcome = inbox_retry(event=row)
    # then the renewal applies
    assert outcome.response == {"success": True}
    row.refresh_from_db()
    assert row.status == InboxStatus.PROCESSED and row.attempts == 2
    assert CloudAccount.objects.get().expires_at == datetime(2028, 1, 1, tzinfo=BEIJING)


def test_a_failing_create_answers_instance_id_zero_and_is_kept(aliyun, monkeypatch):
    from billing_center.cloud import services

    def broken(*args, **kwargs):
        raise RuntimeError("database hiccup")

    # the create handler records the account through cloud.services.cloud_account_open
    monkeypatch.setattr(services, "cloud_account_record", broken)
    assert aliyun.get(**create_params()).json() == {"instanceId": "0"}
    assert InboxEvent.objects.get().status == InboxStatus.FAILED
    assert not CloudAccount.objects.exists()
    monkeypatch.undo()
    # the marketplace's retry processes the stored call
    assert aliyun.get(**create_params()).json()["instanceId"] == "2001"
    assert InboxEvent.objects.get().status == InboxStatus.PROCESSED


def test_verify_redirects_a_fresh_signed_login_and_refuses_a_stale_one(aliyun):
    aliyun.get(**create_params())
    now = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        stamp = now.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
        fresh = aliyun.get(action="verify", instanceId="2001", timeStamp=stamp)
        stale_stamp = (now - timedelta(minutes=10)).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
        stale = aliyun.get(action="verify", instanceId="2001", timeStamp=stale_stamp)
        unknown = aliyun.get(action="verify", instanceId="9999", timeStamp=stamp)
    assert fresh.status_code == 302 and fresh["Location"] == "/login"
    assert stale.status_code == 403 and "has expired" in stale.content.decode()
    assert unknown.status_code == 403 and "does not name a subscription" in unknown.content.decode()
    assert InboxEvent.objects.count() == 1
