"""The marketplace vendors behind one small interface, and their registry.

Each vendor is one module (or package) in this package that exposes ``VENDOR``, a
:class:`MarketplaceVendor`: its key (the ``Vendor`` value, also the URL segment under
``/marketplace/``), whether its settings are present, its URL patterns (built lazily, so importing the
registry does not import every vendor's views) and the handler that re-runs a stored inbox row.
Modules whose name starts with ``_`` are helpers and are not registered.

``cloud/urls.py`` mounts every registered vendor under ``/marketplace/<key>/`` and answers 404 while
the vendor is not configured (checked per request, so a changed setting takes effect at once).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.functional import Promise

if TYPE_CHECKING:
    from django.urls import URLPattern, URLResolver

    from billing_center.cloud.inbox import InboxContext

    UrlList = Sequence[URLPattern | URLResolver]
    Handler = Callable[[InboxContext], dict[str, Any]]


@dataclass(frozen=True)
class MarketplaceVendor:
    key: str
    label: str | Promise
    # Settings that must all be non-empty for the vendor's endpoints to exist.
    required_settings: tuple[str, ...]
    # "module:attribute" of a zero-argument function returning the vendor's URL patterns.
    urls: str
    # "module:attribute" of the handler that processes (and re-runs) one inbox row of this vendor.
    handler: str
    # Settings that are not needed for the endpoints to answer, but for some of their work.
    optional_settings: tuple[str, ...] = field(default=())

    def configured(self) -> bool:
        return all(_present(name) for name in self.required_settings)

    def missing_settings(self) -> list[str]:
        return [name for name in self.required_settings if not _present(name)]

    def missing_optional_settings(self) -> list[str]:
        return [name for name in self.optional_settings if not _present(name)]

    def urlpatterns(self) -> UrlList:
        builder: Callable[[], UrlList] = _resolve(self.urls)
        return builder()

    def inbox_handler(self) -> Handler:
        handler: Handler = _resolve(self.handler)
        return handler


def _present(name: str) -> bool:
    return bool(getattr(settings, name, ""))


def _resolve(dotted: str) -> Any:
    module_name, _, attribute = dotted.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


@cache
def vendors() -> dict[str, MarketplaceVendor]:
    """Every registered vendor by key, in name order."""
    found: dict[str, MarketplaceVendor] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda item: item.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        declared = getattr(module, "VENDOR", None)
        if isinstance(declared, MarketplaceVendor):
            found[declared.key] = declared
    return found


def vendor_get(key: str) -> MarketplaceVendor | None:
    return vendors().get(key)


def configured_vendors() -> list[str]:
    return [key for key, vendor in vendors().items() if vendor.configured()]
