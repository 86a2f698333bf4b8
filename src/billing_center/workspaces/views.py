"""Console > Workspaces: the list (filters, cursor pages) and a detail with the history (thin)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from billing_center.core.errors import ApplicationError, NotFound
from billing_center.core.filters import filter_query, next_page_url
from billing_center.workspaces.forms import WorkspaceFilterForm
from billing_center.workspaces.presentation import history_rows, workspace_row
from billing_center.workspaces.selectors import (
    workspace_for_holder,
    workspace_history,
    workspace_page_for_holder,
)

PAGE_SIZE = 20


@require_GET
@login_required
def workspace_list(request: HttpRequest) -> HttpResponse:
    form = WorkspaceFilterForm(request.GET or None)
    rows: list[dict[str, object]] = []
    next_url = ""
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        try:
            page = workspace_page_for_holder(
                account=request.user, filters=form.filters, cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
            status = 400
        else:
            rows = [workspace_row(workspace) for workspace in page.items]
            next_url = next_page_url(form.filters.as_dict(), page.next_cursor)
    context = {
        "form": form,
        "rows": rows,
        "next_url": next_url,
        "filter_query": filter_query(form.filters.as_dict()),
        "is_first_page": not request.GET.get("cursor"),
    }
    return render(request, "workspaces/list.html", context, status=status)


@require_GET
@login_required
def workspace_detail(request: HttpRequest, workspace_id: str) -> HttpResponse:
    try:
        workspace = workspace_for_holder(account=request.user, workspace_id=workspace_id)
    except NotFound:
        return render(request, "workspaces/not_found.html", status=404)
    context = {
        "row": workspace_row(workspace),
        "history": history_rows(workspace_history(workspace=workspace)),
    }
    return render(request, "workspaces/detail.html", context)
