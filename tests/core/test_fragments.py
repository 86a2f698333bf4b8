"""``{% memo %}``: the shell's navigation fragments are rendered once per key and give the same bytes."""

from __future__ import annotations

import re

import pytest
from django.template import engines
from django.test import Client
from django.utils import translation

from billing_center.core.templatetags import fragments
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

PAGES = ["/overview", "/settings/profile", "/settings/security", "/settings/sessions", "/settings/security-log",
         "/workspaces/", "/contracts/", "/settings/cloud-account"]


def _normalized(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value="X"', html)


def _pages(client: Client) -> dict[str, str]:
    pages = {}
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        pages[path] = _normalized(response.content.decode())
    return pages


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_console_pages_are_byte_identical_with_and_without_the_fragment_memo(monkeypatch, language):
    # given a holder whose console is in the given language
    client = Client()
    client.force_login(AccountFactory(language=language))
    # when each page is rendered without the memo, then twice with it (fill, then hit)
    with monkeypatch.context() as patched:
        patched.setattr(fragments.MemoNode, "render", lambda self, context: self.nodelist.render(context))
        plain = _pages(client)
    fragments._FRAGMENTS.clear()
    filled, reused = _pages(client), _pages(client)
    # then the bytes are the same, and the fragments were kept
    assert filled == plain
    assert reused == plain
    assert fragments._FRAGMENTS


def test_a_fragment_is_kept_per_key_and_per_language():
    template = engines["django"].from_string("{% load fragments %}{% memo key %}{{ key }}:{{ other }}{% endmemo %}")
    fragments._FRAGMENTS.clear()
    assert template.render({"key": "a", "other": 1}) == "a:1"
    # the same key reuses the first rendering (the fragment must depend on its keys only) ...
    assert template.render({"key": "a", "other": 2}) == "a:1"
    # ... another key or another language renders again
    assert template.render({"key": "b", "other": 2}) == "b:2"
    with translation.override("zh-hans"):
        assert template.render({"key": "a", "other": 3}) == "a:3"


def test_nothing_is_kept_while_debug_is_on(settings):
    settings.DEBUG = True
    template = engines["django"].from_string("{% load fragments %}{% memo key %}{{ other }}{% endmemo %}")
    assert template.render({"key": "a", "other": 1}) == "1"
    assert template.render({"key": "a", "other": 2}) == "2"
