"""The console's product navigation, built from a small registry.

Each entry names a URL by its name; an entry is shown only when ``django.urls`` can reverse that name,
so the pages of apps that are not built yet appear by existing (nothing to switch on). The current
entry is the one whose section (a path prefix) the request's path starts with, so sub-pages such as
``/settings/email`` mark "Account Settings".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str | Promise
    # Path prefix that marks the entry current; "" means the entry's own URL (and the pages below it).
    section: str = ""


@dataclass(frozen=True)
class NavItem:
    url: str
    label: str | Promise
    current: bool


NAVIGATION: tuple[NavEntry, ...] = (
    NavEntry("accounts:overview", _("Overview")),
    NavEntry("workspaces:list", _("Workspaces")),
    NavEntry("cloud:accounts", _("Cloud Accounts")),
    NavEntry("contracts:list", _("Contracts")),
    NavEntry("accounts:profile", _("Account Settings"), section="/settings/"),
)


def _section(entry: NavEntry, url: str) -> str:
    if entry.section:
        return entry.section
    path = url.rstrip("/")
    return path or "/"


def _is_current(path: str, section: str) -> bool:
    if section.endswith("/"):
        return path.startswith(section) or path == section.rstrip("/")
    return path == section or path.startswith(section + "/")


# (id of the entries, urlconf, script prefix) -> (the entries, the routed ones with their URL and section).
# URLs do not change while a process runs; the cache is emptied when a test changes the URL configuration.
# Keyed by identity (hashing the lazy labels would translate them); the entries are kept to check it.
_ROUTED: dict[tuple[Any, ...], tuple[tuple[NavEntry, ...], tuple[tuple[NavEntry, str, str], ...]]] = {}


@receiver(setting_changed)
def _routes_forget(*, setting: str, **kwargs: Any) -> None:
    if setting == "ROOT_URLCONF":
        _ROUTED.clear()


def _routed(entries: tuple[NavEntry, ...]) -> tuple[tuple[NavEntry, str, str], ...]:
    key = (id(entries), get_urlconf(), get_script_prefix())
    cached = _ROUTED.get(key)
    if cached is not None and cached[0] is entries:
        return cached[1]
    found = []
    for entry in entries:
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        found.append((entry, url, _section(entry, url)))
    routed = tuple(found)
    if len(_ROUTED) > 64:
        _ROUTED.clear()
    _ROUTED[key] = (entries, routed)
    return routed


def navigation_items(path: str, entries: tuple[NavEntry, ...] = NAVIGATION) -> list[NavItem]:
    """The entries whose page exists, in registry order, the one ``path`` belongs to marked current."""
    routed = _routed(entries)
    # Only the most specific section is current: a page under /settings/cloud-accounts marks
    # "Cloud Accounts", not also "Account Settings".
    matching = [section for _entry, _url, section in routed if _is_current(path, section)]
    current = max(matching, key=len, default=None)
    return [NavItem(url=url, label=entry.label, current=section == current) for entry, url, section in routed]
