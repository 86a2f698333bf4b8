"""Every console page at 390 px and 1280 px, in English and in Chinese: the document is never wider
than the viewport, and axe-core (the npm package, loaded from tests/e2e/vendor) reports no serious or
critical violation."""

from __future__ import annotations

import pytest

from tests.e2e.shell_support import (
    BROWSER_LOCALES,
    HOLDER_PAGES,
    LANGUAGES,
    VISITOR_PAGES,
    WIDTHS,
    check_page,
    holder_with_everything,
    log_in,
    overflow,
    serious_axe_violations,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_fits_the_viewport_and_passes_axe(browser, live_server, language, width):
    # given a holder with contracts, a PDF and a second session, in the chosen language
    account, contract = holder_with_everything(username=f"fit{width}{language[:2]}", language=language)
    context = browser.new_context(
        base_url=live_server.url,
        locale=BROWSER_LOCALES[language],
        viewport={"width": width, "height": 900},
        bypass_csp=True,  # axe-core is injected as an inline script
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        # when a visitor, then the holder, opens every page
        problems = [problem for path in VISITOR_PAGES for problem in check_page(page, path)]
        log_in(page, account.username)
        assert page.locator("html").get_attribute("lang") == language
        problems += [
            problem for path in HOLDER_PAGES for problem in check_page(page, path.format(contract=contract.pk))
        ]
    finally:
        context.close()
    # then none scrolls sideways or has a serious accessibility violation
    assert problems == [], "\n".join(problems)


def test_the_checks_catch_a_page_that_scrolls_sideways_or_has_an_unlabelled_control(browser, live_server):
    # given the landing page, with a too-wide block and an unlabelled input added to it
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 900}, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto("/")
        page.evaluate(
            "() => { const wide = document.createElement('div'); wide.style.width = '900px'; wide.textContent = 'x';"
            " document.body.append(wide); document.body.append(document.createElement('input')); }"
        )
        # when the same checks run
        widths = overflow(page)
        violations = serious_axe_violations(page)
    finally:
        context.close()
    # then both problems are reported
    assert widths["document"] > widths["viewport"] == 390
    assert any(line.startswith("label:") for line in violations)
