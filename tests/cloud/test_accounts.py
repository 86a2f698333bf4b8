"""Account Settings > Cloud Account and GET /api/v1/cloud-accounts[/{id}]: only the holder's own."""

from __future__ import annotations

import pytest
from django.utils import timezone

from billing_center.cloud.models import CloudAccountState, Vendor
from tests.cloud.factories import CloudAccountFactory
from tests.cloud.holder import logged_in
from tests.factories import AccountFactory
from tests.workspaces.factories import BoundWorkspaceFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/cloud-accounts"
PAGE = "/settings/cloud-account"


@pytest.fixture
def alice(db):
    return AccountFactory(username="alice", email="alice@example.com")


@pytest.fixture
def bob(db):
    return AccountFactory(username="bob", email="bob@example.com")


def linked(account, **fields):
    return CloudAccountFactory(account=account, linked_at=timezone.now(), **fields)


def test_the_list_shows_my_cloud_accounts_with_the_workspaces_each_settles(alice, bob, django_assert_num_queries):
    # given two cloud accounts of mine (one settling two workspaces) and one of bob's
    mine = linked(alice, vendor=Vendor.ALIYUN, vendor_account_id="111", instance_id="i-1", trial=True)
    other_vendor = linked(alice, vendor=Vendor.HUAWEI, state=CloudAccountState.SUSPENDED)
    linked(bob)
    for n in range(2):
        BoundWorkspaceFactory(id=f"ws-{n}", account=alice, settlement_method="cloud", cloud_account=mine)
    client = logged_in(alice)
    client.get(LIST)  # warm-up: the session's first request may write its last-seen time
    # when I list them: the session with its account, cloud accounts, their workspaces (whatever the count)
    with django_assert_num_queries(3):
        response = client.get(LIST)
    # then only mine, newest first, each with its workspaces as workspace views
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [other_vendor.pk, mine.pk]
    assert body["next_cursor"] is None
    first = body["items"][1]
    assert first["vendor"] == "aliyun" and first["vendor_account_id"] == "111" and first["instance_id"] == "i-1"
    assert first["trial"] is True and first["state"] == "active"
    assert sorted(ws["id"] for ws in first["workspaces"]) == ["ws-0", "ws-1"]
    assert first["workspaces"][0]["settlement"] == {"method": "cloud", "cloud_account_id": mine.pk, "vendor": "aliyun"}


def test_the_list_pages_with_a_cursor(alice):
    for _n in range(3):
        linked(alice)
    client = logged_in(alice)
    first = client.get(LIST, {"limit": 2}).json()
    second = client.get(LIST, {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == 2 and len(second["items"]) == 1 and second["next_cursor"] is None
    assert client.get(LIST, {"cursor": "garbage"}).status_code == 422


def test_another_accounts_cloud_account_is_404_everywhere(alice, bob):
    # given bob's cloud account and an unlinked one
    bobs = linked(bob)
    unlinked = CloudAccountFactory()
    client = logged_in(alice)
    for target in (bobs, unlinked):
        # then detail, bind and settlement all answer 404
        assert client.get(f"{LIST}/{target.pk}").status_code == 404
        bind = client.post(f"{LIST}/{target.pk}/workspaces", {"workspace_ids": ["x"]}, content_type="application/json")
        assert bind.status_code == 404
        assert bind.json()["code"] == "cloud_account_not_found"
        BoundWorkspaceFactory(id=f"ws-a-{target.pk}", account=alice, site="cn1")
        settle = client.post(
            f"/api/v1/workspaces/ws-a-{target.pk}/settlement",
            {"method": "cloud", "cloud_account_id": target.pk},
            content_type="application/json",
        )
        assert settle.status_code == 404
        assert client.post(f"{PAGE}/{target.pk}/workspaces", {"workspace_ids": ["x"]}).status_code == 404
    assert client.get(f"{LIST}/999999").status_code == 404
    assert client.get(f"{LIST}/0").status_code == 422
    assert bobs.pk and f"i-{bobs.instance_id}" not in client.get(PAGE).content.decode()


def test_the_detail_of_my_cloud_account(alice):
    mine = linked(alice, vendor=Vendor.AWS, instance_id="arn:aws:license-manager::1:license:l-1")
    body = logged_in(alice).get(f"{LIST}/{mine.pk}").json()
    assert body["id"] == mine.pk and body["vendor"] == "aws" and body["workspaces"] == []


def test_the_page_lists_each_cloud_account_and_offers_binding(alice, bob):
    # given one active cloud account of mine, one of bob's, and two of my workspaces
    mine = linked(alice, vendor_account_id="111", instance_id="i-mine")
    linked(bob, instance_id="i-bobs")
    BoundWorkspaceFactory(id="ws-settled", account=alice, settlement_method="cloud", cloud_account=mine)
    BoundWorkspaceFactory(id="ws-free", account=alice)
    # when I open Account Settings > Cloud Account
    response = logged_in(alice).get(PAGE)
    page = response.content.decode()
    # then it shows mine with its details and workspaces, offers the other workspace, and not bob's
    assert response.status_code == 200
    assert "i-mine" in page and "111" in page and "i-bobs" not in page
    assert "ws-settled" in page
    assert 'value="ws-free"' in page
    assert 'aria-current="page"' in page and "Cloud Account" in page


def test_the_page_needs_a_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_the_page_links_by_ids_and_sends_a_stale_session_to_reauthenticate(alice):
    recorded = CloudAccountFactory(vendor_account_id="111", instance_id="i-1")
    stale = logged_in(alice, reauthenticated=False)
    detour = stale.post(f"{PAGE}/link", {"vendor": "aliyun", "account_id": "111", "instance_id": "i-1"})
    assert detour.status_code == 302
    assert detour["Location"] == "/reauthenticate?next=%2Fsettings%2Fcloud-account"
    fresh = logged_in(alice)
    wrong = fresh.post(f"{PAGE}/link", {"vendor": "aliyun", "account_id": "111", "instance_id": "i-2"})
    assert wrong.status_code == 422
    assert "No active subscription that can be linked matches these ids." in wrong.content.decode()
    done = fresh.post(f"{PAGE}/link", {"vendor": "aliyun", "account_id": "111", "instance_id": "i-1"})
    assert done.status_code == 302 and done["Location"] == PAGE
    recorded.refresh_from_db()
    assert recorded.account == alice


def test_the_page_speaks_simplified_chinese():
    chinese = AccountFactory(username="li", email="li@example.com", language="zh-hans")
    page = logged_in(chinese).get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "关联云账号" in page
