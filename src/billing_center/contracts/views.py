"""Account Settings > Contract Management: list, detail, download, export (thin; selectors do the work)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from billing_center.audit.services import RequestMeta
from billing_center.contracts.forms import STATUS_LABELS, ContractFilterForm
from billing_center.contracts.models import Contract
from billing_center.contracts.responses import attachment_file_response, export_csv_response
from billing_center.contracts.selectors import (
    ContractFilters,
    attachment_for_holder,
    contract_for_holder,
    contract_page_for_holder,
    contracts_for_holder,
)
from billing_center.core.errors import ApplicationError, NotFound
from billing_center.core.filters import filter_query, next_page_url

PAGE_SIZE = 20


def _label(contract: Contract) -> Contract:
    contract.status_label = STATUS_LABELS.get(contract.holder_status, "")  # type: ignore[attr-defined]
    return contract


@require_GET
@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    form = ContractFilterForm(request.GET or None)
    filters = ContractFilters()
    contracts: list[Contract] = []
    next_url = ""
    total = 0
    if form.is_bound and not form.is_valid():
        pass
    else:
        filters = form.filters
        try:
            page = contract_page_for_holder(
                account=request.user, filters=filters, cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            contracts = [_label(contract) for contract in page.items]
            total = contracts_for_holder(account=request.user, filters=filters).count()
            next_url = next_page_url(filters.as_dict(), page.next_cursor)
    query = filter_query(filters.as_dict())
    context = {
        "form": form,
        "contracts": contracts,
        "next_url": next_url,
        "export_query": query,
        "is_first_page": not request.GET.get("cursor"),
        "total": total,
        "filtered": bool(query) or (form.is_bound and not form.is_valid()),
    }
    return render(request, "contracts/list.html", context)


@require_GET
@login_required
def contract_detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    try:
        contract = contract_for_holder(account=request.user, contract_id=contract_id)
    except NotFound:
        return render(request, "contracts/not_found.html", status=404)
    return render(request, "contracts/detail.html", {"contract": _label(contract)})


@require_GET
@login_required
def attachment_download(request: HttpRequest, contract_id: int, attachment_id: int) -> FileResponse | HttpResponse:
    try:
        attachment = attachment_for_holder(account=request.user, contract_id=contract_id, attachment_id=attachment_id)
        return attachment_file_response(
            attachment=attachment, account=request.user, meta=RequestMeta.from_request(request)
        )
    except NotFound:
        return render(request, "contracts/not_found.html", status=404)


@require_GET
@login_required
def contract_export(request: HttpRequest) -> StreamingHttpResponse | HttpResponse:
    form = ContractFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "contracts/list.html", {"form": form, "contracts": [], "is_first_page": True}, status=400)
    filters = form.filters
    return export_csv_response(account=request.user, filters=filters, meta=RequestMeta.from_request(request))
