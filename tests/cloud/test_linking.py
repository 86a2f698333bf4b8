"""POST /api/v1/cloud-accounts/link: Alibaba Cloud and Huawei Cloud by their ids, AWS by the landing
page's registration id; one answer for every wrong pair; re-authentication; attempt limits; audit and
notice."""

from __future__ import annotations

import pytest

from billing_center.audit.models import AuditEvent
from billing_center.cloud import linking
from billing_center.cloud.models import CloudAccount, CloudAccountState, Vendor
from tests.cloud.factories import CloudAccountFactory
from tests.cloud.holder import logged_in, post_json
from tests.factories import AccountFactory
from tests.outbox import outbox_messages

pytestmark = pytest.mark.django_db

LINK = "/api/v1/cloud-accounts/link"


@pytest.fixture
def alice(db):
    return AccountFactory(username="alice", email="alice@example.com")


@pytest.fixture
def bob(db):
    return AccountFactory(username="bob", email="bob@example.com")


def _link_body(cloud_account: CloudAccount, **overrides: str) -> dict:
    return {
        "vendor": cloud_account.vendor,
        "account_id": cloud_account.vendor_account_id,
        "instance_id": cloud_account.instance_id,
        **overrides,
    }


@pytest.mark.parametrize("vendor", [Vendor.ALIYUN, Vendor.HUAWEI])
def test_a_holder_links_an_active_subscription_by_its_ids(alice, vendor, django_capture_on_commit_callbacks):
    # given a recorded, active, unlinked subscription and a re-authenticated holder
    recorded = CloudAccountFactory(vendor=vendor, vendor_account_id="1234567890", instance_id="i-abc")
    client = logged_in(alice)
    # when the holder enters its account id and instance id
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(client, LINK, _link_body(recorded))
    # then it is linked to them and answered as the cloud account
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"] == recorded.pk
    assert body["vendor"] == vendor
    assert body["vendor_account_id"] == "1234567890"
    assert body["instance_id"] == "i-abc"
    assert body["state"] == "active"
    assert body["workspaces"] == []
    assert body["linked_at"] is not None
    recorded.refresh_from_db()
    assert recorded.account == alice
    # and it is audited (visible to the holder) and notified by email
    linked = AuditEvent.objects.get(event="cloud_account.linked")
    assert linked.account_id == alice.pk
    assert linked.target_id == str(recorded.pk)
    subjects = [message["subject"] for message in outbox_messages("alice@example.com")]
    assert "A cloud account was linked to your Billing Center account" in subjects


@pytest.mark.parametrize(
    "case",
    ["wrong_account_id", "wrong_instance", "other_vendor", "pending", "suspended", "cancelled", "linked_elsewhere"],
)
def test_every_wrong_pair_gets_the_one_422(alice, bob, case):
    # given a subscription that this pair must not link
    recorded = CloudAccountFactory(vendor=Vendor.ALIYUN, vendor_account_id="111", instance_id="i-1")
    body = _link_body(recorded)
    if case == "wrong_account_id":
        body["account_id"] = "222"
    elif case == "wrong_instance":
        body["instance_id"] = "i-2"
    elif case == "other_vendor":
        body["vendor"] = "huawei"
    elif case == "linked_elsewhere":
        CloudAccount.objects.filter(pk=recorded.pk).update(account=bob, linked_at=recorded.created_at)
    else:
        CloudAccount.objects.filter(pk=recorded.pk).update(state=case)
    # when the holder tries to link it
    response = post_json(logged_in(alice), LINK, body)
    # then the answer is the one 422, and nothing changed
    assert response.status_code == 422
    assert response.json()["code"] == "cloud_account_not_found"
    recorded.refresh_from_db()
    assert recorded.account_id in (None, bob.pk)
    assert not AuditEvent.objects.filter(event="cloud_account.linked").exists()


