"""Holder API for contracts: /api/v1/contracts (list, export.csv, detail, attachment download)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from ninja import Router, Schema
from ninja.params import functions as param

from billing_center.audit.services import RequestMeta
from billing_center.contracts.models import Contract, ContractAttachment
from billing_center.contracts.responses import attachment_file_response, export_csv_response
from billing_center.contracts.selectors import (
    SEARCH_MAX_LENGTH,
    ContractFilters,
    attachment_for_holder,
    contract_for_holder,
    contract_page_for_holder,
)
from billing_center.core.api import HolderSession, holder
from billing_center.core.api.responses import json_answer
from billing_center.core.pagination import MAX_LIMIT

router = Router(tags=["contracts"], auth=HolderSession())

StatusFilter = Literal["pending", "active", "expired", "terminated"]


class ContractOut(Schema):
    id: int
    number: str
    title: str
    type: str
    currency: str
    amount: Decimal
    signed_on: date
    starts_on: date
    ends_on: date
    status: str
    terminated_on: date | None

    @staticmethod
    def of(contract: Contract) -> dict[str, object]:
        return {
            "id": contract.pk,
            "number": contract.number,
            "title": contract.title,
            "type": contract.type,
            "currency": contract.currency,
            "amount": contract.amount,
            "signed_on": contract.signed_on,
            "starts_on": contract.starts_on,
            "ends_on": contract.ends_on,
            "status": contract.holder_status,  # type: ignore[attr-defined]
            "terminated_on": contract.terminated_on,
        }


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    sha256: str
    content_type: str
    uploaded_at: str
    download_url: str


class ContractDetailOut(ContractOut):
    attachments: list[AttachmentOut]


class ContractPageOut(Schema):
    items: list[ContractOut]
    next_cursor: str | None


def _attachment_out(attachment: ContractAttachment) -> dict[str, object]:
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "content_type": attachment.content_type,
        "uploaded_at": attachment.created_at.isoformat(),
        "download_url": reverse(
            "api:contract_attachment_download",
            kwargs={"contract_id": attachment.contract_id, "attachment_id": attachment.pk},
        ),
    }


def _filters(
    status: StatusFilter | None, q: str | None, signed_from: date | None, signed_to: date | None
) -> ContractFilters:
    return ContractFilters.build(status=status, q=q, signed_from=signed_from, signed_to=signed_to)


@router.get("", response=ContractPageOut, summary="List my contracts (newest first, cursor pagination)")
def contract_list(
    request: HttpRequest,
    status: StatusFilter | None = None,
    q: str | None = param.Query(None, max_length=SEARCH_MAX_LENGTH, description="Number prefix or words of the title"),
    signed_from: date | None = None,
    signed_to: date | None = None,
    cursor: str | None = param.Query(None, max_length=512),
    limit: int | None = param.Query(None, ge=1, le=MAX_LIMIT),
) -> HttpResponse:
    page = contract_page_for_holder(
        account=holder(request), filters=_filters(status, q, signed_from, signed_to), cursor=cursor, limit=limit
    )
    # ContractOut.of is ContractOut's dump already (tests/contracts/test_api.py compares them byte for byte).
    return json_answer(
        {"items": [ContractOut.of(contract) for contract in page.items], "next_cursor": page.next_cursor}
    )


# Declared before "/{contract_id}" so the literal path is matched first.
@router.get(
    "/export.csv",
    summary="Export my contracts as CSV (same filters as the list)",
    openapi_extra={"responses": {200: {"description": "CSV", "content": {"text/csv": {}}}}},
)
def contract_export(
    request: HttpRequest,
    status: StatusFilter | None = None,
    q: str | None = param.Query(None, max_length=SEARCH_MAX_LENGTH),
    signed_from: date | None = None,
    signed_to: date | None = None,
) -> StreamingHttpResponse:
    return export_csv_response(
        account=holder(request),
        filters=_filters(status, q, signed_from, signed_to),
        meta=RequestMeta.from_request(request),
    )


@router.get("/{int:contract_id}", response=ContractDetailOut, summary="One of my contracts")
def contract_detail(request: HttpRequest, contract_id: int) -> dict[str, object]:
    contract = contract_for_holder(account=holder(request), contract_id=contract_id)
    return {
        **ContractOut.of(contract),
        "attachments": [_attachment_out(attachment) for attachment in contract.attachments.all()],
    }


@router.get(
    "/{int:contract_id}/attachments/{int:attachment_id}",
    url_name="contract_attachment_download",
    summary="Download an attachment of one of my contracts (PDF)",
    openapi_extra={"responses": {200: {"description": "PDF", "content": {"application/pdf": {}}}}},
)
def contract_attachment_download(request: HttpRequest, contract_id: int, attachment_id: int) -> FileResponse:
    account = holder(request)
    attachment = attachment_for_holder(account=account, contract_id=contract_id, attachment_id=attachment_id)
    return attachment_file_response(attachment=attachment, account=account, meta=RequestMeta.from_request(request))
