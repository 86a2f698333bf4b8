"""Shared steps of the console-shell browser tests: a holder with something on every page, logging
in by the form's field names (so the same step works in both languages), the sideways-scroll check,
and axe-core injected from the vendored file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from billing_center.accounts.models import Account
from billing_center.audit.events import event_type  # noqa: F401  (the declarations load with the apps)
from tests.contracts.conftest import add_attachment
from tests.factories import DEFAULT_PASSWORD, AccountFactory, ContractFactory

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WIDTHS = (390, 1280)
LANGUAGES = ("en", "zh-hans")
BROWSER_LOCALES = {"en": "en-US", "zh-hans": "zh-CN"}
# Pages a visitor sees, and pages of a logged-in holder ("{contract}" is one of their contracts).
VISITOR_PAGES = ("/", "/login", "/login/code", "/signup", "/password-reset", "/no-such-page")
HOLDER_PAGES = (
    "/overview",
    "/contracts/",
    "/contracts/{contract}/",
    "/settings/profile",
    "/settings/email",
    "/settings/phone",
    "/settings/security",
    "/settings/sessions",
    "/settings/security-log",
    "/reauthenticate?next=/settings/security",
    "/logout",
)
OTHER_DEVICE_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/128.0"


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def holder_with_everything(*, username: str, language: str = "en") -> tuple[Account, Any]:
    """A holder with long-titled contracts in two currencies (one with a PDF), an expired one, and a
    second session on another device."""
    account = AccountFactory(
        username=username, language=language, phone="+8613800138000", enterprise_name="杭州云观测科技有限公司",
        region="cn-east",
    )
    first = ContractFactory(
        account=account, number="HT-2026-0001", currency="CNY", amount=Decimal("3163135.04"),
        title="Observability Platform Annual Subscription with Premium Support and Data Retention Add-on",
    )
    add_attachment(first, name="HT-2026-0001 signed.pdf", text="HT-2026-0001")
    ContractFactory(account=account, number="HT-2026-0002", currency="USD", amount=Decimal("1605971.10"))
    ContractFactory(
        account=account, number="HT-2021-0003", signed_on=days(-900), starts_on=days(-900), ends_on=days(-500)
    )
    other = Client(HTTP_USER_AGENT=OTHER_DEVICE_UA)
    other.force_login(account, backend="billing_center.accounts.backends.IdentifierBackend")
    session = other.session
    session["_bc_ua"] = OTHER_DEVICE_UA
    session.save()
    return account, first


def log_in(page: Page, identifier: str, password: str = DEFAULT_PASSWORD) -> None:
    page.goto("/login")
    form = page.locator("form.auth-form")
    form.locator("input[name=identifier]").fill(identifier)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    expect(page.locator(".user-menu .who")).to_contain_text(identifier)


def overflow(page: Page) -> dict[str, int]:
    """The document's width against the viewport's (both in CSS pixels)."""
    return page.evaluate(
        "() => ({document: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth})"
    )


def serious_axe_violations(page: Page) -> list[str]:
    """Serious and critical axe-core violations of the page, as "rule-id: target, …" lines."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 5).join(', '))"
    )
    return list(results)


def check_page(page: Page, path: str) -> list[str]:
    """Load ``path`` and return what is wrong with it (sideways scroll, axe violations)."""
    response = page.goto(path)
    problems = []
    expected = 404 if path == "/no-such-page" else 200
    if response is None or response.status != expected:
        problems.append(f"{path}: HTTP {response.status if response else 'none'}")
    widths = overflow(page)
    if widths["document"] > widths["viewport"]:
        problems.append(f"{path}: document {widths['document']}px wide in a {widths['viewport']}px viewport")
    problems.extend(f"{path}: {line}" for line in serious_axe_violations(page))
    return problems
