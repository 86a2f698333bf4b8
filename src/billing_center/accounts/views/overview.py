"""The Overview page: the account at a glance (enterprise, the figures the other apps register —
workspaces, cloud accounts, active contracts, certification state —, the latest security events).
Thin: the reads live in ``selectors.overview``."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from billing_center.accounts.choices import industry_label, region_label
from billing_center.accounts.models import Account
from billing_center.accounts.selectors.overview import overview_for_account
from billing_center.accounts.selectors.settings import event_label


def _url_or_empty(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@never_cache
@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    account = cast(Account, request.user)
    data = overview_for_account(account=account)
    context = {
        "account": account,
        "figures": [{"figure": figure, "url": _url_or_empty(figure.url_name)} for figure in data.figures],
        "events": [{"row": row, "label": event_label(row.event)} for row in data.recent_events],
        "industry_label": industry_label(account.industry) if account.industry else "",
        "region_label": region_label(account.region) if account.region else "",
    }
    return render(request, "accounts/overview.html", context)
