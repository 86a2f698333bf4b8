"""The site table (``WORKSPACE_SITES``): each console site and the cloud vendor that serves it."""

from __future__ import annotations

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing_center.core.errors import ValidationFailed

# Where the default sites are; a site added by configuration shows its code only.
SITE_LABELS: dict[str, Promise] = {
    "cn1": _("Hangzhou"),
    "cn2": _("Ningxia"),
    "cn4": _("Guangzhou"),
    "cn6": _("Hong Kong"),
    "us1": _("Oregon"),
    "eu1": _("Frankfurt"),
    "ap1": _("Singapore"),
}

VENDOR_LABELS: dict[str, Promise] = {
    "aws": _("AWS"),
    "aliyun": _("Alibaba Cloud"),
    "huawei": _("Huawei Cloud"),
}


def sites() -> dict[str, str]:
    """Site code → vendor (``aws``, ``aliyun``, ``huawei``), in configuration order."""
    return dict(settings.WORKSPACE_SITES)


def site_exists(site: str) -> bool:
    return site in settings.WORKSPACE_SITES


def site_require(site: str) -> str:
    """The site, when it is one of the table's; else ValidationFailed on ``site``."""
    if not site_exists(site):
        raise ValidationFailed(gettext("This site is not known."), field="site", code="unknown_site")
    return site


def site_vendor(site: str) -> str:
    return str(settings.WORKSPACE_SITES.get(site, ""))


def site_label(site: str) -> str:
    """``cn1 · Hangzhou (Alibaba Cloud)``-style label for pages."""
    place = SITE_LABELS.get(site)
    vendor = VENDOR_LABELS.get(site_vendor(site))
    text = f"{site} · {place}" if place else site
    return f"{text} ({vendor})" if vendor else text


def site_choices() -> list[tuple[str, str]]:
    return [(code, site_label(code)) for code in sites()]