def test_the_refusal_is_the_same_text_for_an_unknown_and_a_linked_subscription(alice, bob):
    taken = CloudAccountFactory(vendor_account_id="111", instance_id="i-1")
    CloudAccount.objects.filter(pk=taken.pk).update(account=bob, linked_at=taken.created_at)
    client = logged_in(alice)
    unknown = post_json(client, LINK, {"vendor": "aliyun", "account_id": "999", "instance_id": "i-9"}).json()
    linked = post_json(client, LINK, _link_body(taken)).json()
    assert unknown == {**linked, "instance": unknown.get("instance")}


def test_linking_needs_a_recent_reauthentication(alice):
    recorded = CloudAccountFactory()
    response = post_json(logged_in(alice, reauthenticated=False), LINK, _link_body(recorded))
    assert response.status_code == 403
    assert response.json()["code"] == "reauthentication_required"
    recorded.refresh_from_db()
    assert recorded.account_id is None


def test_linking_needs_a_login():
    from django.test import Client

    response = post_json(Client(), LINK, {"vendor": "aliyun", "account_id": "1", "instance_id": "i"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"vendor": "azure", "account_id": "1", "instance_id": "i"},
        {"vendor": "aliyun", "account_id": "1"},
        {"vendor": "aliyun", "account_id": "x" * 1001, "instance_id": "i"},
        {"vendor": "aws"},
        {},
    ],
)
def test_malformed_bodies_answer_422_and_store_nothing(alice, body):
    response = post_json(logged_in(alice), LINK, body)
    assert response.status_code == 422
    assert not CloudAccount.objects.filter(account=alice).exists()


def test_blank_or_overlong_ids_get_the_one_answer(alice):
    client = logged_in(alice)
    for body in (
        {"vendor": "aliyun", "account_id": " ", "instance_id": "i"},
        {"vendor": "huawei", "account_id": "1", "instance_id": "i" * 300},
    ):
        response = post_json(client, LINK, body)
        assert response.status_code == 422
        assert response.json()["code"] == "cloud_account_not_found"


def test_failed_attempts_are_limited_per_account_and_network(alice, bob):
    # given a holder who has failed the limit of attempts from one network
    recorded = CloudAccountFactory()
    client = logged_in(alice, ip="203.0.113.7")
    for _n in range(linking.LINK_FAILURES_LIMIT):
        assert post_json(client, LINK, _link_body(recorded, instance_id="nope")).status_code == 422
    # when they try again, even with the right pair
    response = post_json(client, LINK, _link_body(recorded))
    # then they must wait, and nothing is linked
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_attempts"
    assert int(response["Retry-After"]) > 0
    recorded.refresh_from_db()
    assert recorded.account_id is None
    # but another account, or the same account from another network, is not held back
    assert post_json(logged_in(alice, ip="198.51.100.9"), LINK, _link_body(recorded)).status_code == 201
    assert AuditEvent.objects.filter(event="cloud_account.link_refused").count() == linking.LINK_FAILURES_LIMIT


def test_a_successful_link_does_not_count_as_a_failure(alice):
    for _n in range(linking.LINK_FAILURES_LIMIT + 1):
        recorded = CloudAccountFactory()
        assert post_json(logged_in(alice), LINK, _link_body(recorded)).status_code == 201


def test_the_same_subscription_cannot_be_linked_twice(alice, bob):
    recorded = CloudAccountFactory()
    assert post_json(logged_in(alice), LINK, _link_body(recorded)).status_code == 201
    again = post_json(logged_in(bob), LINK, _link_body(recorded))
    assert again.status_code == 422
    assert again.json()["code"] == "cloud_account_not_found"
    recorded.refresh_from_db()
    assert recorded.account == alice


def test_a_link_answer_is_only_the_link_no_workspace_of_someone_else(alice):
    recorded = CloudAccountFactory(state=CloudAccountState.ACTIVE)
    body = post_json(logged_in(alice), LINK, _link_body(recorded)).json()
    assert set(body) == {
        "id",
        "vendor",
        "vendor_account_id",
        "instance_id",
        "product",
        "state",
        "trial",
        "expires_at",
        "linked_at",
        "workspaces",
    }
