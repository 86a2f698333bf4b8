"""Browser journey of workspaces: the SaaS console registers and binds a workspace through the platform
API; the holder logs in and finds it on the Workspaces page with its site, method and state, in English
and then in Chinese."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from billing_center.workspaces.models import Workspace
from tests.factories import DEFAULT_PASSWORD, AccountFactory
from tests.outbox import latest_code

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "journey-platform-token-5f1d0c"


def test_console_binds_a_workspace_and_the_holder_sees_it_in_english_and_chinese(page: Page, new_context, settings):
    # given the platform API switched on and a holder
    settings.PLATFORM_API_TOKEN = TOKEN
    AccountFactory(username="wsholder", email="wsholder@example.com")
    console = new_context(extra_http_headers={"Authorization": f"Bearer {TOKEN}"}).request
    base = "/api/v1/platform/workspaces/ws-journey"
    # when the console registers a workspace on cn1 and runs the upgrade binding
    registered = console.put(base, data={"name": "Journey production", "site": "cn1", "language": "en"})
    assert registered.status == 201, registered.text()
    asked = console.post(f"{base}/binding-code", data={"username": "wsholder", "email": "wsholder@example.com"})
    assert (asked.status, asked.json()) == (202, {"sent": True})
    code = latest_code("wsholder@example.com")
    bound = console.post(f"{base}/binding", data={"username": "wsholder", "email": "wsholder@example.com", "code": code})
    assert bound.status == 200, bound.text()
    assert bound.json()["account"] == {"username": "wsholder"}
    # and puts it in a grace period
    deadline = (timezone.now() + dt.timedelta(days=5)).isoformat()
    grace = console.put(f"{base}/lock", data={"state": "grace", "reason": "Invoice overdue", "deadline": deadline})
    assert grace.status == 200, grace.text()
    assert Workspace.objects.get(pk="ws-journey").account.username == "wsholder"

    # when the holder logs in and opens Workspaces from the top menu
    page.goto("/login")
    page.get_by_label("Username, email or phone").fill("wsholder")
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("banner")).to_contain_text("wsholder")
    page.get_by_role("banner").get_by_role("link", name="Workspaces").click()
    # then the workspace is listed with its site, settlement method and state
    expect(page.get_by_role("heading", level=1)).to_have_text("Workspaces")
    row = page.get_by_role("row", name="Journey production")
    expect(row).to_contain_text("ws-journey")
    expect(row).to_contain_text("cn1 · Hangzhou (Alibaba Cloud)")
    expect(row).to_contain_text("Billing Center account")
    expect(row).to_contain_text("grace period")
    # and filtering by lock state keeps it, another state hides it
    page.get_by_label("State").select_option("locked")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No workspaces match.")).to_be_visible()
    page.get_by_role("link", name="Clear filters").click()
    # when they open it, the reason and what would unlock it are shown, and the history
    page.get_by_role("link", name="Journey production").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Journey production")
    expect(page.get_by_text("Invoice overdue").first).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("becomes active again")
    history = page.get_by_role("table")
    expect(history).to_contain_text("Bound to the account")
    expect(history).to_contain_text("SaaS console")

    # when they switch the interface to Chinese and go back to the list
    page.get_by_label("Language", exact=True).select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.get_by_role("banner").get_by_role("link", name="工作空间").click()
    # then the same workspace shows its site, method and state in Chinese
    expect(page.get_by_role("heading", level=1)).to_have_text("工作空间")
    row = page.get_by_role("row", name="Journey production")
    expect(row).to_contain_text("cn1 · 杭州 (阿里云)")
    expect(row).to_contain_text("费用中心账号")
    expect(row).to_contain_text("宽限期")
    expect(page.get_by_role("columnheader", name="结算方式")).to_be_visible()
