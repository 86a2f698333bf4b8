"""Reads of cloud accounts for the vendor endpoints (and, later, the holder side)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from billing_center.cloud.models import CloudAccount, CloudAccountState
from billing_center.core.errors import NotFound
from billing_center.core.pagination import Page, paginate_desc
from billing_center.workspaces.models import Workspace
from billing_center.workspaces.selectors import workspace_view


def cloud_account_find(*, vendor: str, instance_id: str) -> CloudAccount | None:
    """The cloud account of (vendor, instance id), or None."""
    return CloudAccount.objects.filter(vendor=vendor, instance_id=instance_id).first()


def cloud_account_instances_live(*, vendor: str, instance_ids: Iterable[str]) -> set[str]:
    """Which of ``instance_ids`` are recorded for ``vendor`` and not released (one query)."""
    return set(
        CloudAccount.objects.filter(vendor=vendor, instance_id__in=list(instance_ids))
        .exclude(state=CloudAccountState.RELEASED)
        .values_list("instance_id", flat=True)
    )


# --- The holder side (Account Settings > Cloud Account, ``/api/v1/cloud-accounts``) ----------------

LIST_KEYS = ("created_at", "id")


def _holder_queryset(account: Any) -> QuerySet[CloudAccount]:
    return CloudAccount.objects.filter(account=account).prefetch_related(
        Prefetch(
            "workspaces",
            queryset=Workspace.objects.select_related("account", "cloud_account").order_by("-created_at", "-id"),
        )
    )


def cloud_account_page_for_holder(*, account: Any, cursor: str | None, limit: int | None) -> Page[CloudAccount]:
    """The holder's linked cloud accounts, newest first, with the workspaces each settles (2 queries)."""
    return paginate_desc(_holder_queryset(account), keys=LIST_KEYS, cursor=cursor, limit=limit)


def cloud_accounts_for_holder(*, account: Any) -> list[CloudAccount]:
    """All of the holder's linked cloud accounts (for the page), with their workspaces."""
    return list(_holder_queryset(account).order_by("-created_at", "-id"))


def cloud_account_for_holder(*, account: Any, cloud_account_id: int) -> CloudAccount:
    """One of the holder's cloud accounts; another account's (or none) raises ``NotFound``."""
    found = _holder_queryset(account).filter(pk=cloud_account_id).first()
    if found is None:
        raise NotFound(_("This cloud account is not known."), code="cloud_account_not_found")
    return found


def cloud_account_view(cloud_account: CloudAccount) -> dict[str, Any]:
    """``{id, vendor, vendor_account_id, instance_id, product, state, trial, expires_at, linked_at, workspaces}``."""
    return {
        "id": cloud_account.pk,
        "vendor": cloud_account.vendor,
        "vendor_account_id": cloud_account.vendor_account_id,
        "instance_id": cloud_account.instance_id,
        "product": cloud_account.product,
        "state": cloud_account.state,
        "trial": cloud_account.trial,
        "expires_at": cloud_account.expires_at,
        "linked_at": cloud_account.linked_at,
        "workspaces": [workspace_view(workspace) for workspace in cloud_account.workspaces.all()],
    }


def cloud_account_count_for_holder(account: Any) -> int:
    """How many cloud accounts are linked to the account (the Overview's figure)."""
    return CloudAccount.objects.filter(account=account).count()
