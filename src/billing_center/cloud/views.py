"""Account Settings > Cloud Account: the holder's linked cloud accounts, linking by ids, binding
workspaces; and the AWS landing page's "link to my account" (thin: ``linking``, ``settlement``)."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from billing_center.accounts.models import Account
from billing_center.accounts.sessions import reauth_is_fresh
from billing_center.audit.services import RequestMeta
from billing_center.cloud import linking, selectors, settlement
from billing_center.cloud.models import CloudAccountState, Vendor
from billing_center.core.errors import ApplicationError, ReauthenticationRequired
from billing_center.workspaces.models import LockState, SettlementMethod, Workspace
from billing_center.workspaces.presentation import workspace_row
from billing_center.workspaces.sites import site_label

ID_MAX = 256


def _account(request: HttpRequest) -> Account:
    return cast(Account, request.user)


def _reauth_redirect(back_to: str) -> HttpResponse:
    return redirect(f"{reverse('accounts:reauthenticate')}?{urlencode({'next': back_to})}")


def _page(request: HttpRequest, *, error: str = "", status: int = 200, typed: dict[str, str] | None = None) -> HttpResponse:
    account = _account(request)
    cloud_accounts = selectors.cloud_accounts_for_holder(account=account)
    workspaces = list(
        Workspace.objects.filter(account=account).select_related("cloud_account").order_by("-created_at", "-id")
    )
    cards: list[dict[str, Any]] = []
    for cloud_account in cloud_accounts:
        settled = list(cloud_account.workspaces.all())
        settled_ids = {workspace.pk for workspace in settled}
        cards.append(
            {
                "cloud_account": cloud_account,
                "vendor_label": Vendor(cloud_account.vendor).label,
                "rows": [workspace_row(workspace) for workspace in settled],
                "bindable": cloud_account.state == CloudAccountState.ACTIVE,
                "candidates": [
                    {"workspace": workspace, "site_label": site_label(workspace.site)}
                    for workspace in workspaces
                    if workspace.pk not in settled_ids
                ],
            }
        )
    # Unbound from an ended AWS / Huawei cloud account: locked until the holder picks a method (SPEC §5).
    waiting = [
        workspace_row(workspace)
        for workspace in workspaces
        if workspace.lock_state == LockState.LOCKED and workspace.lock_reason == settlement.ENDED_LOCK_REASON
    ]
    context = {
        "cards": cards,
        "waiting": waiting,
        "error": error,
        "typed": typed or {},
        "vendors": [(Vendor.ALIYUN, Vendor.ALIYUN.label), (Vendor.HUAWEI, Vendor.HUAWEI.label)],
        "reauth_fresh": reauth_is_fresh(request),
    }
    return render(request, "cloud/accounts.html", context, status=status)


def _refused(request: HttpRequest, refusal: ApplicationError, *, typed: dict[str, str] | None = None) -> HttpResponse:
    """A holder's change the services refused: first confirm it is them, else the page with the reason."""
    if isinstance(refusal, ReauthenticationRequired):
        return _reauth_redirect(reverse("cloud:accounts"))
    return _page(request, error=refusal.message, status=refusal.status, typed=typed)


@require_GET
@never_cache
@login_required
def accounts(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@never_cache
@login_required
def link(request: HttpRequest) -> HttpResponse:
    typed = {
        "vendor": request.POST.get("vendor", "")[:16],
        "account_id": request.POST.get("account_id", "")[:ID_MAX + 1],
        "instance_id": request.POST.get("instance_id", "")[:ID_MAX + 1],
    }
    try:
        linked = linking.cloud_account_link(
            account=_account(request),
            vendor=typed["vendor"],
            vendor_account_id=typed["account_id"],
            instance_id=typed["instance_id"],
            reauthenticated=reauth_is_fresh(request),
            meta=RequestMeta.from_request(request),
        )
    except ApplicationError as refusal:
        return _refused(request, refusal, typed=typed)
    messages.success(
        request, _("The cloud account %(instance)s is linked.") % {"instance": linked.instance_id}
    )
    return redirect("cloud:accounts")


@require_POST
@never_cache
@login_required
def bind(request: HttpRequest, cloud_account_id: int) -> HttpResponse:
    workspace_ids = [value[:ID_MAX] for value in request.POST.getlist("workspace_ids")][: 100]
    if not workspace_ids:
        return _page(request, error=_("Choose at least one workspace."), status=422)
    try:
        results = settlement.cloud_account_workspaces_bind(
            account=_account(request),
            cloud_account_id=cloud_account_id,
            workspace_ids=workspace_ids,
            reauthenticated=reauth_is_fresh(request),
            meta=RequestMeta.from_request(request),
        )
    except ApplicationError as refusal:
        return _refused(request, refusal)
    for result in results:
        if result.ok:
            messages.success(request, _("Workspace %(id)s is now settled by this cloud account.") % {"id": result.workspace_id})
        else:
            messages.error(
                request,
                _("Workspace %(id)s was not moved: %(why)s")
                % {"id": result.workspace_id, "why": settlement.refusal_text(result.code or "")},
            )
    return redirect("cloud:accounts")


@require_POST
@never_cache
@login_required
def settle(request: HttpRequest, workspace_id: str) -> HttpResponse:
    """Settle one workspace on the account (the page's answer to a workspace locked by an ended cloud account)."""
    try:
        settlement.settlement_change(
            account=_account(request),
            workspace_id=workspace_id[:ID_MAX],
            method=SettlementMethod.ACCOUNT,
            cloud_account_id=None,
            reauthenticated=reauth_is_fresh(request),
            meta=RequestMeta.from_request(request),
        )
    except ApplicationError as refusal:
        return _refused(request, refusal)
    messages.success(
        request, _("Workspace %(id)s is now settled by your Billing Center account.") % {"id": workspace_id}
    )
    return redirect("cloud:accounts")


def aws_landing_link(request: HttpRequest, registration: str) -> HttpResponse:
    """POST on the AWS landing page: link its subscription to the logged-in holder (after re-authentication)."""
    here = request.path
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': here})}")
    if not reauth_is_fresh(request):
        return _reauth_redirect(here)
    try:
        linked = linking.cloud_account_link_aws(
            account=_account(request),
            registration=registration,
            reauthenticated=True,
            meta=RequestMeta.from_request(request),
        )
    except ApplicationError as refusal:
        response = render(
            request, "cloud/aws/registration_problem.html", {"problem": "landing"}, status=refusal.status
        )
        response["Referrer-Policy"] = "no-referrer"
        return response
    messages.success(
        request, _("The AWS Marketplace subscription %(instance)s is linked.") % {"instance": linked.instance_id}
    )
    return redirect("cloud:accounts")
