"""Reads on contracts. Every holder read is scoped to the holder's account and hides drafts; anything
else answers NotFound (404), never 403, so ids of other holders' contracts reveal nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_center.contracts.models import HOLDER_STATUSES, Contract, ContractAttachment, ContractStatus
from billing_center.contracts.services import normalize_number
from billing_center.contracts.status import status_annotation, status_q, visible_to_holder_q
from billing_center.core.errors import NotFound, ValidationFailed
from billing_center.core.filters import search_text
from billing_center.core.pagination import Page, paginate_desc

SEARCH_MAX_LENGTH = 100
LIST_KEYS = ("signed_on", "id")
EXPORT_BATCH = 2000


@dataclass(frozen=True)
class ContractFilters:
    status: str | None = None
    q: str | None = None
    signed_from: date | None = None
    signed_to: date | None = None

    @classmethod
    def build(
        cls,
        *,
        status: str | None = None,
        q: str | None = None,
        signed_from: date | None = None,
        signed_to: date | None = None,
    ) -> ContractFilters:
        """Validated filters; raises ValidationFailed naming the offending parameter."""
        status = (status or "").strip() or None
        if status is not None and status not in HOLDER_STATUSES:
            raise ValidationFailed(
                _("Choose a status from the list."), field="status", code="contract_status_filter_invalid"
            )
        q = search_text(q, max_length=SEARCH_MAX_LENGTH, code="contract_search_too_long")
        if signed_from and signed_to and signed_from > signed_to:
            raise ValidationFailed(
                _("The start of the date range must not be after its end."),
                field="signed_from",
                code="contract_date_range_invalid",
            )
        return cls(status=status, q=q, signed_from=signed_from, signed_to=signed_to)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _holder_contracts(*, account: Any, today: date) -> QuerySet[Contract]:
    return (
        Contract.objects.filter(account=account)
        .filter(visible_to_holder_q())
        .annotate(holder_status=status_annotation(today=today))
    )


def contracts_for_holder(*, account: Any, filters: ContractFilters) -> QuerySet[Contract]:
    """The holder's visible contracts matching ``filters`` (unordered; callers order them)."""
    today = timezone.localdate()
    queryset = _holder_contracts(account=account, today=today)
    if filters.status:
        queryset = queryset.filter(status_q(filters.status, today=today))
    if filters.q:
        # Number by prefix (numbers are stored upper-case, so this is an index range on the unique
        # index), title by substring (a trigram index serves it on PostgreSQL).
        queryset = queryset.filter(Q(number__startswith=normalize_number(filters.q)) | Q(title__icontains=filters.q))
    if filters.signed_from:
        queryset = queryset.filter(signed_on__gte=filters.signed_from)
    if filters.signed_to:
        queryset = queryset.filter(signed_on__lte=filters.signed_to)
    return queryset


def contract_page_for_holder(
    *, account: Any, filters: ContractFilters, cursor: str | None, limit: int | None
) -> Page[Contract]:
    """Newest first (signed on, then id), one SQL query whatever the depth of the page."""
    queryset = contracts_for_holder(account=account, filters=filters)
    return paginate_desc(queryset, keys=LIST_KEYS, cursor=cursor, limit=limit)


def contract_for_holder(*, account: Any, contract_id: int) -> Contract:
    """One visible contract of the holder with its attachments (two queries), else NotFound."""
    contract = (
        _holder_contracts(account=account, today=timezone.localdate())
        .prefetch_related(Prefetch("attachments", queryset=ContractAttachment.objects.order_by("created_at", "id")))
        .filter(pk=contract_id)
        .first()
    )
    if contract is None:
        raise NotFound(_("No such contract."), code="contract_not_found")
    return contract


def attachment_for_holder(*, account: Any, contract_id: int, attachment_id: int) -> ContractAttachment:
    attachment = (
        ContractAttachment.objects.select_related("contract")
        .filter(pk=attachment_id, contract_id=contract_id, contract__account=account)
        .exclude(contract__staff_status="draft")
        .first()
    )
    if attachment is None:
        raise NotFound(_("No such attachment."), code="attachment_not_found")
    return attachment


def contracts_export_rows(*, account: Any, filters: ContractFilters, batch: int = EXPORT_BATCH) -> Iterator[Contract]:
    """Every matching contract in list order, read in keyset batches (no long-lived cursor, bounded
    memory), so an export of a million rows streams."""
    base = contracts_for_holder(account=account, filters=filters).order_by("-signed_on", "-id")
    last: tuple[date, int] | None = None
    while True:
        queryset = base
        if last is not None:
            queryset = queryset.filter(Q(signed_on__lt=last[0]) | Q(signed_on=last[0], id__lt=last[1]))
        rows = list(queryset[:batch])
        yield from rows
        if len(rows) < batch:
            return
        last = (rows[-1].signed_on, rows[-1].pk)


def active_contract_count_for_holder(account: Any) -> int:
    """Contracts in the holder's "active" status today (the Overview's figure)."""
    return Contract.objects.filter(status_q(ContractStatus.ACTIVE, today=timezone.localdate()), account=account).count()
