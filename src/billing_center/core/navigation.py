"""The console's product navigation, built from a small registry.

Each entry names a URL by its name; an entry is shown only when ``django.urls`` can reverse that name,
so the pages of apps that are not built yet appear by existing (nothing to switch on). The current
entry is the one whose section (a path prefix) the request's path starts with, so sub-pages such as
``/settings/email`` mark "Account Settings".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str | Promise
    # Path prefix that marks the entry current; "" means the first path segment of its URL.
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
    NavEntry("certification:page", _("Certification")),
    NavEntry("contracts:list", _("Contracts")),
    NavEntry("accounts:profile", _("Account Settings"), section="/settings/"),
)


def _section(entry: NavEntry, url: str) -> str:
    if entry.section:
        return entry.section
    first = url.strip("/").split("/", 1)[0]
    return f"/{first}" if first else "/"


def _is_current(path: str, section: str) -> bool:
    if section.endswith("/"):
        return path.startswith(section) or path == section.rstrip("/")
    return path == section or path.startswith(section + "/")


def navigation_items(path: str, entries: tuple[NavEntry, ...] = NAVIGATION) -> list[NavItem]:
    """The entries whose page exists, in registry order, the one ``path`` belongs to marked current."""
    items = []
    for entry in entries:
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        items.append(NavItem(url=url, label=entry.label, current=_is_current(path, _section(entry, url))))
    return items
