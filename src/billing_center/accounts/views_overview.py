"""The Overview page: the account at a glance (enterprise, certification state, counts of workspaces,
cloud accounts and active contracts, the latest security events). Thin: the reads live in
``selectors_overview``."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from billing_center.accounts.choices import industry_label, region_label
from billing_center.accounts.models import Account
from billing_center.accounts.selectors_overview import overview_for_account
from billing_center.accounts.selectors_settings import event_label

CERTIFICATION_NOT_SUBMITTED = "not_submitted"
CERTIFICATION_LABELS: dict[str, str | Promise] = {CERTIFICATION_NOT_SUBMITTED: _("Not submitted")}


def certification_state(*, account: Account) -> str:
    """Hook for the certification app: the account's enterprise-certification state.

    Until that app provides its selector, every account reads as "not submitted". Replace the body
    with a call to the certification selector and add its states to ``CERTIFICATION_LABELS``.
    """
    return CERTIFICATION_NOT_SUBMITTED


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
    state = certification_state(account=account)
    context = {
        "account": account,
        "counts": data.counts,
        "events": [{"row": row, "label": event_label(row.event)} for row in data.recent_events],
        "certification_state": state,
        "certification_label": CERTIFICATION_LABELS.get(state, state),
        "industry_label": industry_label(account.industry) if account.industry else "",
        "region_label": region_label(account.region) if account.region else "",
        "links": {
            "workspaces": _url_or_empty("workspaces:list"),
            "cloud_accounts": _url_or_empty("cloud:accounts"),
            "certification": _url_or_empty("certification:page"),
            "contracts": _url_or_empty("contracts:list"),
        },
    }
    return render(request, "accounts/overview.html", context)
