"""Holder API for workspaces: ``GET /api/v1/workspaces`` (cursor pages) and ``/{workspace_id}``."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.params import functions as param

from billing_center.core.api import HolderSession, holder, problems_for
from billing_center.core.api.responses import json_answer
from billing_center.core.pagination import MAX_LIMIT
from billing_center.workspaces.schemas import WorkspaceDetailOut, WorkspacePageOut
from billing_center.workspaces.selectors import (
    SEARCH_MAX_LENGTH,
    WorkspaceFilters,
    history_view,
    workspace_for_holder,
    workspace_history,
    workspace_page_for_holder,
    workspace_view,
)

router = Router(tags=["workspaces"], auth=HolderSession())


@router.get(
    "",
    response={200: WorkspacePageOut, **problems_for([401, 422])},
    summary="List my workspaces (newest first, cursor pagination)",
)
def workspace_list(
    request: HttpRequest,
    site: str | None = param.Query(None, max_length=16),
    method: Literal["account", "cloud"] | None = None,
    lock_state: Literal["active", "grace", "locked"] | None = None,
    q: str | None = param.Query(None, max_length=SEARCH_MAX_LENGTH, description="Words of the name or an id prefix"),
    cursor: str | None = param.Query(None, max_length=512),
    limit: int | None = param.Query(None, ge=1, le=MAX_LIMIT),
) -> HttpResponse:
    filters = WorkspaceFilters.build(site=site, method=method, lock_state=lock_state, q=q)
    page = workspace_page_for_holder(account=holder(request), filters=filters, cursor=cursor, limit=limit)
    # workspace_view is WorkspaceOut's dump already (tests/workspaces/test_api.py compares them).
    return json_answer(
        {"items": [workspace_view(workspace) for workspace in page.items], "next_cursor": page.next_cursor}
    )


@router.get(
    "/{workspace_id}",
    response={200: WorkspaceDetailOut, **problems_for([401, 404])},
    summary="One of my workspaces, with its history (newest first)",
)
def workspace_detail(request: HttpRequest, workspace_id: str) -> dict[str, object]:
    workspace = workspace_for_holder(account=holder(request), workspace_id=workspace_id)
    return {
        **workspace_view(workspace),
        "history": [history_view(entry) for entry in workspace_history(workspace=workspace)],
    }
