"""Browser journey of Account Settings > Cloud Account: an Alibaba Cloud instance recorded by the
marketplace's signed SPI call, linked by the holder with its ids, then two workspaces bound to it."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from billing_center.cloud.models import CloudAccount
from billing_center.cloud.vendors.aliyun.protocol import aliyun_token
from billing_center.workspaces.models import Workspace
from tests.cloud.conftest import ALIYUN_KEY, create_params
from tests.factories import DEFAULT_PASSWORD, AccountFactory
from tests.workspaces.factories import BoundWorkspaceFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_holder_links_an_alibaba_instance_by_its_ids_and_binds_two_workspaces(page: Page, new_context, settings):
    # given Alibaba Cloud Marketplace records an instance through the signed SPI
    settings.ALIYUN_MARKETPLACE_KEY = ALIYUN_KEY
    params = create_params(aliUid="5550001", orderBizId="7001")
    market = new_context().request
    created = market.get("/marketplace/aliyun/spi?" + urlencode({**params, "token": aliyun_token(params, ALIYUN_KEY)}))
    assert created.json()["instanceId"] == "7001", created.text()
    # and a holder with two Alibaba-site workspaces
    holder = AccountFactory(username="cloudholder", email="cloudholder@example.com")
    BoundWorkspaceFactory(id="ws-hz", name="Hangzhou prod", account=holder, site="cn1")
    BoundWorkspaceFactory(id="ws-hk", name="Hong Kong prod", account=holder, site="cn6")

    # when the holder logs in and opens Account Settings > Cloud Account
    page.goto("/login")
    page.get_by_label("Username, email or phone").fill("cloudholder")
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("banner")).to_contain_text("cloudholder")
    page.get_by_role("navigation", name="Account Settings").get_by_role("link", name="Cloud Account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cloud Account")
    # and links the instance by its Account ID and Instance ID (a wrong id first)
    page.get_by_label("Cloud vendor").select_option("aliyun")
    page.get_by_label("Account ID").fill("5550001")
    page.get_by_label("Instance ID").fill("7002")
    page.get_by_role("button", name="Link", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("No active subscription that can be linked matches these ids.")
    page.get_by_label("Instance ID").fill("7001")
    page.get_by_role("button", name="Link", exact=True).click()
    # then it is listed with its details
    expect(page.get_by_role("status")).to_contain_text("The cloud account 7001 is linked.")
    card = page.get_by_test_id("cloud-account")
    expect(card).to_contain_text("5550001")
    expect(card.get_by_test_id("cloud-account-state")).to_have_text("active")
    # when they bind both workspaces at once
    card.get_by_label("Hangzhou prod").check()
    card.get_by_label("Hong Kong prod").check()
    card.get_by_role("button", name="Settle the chosen workspaces here").click()
    # then both are settled by it, on the page and in the data
    expect(page.get_by_role("status")).to_contain_text("Workspace ws-hz is now settled by this cloud account.")
    settled = page.get_by_test_id("settled-workspaces")
    expect(settled).to_contain_text("ws-hz")
    expect(settled).to_contain_text("ws-hk")
    cloud = CloudAccount.objects.get(instance_id="7001")
    assert cloud.account == holder
    assert set(Workspace.objects.filter(cloud_account=cloud).values_list("pk", flat=True)) == {"ws-hz", "ws-hk"}


def test_holder_sees_a_cancelled_subscriptions_workspace_locked_and_unlocks_it(page: Page):
    # given an AWS subscription settling a us1 workspace, then cancelled by the marketplace
    from datetime import timedelta

    from django.utils import timezone

    from billing_center.cloud.services import cloud_account_transition
    from tests.cloud.factories import CloudAccountFactory

    holder = AccountFactory(username="awsholder", email="awsholder@example.com")
    cloud = CloudAccountFactory(vendor="aws", account=holder, linked_at=timezone.now(), last_event_at=None)
    BoundWorkspaceFactory(id="ws-or", name="Oregon prod", account=holder, site="us1", settlement_method="cloud", cloud_account=cloud)
    cloud_account_transition(cloud_account=cloud, to_state="cancelled", event_at=timezone.now() + timedelta(seconds=1))
    # when the holder logs in and opens Workspaces
    page.goto("/login")
    page.get_by_label("Username, email or phone").fill("awsholder")
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("banner")).to_contain_text("awsholder")
    page.goto("/workspaces/")
    # then the workspace is locked
    expect(page.get_by_role("row", name="Oregon prod")).to_contain_text("locked")
    # when they open Account Settings > Cloud Account and settle it by their account
    page.goto("/settings/cloud-account")
    waiting = page.get_by_test_id("waiting-workspaces")
    expect(waiting).to_contain_text("Oregon prod")
    waiting.get_by_role("button", name="Settle Oregon prod by my Billing Center account").click()
    # then it is unlocked
    expect(page.get_by_role("status")).to_contain_text("Workspace ws-or is now settled by your Billing Center account.")
    expect(page.get_by_test_id("waiting-workspaces")).to_have_count(0)
    page.goto("/workspaces/")
    expect(page.get_by_role("row", name="Oregon prod")).to_contain_text("active")
    workspace = Workspace.objects.get(pk="ws-or")
    assert (workspace.lock_state, workspace.settlement_method) == ("active", "account")
