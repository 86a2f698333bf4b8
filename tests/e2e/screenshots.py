"""Screenshots of the main console pages at 390 px and 1280 px, in English and in Chinese, written to
docs/screenshots/<language>-<width>-<page>.png. Not part of the test suite (the file name does not
start with ``test_``): run it with ``make screenshots``, which passes this file to pytest explicitly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.shell_support import BROWSER_LOCALES, LANGUAGES, WIDTHS, holder_with_everything, log_in

pytestmark = pytest.mark.django_db(transaction=True)

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VISITOR_SHOTS = {"landing": "/", "signup": "/signup"}
HOLDER_SHOTS = {
    "overview": "/overview",
    "contracts": "/contracts/",
    "contract": "/contracts/{contract}/",
    "profile": "/settings/profile",
    "sessions": "/settings/sessions",
    "security-log": "/settings/security-log",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_screenshots(browser, live_server, language):
    account, contract = holder_with_everything(username=f"demo{language[:2]}", language=language)
    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    for width in WIDTHS:
        context = browser.new_context(
            base_url=live_server.url, locale=BROWSER_LOCALES[language], viewport={"width": width, "height": 800}
        )
        page = context.new_page()
        try:
            shots = [(name, path, False) for name, path in VISITOR_SHOTS.items()]
            shots += [(name, path.format(contract=contract.pk), True) for name, path in HOLDER_SHOTS.items()]
            logged_in = False
            for name, path, needs_login in shots:
                if needs_login and not logged_in:
                    log_in(page, account.username)
                    logged_in = True
                page.goto(path)
                target = OUT / f"{language}-{width}-{name}.png"
                page.screenshot(path=str(target), full_page=True)
                written.append(target)
        finally:
            context.close()
    assert all(path.stat().st_size > 0 for path in written)
