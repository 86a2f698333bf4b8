"""Reads on workspaces and the one *workspace view* (SPEC §12) every API answers with.

Holder reads are scoped to the holder's account: another account's workspace answers NotFound (404).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from billing_center.core.errors import NotFound, ValidationFailed
from billing_center.core.filters import search_text
from billing_center.core.pagination import Page, first_page_desc, paginate_desc
from billing_center.workspaces.models import LockState, SettlementMethod, Workspace, WorkspaceHistory
from billing_center.workspaces.sites import site_require

SEARCH_MAX_LENGTH = 100
LIST_KEYS = ("created_at", "id")
HISTORY_LIMIT = 100


def _with_relations(queryset: QuerySet[Workspace]) -> QuerySet[Workspace]:
    return queryset.select_related("account", "cloud_account")


def workspace_view(workspace: Workspace) -> dict[str, Any]:
    """``{id, name, site, language, account, settlement, lock, updated_at}`` (SPEC §12)."""
    cloud = workspace.cloud_account if workspace.cloud_account_id else None
    return {
        "id": workspace.pk,
        "name": workspace.name,
        "site": workspace.site,
        "language": workspace.language,
        "account": {"username": workspace.account.username} if workspace.account_id and workspace.account else None,
        "settlement": {
            "method": workspace.settlement_method,
            "cloud_account_id": workspace.cloud_account_id,
            "vendor": cloud.vendor if cloud is not None else None,
        },
        "lock": {
            "state": workspace.lock_state,
            "reason": workspace.lock_reason,
            "deadline": workspace.lock_deadline,
        },
        "updated_at": workspace.updated_at,
    }


def history_view(entry: WorkspaceHistory) -> dict[str, Any]:
    return {
        "at": entry.at,
        "actor": entry.actor,
        "change": entry.change,
        "old": entry.old,
        "new": entry.new,
        "reason": entry.reason,
    }


def workspace_not_found() -> NotFound:
    """The answer for a workspace that is not known (or, to a holder, not theirs)."""
    return NotFound(_("This workspace is not known."), code="workspace_not_found")


def _one(queryset: QuerySet[Workspace]) -> Workspace:
    workspace = _with_relations(queryset).first()
    if workspace is None:
        raise workspace_not_found()
    return workspace


def workspace_get(*, workspace_id: str) -> Workspace:
    """Any workspace by the console's id (platform API, back office)."""
    return _one(Workspace.objects.filter(pk=workspace_id))


def workspace_for_holder(*, account: Any, workspace_id: str) -> Workspace:
    return _one(Workspace.objects.filter(pk=workspace_id, account=account))


def workspace_history(*, workspace: Workspace, limit: int = HISTORY_LIMIT) -> list[WorkspaceHistory]:
    """The newest changes first."""
    return list(WorkspaceHistory.objects.filter(workspace=workspace).order_by("-at", "-id")[:limit])


@dataclass(frozen=True)
class WorkspaceFilters:
    site: str | None = None
    method: str | None = None
    lock_state: str | None = None
    q: str | None = None

    @classmethod
    def build(
        cls,
        *,
        site: str | None = None,
        method: str | None = None,
        lock_state: str | None = None,
        q: str | None = None,
    ) -> WorkspaceFilters:
        """Validated filters; raises ValidationFailed naming the offending parameter."""
        site = (site or "").strip() or None
        if site is not None:
            site_require(site)
        method = (method or "").strip() or None
        if method is not None and method not in SettlementMethod.values:
            raise ValidationFailed(_("Choose a settlement method from the list."), field="method", code="invalid_method")
        lock_state = (lock_state or "").strip() or None
        if lock_state is not None and lock_state not in LockState.values:
            raise ValidationFailed(_("Choose a lock state from the list."), field="lock_state", code="invalid_lock_state")
        q = search_text(q, max_length=SEARCH_MAX_LENGTH, code="workspace_search_too_long")
        return cls(site=site, method=method, lock_state=lock_state, q=q)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def workspaces_for_holder(*, account: Any, filters: WorkspaceFilters) -> QuerySet[Workspace]:
    # Every row's account is the holder: not joined (its ~40 columns per row were most of the list's
    # cost); workspace_page_for_holder sets it on each row.
    queryset = Workspace.objects.filter(account=account).select_related("cloud_account")
    if filters.site:
        queryset = queryset.filter(site=filters.site)
    if filters.method:
        queryset = queryset.filter(settlement_method=filters.method)
    if filters.lock_state:
        queryset = queryset.filter(lock_state=filters.lock_state)
    if filters.q:
        queryset = queryset.filter(Q(name__icontains=filters.q) | Q(id__istartswith=filters.q))
    return queryset


def workspace_page_for_holder(
    *, account: Any, filters: WorkspaceFilters, cursor: str | None, limit: int | None
) -> Page[Workspace]:
    """One page of the holder's workspaces, newest first: one SQL query whatever the page size."""
    page: Page[Workspace]
    if cursor is None and filters == WorkspaceFilters():
        # The page every list opens with: the same query, hand-written (core.pagination.first_page_desc).
        page = first_page_desc(
            Workspace, [("account", "=", account)], keys=LIST_KEYS, limit=limit, related=("cloud_account",)
        )
    else:
        page = paginate_desc(
            workspaces_for_holder(account=account, filters=filters), keys=LIST_KEYS, cursor=cursor, limit=limit
        )
    for workspace in page.items:
        workspace.account = account
    return page


def workspace_count_for_holder(account: Any) -> int:
    """How many workspaces the account settles (the Overview's figure)."""
    return Workspace.objects.filter(account=account).count()
