"""Browser journey of Contract Management in headless Chromium: log in, filter, open, download."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from billing_center.audit.models import AuditEvent
from billing_center.contracts.demo import sample_pdf
from tests.contracts.conftest import add_attachment
from tests.factories import DEFAULT_PASSWORD, AccountFactory, ContractFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def test_holder_filters_opens_and_downloads_a_contract(page: Page, tmp_path):
    # given a holder with an active contract (with a PDF), an expired one and a hidden draft
    holder = AccountFactory(username="contracts01")
    active = ContractFactory(account=holder, number="HT-2025-0042", title="Log Analytics Order")
    add_attachment(active, name="HT-2025-0042 签字版.pdf", text="HT-2025-0042")
    ContractFactory(
        account=holder, number="HT-2021-0001", title="Old Order",
        signed_on=_days(-900), starts_on=_days(-900), ends_on=_days(-500),
    )
    ContractFactory(account=holder, number="HT-DRAFT-1", staff_status="draft")
    # when they log in and open Contract Management from the Account Settings menu
    page.goto("/login")
    page.get_by_label("Username, email or phone").fill("contracts01")
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("banner")).to_contain_text("contracts01")
    page.goto("/contracts/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Contract Management")
    table = page.get_by_role("table")
    expect(table).to_contain_text("HT-2025-0042")
    expect(table).to_contain_text("HT-2021-0001")
    expect(table).not_to_contain_text("HT-DRAFT-1")
    # and filter by status and a search on the title
    page.get_by_label("Status").select_option("active")
    page.get_by_label("Search by number or title").fill("analytics")
    page.get_by_role("button", name="Filter").click()
    # then only the active contract is listed
    expect(page.get_by_role("table")).to_contain_text("HT-2025-0042")
    expect(page.get_by_role("table")).not_to_contain_text("HT-2021-0001")
    # when they open it
    page.get_by_role("link", name="HT-2025-0042").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log Analytics Order")
    expect(page.get_by_text("Active", exact=True)).to_be_visible()
    # and download its PDF
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download HT-2025-0042 签字版.pdf").click()
    download = download_info.value
    saved = tmp_path / "downloaded.pdf"
    download.save_as(saved)
    # then the browser received the stored PDF under its original name, and the download is audited
    assert download.suggested_filename == "HT-2025-0042 签字版.pdf"
    assert saved.read_bytes() == sample_pdf("HT-2025-0042")
    assert AuditEvent.objects.filter(event="contract.attachment_downloaded", account=holder).count() == 1
