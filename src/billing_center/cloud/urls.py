"""``/marketplace/<vendor>/…``: every registered vendor's endpoints, 404 while it is not configured;
``/settings/cloud-account``: Account Settings > Cloud Account."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path

from billing_center.cloud import views
from billing_center.cloud.vendors import MarketplaceVendor, vendors

app_name = "cloud"


def only_when_configured(
    vendor: MarketplaceVendor, view: Callable[..., HttpResponse]
) -> Callable[..., HttpResponse]:
    """``view``, answering 404 while ``vendor``'s settings are missing (checked on every request)."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not vendor.configured():
            raise Http404
        return view(request, *args, **kwargs)

    return guarded


def _guarded(vendor: MarketplaceVendor, patterns: Sequence[URLPattern | URLResolver]) -> list[URLPattern]:
    guarded: list[URLPattern] = []
    for pattern in patterns:
        if not isinstance(pattern, URLPattern):
            raise TypeError(f"{vendor.key}: vendor URLs are flat path() patterns")
        guarded.append(
            path(str(pattern.pattern), only_when_configured(vendor, pattern.callback), name=pattern.name)
        )
    return guarded


urlpatterns: list[URLPattern | URLResolver] = [
    path(f"marketplace/{key}/", include((_guarded(vendor, vendor.urlpatterns()), key)))
    for key, vendor in vendors().items()
]
urlpatterns += [
    path("settings/cloud-account", views.accounts, name="accounts"),
    path("settings/cloud-account/link", views.link, name="link"),
    path("settings/cloud-account/<int:cloud_account_id>/workspaces", views.bind, name="bind"),
    path("settings/cloud-account/workspaces/<str:workspace_id>/settlement", views.settle, name="settle"),
]
