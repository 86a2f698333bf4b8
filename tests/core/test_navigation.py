from __future__ import annotations

import pytest
from django.test import Client

from billing_center.core.navigation import NAVIGATION, NavEntry, navigation_items
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_only_entries_whose_page_exists_are_shown_in_registry_order():
    # given the registry (every entry's page is routed once its app has landed)
    # when the navigation is built for the Overview
    items = navigation_items("/overview")
    # then the routed entries are listed in registry order, the Overview alone marked current
    routed = [entry for entry in NAVIGATION if entry.url_name.split(":")[0] in {"accounts", "workspaces", "contracts"}]
    shown = [str(item.label) for item in items]
    assert [str(entry.label) for entry in routed] == [label for label in shown if label != "Cloud Accounts"]
    assert [item.current for item in items] == [label == "Overview" for label in shown]


def test_the_most_specific_section_alone_is_current():
    # given an entry under another entry's section
    entries = (NavEntry("accounts:profile", "Settings", section="/settings/"), NavEntry("accounts:security_log", "Log"))
    # when a page of the inner section is shown, then only the inner entry is current
    items = navigation_items("/settings/security-log", entries)
    assert [(str(item.label), item.current) for item in items] == [("Settings", False), ("Log", True)]


def test_an_entry_appears_as_soon_as_its_url_name_reverses():
    # given a registry with a name that reverses and one that does not
    entries = (NavEntry("accounts:security_log", "Log"), NavEntry("nowhere:page", "Missing"))
    # when built, then the missing page is left out
    assert [item.url for item in navigation_items("/", entries)] == ["/settings/security-log"]


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/contracts/", "Contracts"),
        ("/contracts/42/", "Contracts"),
        ("/settings/profile", "Account Settings"),
        ("/settings/email", "Account Settings"),
        ("/settings/phone", "Account Settings"),
        ("/overview", "Overview"),
        ("/overviews", None),
    ],
)
def test_sub_pages_mark_their_section(path, current):
    marked = [str(item.label) for item in navigation_items(path) if item.current]
    assert marked == ([current] if current else [])


def test_visitors_get_no_product_navigation_and_holders_do():
    # given a visitor and a logged-in holder
    visitor = Client()
    holder = Client()
    holder.force_login(AccountFactory())
    # when both open a page, then only the holder's shows the product navigation, marked
    assert 'class="primary-nav"' not in visitor.get("/login").content.decode()
    page = holder.get("/settings/email").content.decode()
    assert 'class="primary-nav"' in page
    assert 'href="/settings/profile" aria-current="page">Account Settings</a>' in page
