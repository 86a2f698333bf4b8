"""Browser journeys of the console shell: the product navigation and its current-page marking, the
Overview's counts against the database, every sign-up error at once, and localized amounts and times
on the contracts page."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from billing_center.cloud.models import CloudAccount
from billing_center.contracts.models import Contract
from billing_center.core.navigation import navigation_items
from billing_center.workspaces.models import Workspace
from tests.e2e.shell_support import days, holder_with_everything, log_in
from tests.factories import AccountFactory, ContractFactory

pytestmark = pytest.mark.django_db(transaction=True)


def nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def test_the_navigation_marks_the_current_page_everywhere_including_sub_pages(page: Page):
    # given a logged-in holder
    account, contract = holder_with_everything(username="navigator")
    log_in(page, account.username)
    # then the product navigation lists the pages that exist (an app not built yet has no entry)
    with translation.override("en"):
        routed = [str(item.label) for item in navigation_items("/overview")]
    assert routed[:2] == ["Overview", "Workspaces"] and routed[-2:] == ["Contracts", "Account Settings"]
    expect(nav(page).get_by_role("link")).to_have_text(routed)
    # and each page marks its own entry, sub-pages included
    for path, current in (
        ("/overview", "Overview"),
        ("/contracts/", "Contracts"),
        (f"/contracts/{contract.pk}/", "Contracts"),
        ("/settings/profile", "Account Settings"),
        ("/settings/email", "Account Settings"),
        ("/settings/security-log", "Account Settings"),
    ):
        page.goto(path)
        marked = nav(page).locator('[aria-current="page"]')
        expect(marked).to_have_count(1)
        expect(marked).to_have_text(current)
    # and within Account Settings, Change email marks Profile
    page.goto("/settings/email")
    expect(page.get_by_role("navigation", name="Account Settings").locator('[aria-current="page"]')).to_have_text(
        "Profile"
    )
    # when they follow the navigation with the keyboard alone
    page.goto("/overview")
    nav(page).get_by_role("link", name="Contracts").focus()
    page.keyboard.press("Enter")
    # then they land on the page it names
    expect(page.get_by_role("heading", level=1)).to_have_text("Contract Management")


def test_the_overview_counts_match_the_database(page: Page):
    # given a holder with workspaces, cloud accounts and contracts in every state, and another holder's
    account, _ = holder_with_everything(username="counter")
    stranger = AccountFactory(username="stranger")
    for index in range(3):
        Workspace.objects.create(id=f"ws-{index}", name=f"Workspace {index}", site="cn", account=account)
    Workspace.objects.create(id="ws-free", name="Unbound", site="cn")
    Workspace.objects.create(id="ws-other", name="Theirs", site="cn", account=stranger)
    CloudAccount.objects.create(vendor="aliyun", instance_id="i-1", account=account, linked_at=timezone.now())
    CloudAccount.objects.create(vendor="aliyun", instance_id="i-2")
    ContractFactory(account=account, number="HT-PENDING", starts_on=days(10), ends_on=days(400))
    ContractFactory(account=account, number="HT-DRAFT", staff_status="draft")
    ContractFactory(account=stranger, number="HT-THEIRS")
    # when they log in and open the Overview
    log_in(page, account.username)
    page.goto("/overview")
    # then each count is what the database holds for this account
    today = days(0)
    active = Contract.objects.filter(
        account=account, staff_status="issued", starts_on__lte=today, ends_on__gte=today
    ).count()
    assert active == 2  # the two current ones of holder_with_everything; expired, pending, draft are not
    expect(page.get_by_test_id("count-workspaces")).to_contain_text(str(Workspace.objects.filter(account=account).count()))
    expect(page.get_by_test_id("count-workspaces")).to_contain_text("3")
    expect(page.get_by_test_id("count-cloud-accounts")).to_contain_text("1")
    assert CloudAccount.objects.filter(account=account).count() == 1
    expect(page.get_by_test_id("count-active-contracts")).to_contain_text(str(active))
    expect(page.get_by_test_id("certification-state")).to_contain_text("Not submitted")
    # and the enterprise and the latest security events (the login) are shown
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    expect(page.get_by_text("杭州云观测科技有限公司").first).to_be_visible()
    expect(page.get_by_role("table", name="Recent security events")).to_contain_text(re.compile("Logged in|Login"))


def test_sign_up_shows_every_error_at_once_next_to_its_field(page: Page):
    # given a visitor on the sign-up page
    page.goto("/signup")
    # when they submit it with a bad username and email, mismatched passwords, no code, no enterprise
    page.get_by_label("Username").fill("9lives")
    page.get_by_label("Password", exact=True).fill("copper lanterns along the canal")
    page.get_by_label("Confirm password").fill("something else entirely here")
    page.get_by_label("Email", exact=True).fill("not-an-email")
    page.get_by_label("Mobile phone").fill("12")
    page.get_by_role("button", name="Create account", exact=True).click()
    # then every field error is shown at once, each beside its own field, none at the top
    expected = {
        "username": "A username has 4 to 32 characters",
        "password_confirm": "The two passwords do not match.",
        "email": "Enter a valid email address.",
        "email_code": "This field is required.",
        "phone": "Enter a valid mobile number.",
        "enterprise_name": "This field is required.",
        "accept_terms": "Accept the terms of service to create an account.",
    }
    for name, message in expected.items():
        field = page.locator(f"#id_{name}").locator("xpath=ancestor::div[contains(@class, 'field')][1]")
        expect(field.locator(".error")).to_have_count(1)
        expect(field.locator(".error")).to_contain_text(message)
    expect(page.locator(".field.has-error")).to_have_count(len(expected))
    expect(page.locator(".alert")).to_have_count(0)
    # and the passwords are not echoed back; the form says why they are empty
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    expect(page.locator("#password-retype-note")).to_be_visible()


def test_contracts_show_localized_amounts_and_times_in_both_languages(page: Page):
    # given a holder whose contracts are in yuan and in US dollars
    account, _ = holder_with_everything(username="amounts")
    log_in(page, account.username)
    # when they open the contracts page in English
    page.goto("/contracts/")
    table = page.get_by_role("table")
    # then amounts carry the currency symbol and thousands separators, and a total is given
    expect(table).to_contain_text("¥3,163,135.04")
    expect(table).to_contain_text("US$1,605,971.10")
    expect(page.get_by_test_id("contracts-total")).to_have_text("3 contracts")
    # and the sessions page gives times with their zone (the account's region: East China, UTC+8)
    page.goto("/settings/sessions")
    expect(page.get_by_role("table")).to_contain_text(re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC\+8"))
    expect(page.get_by_role("table")).to_contain_text(re.compile(r"just now|minute"))
    # when they switch the console to Chinese
    page.get_by_label("Language").select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.goto("/contracts/")
    # then the same figures are shown the same way, with the total in Chinese
    expect(page.get_by_role("table")).to_contain_text("¥3,163,135.04")
    expect(page.get_by_role("table")).to_contain_text("US$1,605,971.10")
    expect(page.get_by_test_id("contracts-total")).to_have_text("共 3 份合同")
    page.goto("/settings/sessions")
    expect(page.get_by_role("table")).to_contain_text(re.compile(r"UTC\+8"))
    expect(page.get_by_role("table")).to_contain_text(re.compile("刚刚|分钟前"))


def test_empty_contract_lists_say_why(page: Page):
    # given a holder without contracts
    AccountFactory(username="newcomer")
    log_in(page, "newcomer")
    # when they open the contracts page, then it says there are none yet
    page.goto("/contracts/")
    expect(page.get_by_text("No contracts yet.")).to_be_visible()
    # and a search that finds nothing says the filters are why
    page.get_by_label("Search by number or title").fill("nothing")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No contracts match these filters.")).to_be_visible()
    expect(page.get_by_role("link", name="Clear filters")).to_be_visible()


def test_the_language_chosen_before_login_is_kept_at_login(page: Page):
    # given an account that never chose a language (English by default)
    account = AccountFactory(username="traveller", language="en")
    # when a visitor switches the login page to Chinese, then logs in
    page.goto("/login")
    page.get_by_label("Language").select_option("zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录费用中心")
    log_in(page, "traveller")
    # then the console stays in Chinese, on every page, and the account keeps it
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.goto("/overview")
    expect(page.locator("nav.primary-nav").get_by_role("link", name="概览")).to_be_visible()
    account.refresh_from_db()
    assert account.language == "zh-hans"
