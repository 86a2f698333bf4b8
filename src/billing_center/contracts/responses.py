"""HTTP responses shared by the API and the console: attachment download and CSV export."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_center.audit.services import RequestMeta
from billing_center.contracts.files import content_disposition
from billing_center.contracts.models import ContractAttachment, ContractStatus, ContractType
from billing_center.contracts.selectors import ContractFilters, contracts_export_rows
from billing_center.contracts.services import attachment_download_record, contracts_export_record
from billing_center.core.errors import NotFound

# Spreadsheet programs run a cell that starts with one of these as a formula (CSV injection), the
# fullwidth forms included (some spreadsheets fold U+FF1D to "=").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def attachment_file_response(
    *, attachment: ContractAttachment, account: Any, meta: RequestMeta, actor: Any = None
) -> FileResponse:
    """Stream the stored PDF (audited) with a Content-Disposition no file name can break."""
    try:
        handle = default_storage.open(attachment.file.name or "", "rb")
    except (FileNotFoundError, OSError) as exc:
        raise NotFound(_("The attachment file is not available."), code="attachment_unavailable") from exc
    attachment_download_record(account=account, attachment=attachment, actor=actor, meta=meta)
    response = FileResponse(handle, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(attachment.original_name)
    response["Content-Length"] = str(attachment.size)
    response["Cache-Control"] = "private, no-store"
    return response


def csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[list[object]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def export_csv_response(*, account: Any, filters: ContractFilters, meta: RequestMeta) -> StreamingHttpResponse:
    """The filtered list as CSV, streamed in keyset batches. Labels are resolved now, in the request's
    language, because the body is produced after the view has returned."""
    contracts_export_record(account=account, filters=filters.as_dict(), meta=meta)
    header: list[object] = [
        _("Contract number"),
        _("Title"),
        _("Type"),
        _("Currency"),
        _("Amount"),
        _("Signed on"),
        _("Starts on"),
        _("Ends on"),
        _("Status"),
        _("Terminated on"),
    ]
    type_labels = {value: str(label) for value, label in ContractType.choices}
    status_labels = {value: str(label) for value, label in ContractStatus.choices}

    def rows() -> Iterator[list[object]]:
        yield header
        for contract in contracts_export_rows(account=account, filters=filters):
            yield [
                contract.number,
                contract.title,
                type_labels.get(contract.type, contract.type),
                contract.currency,
                contract.amount,
                contract.signed_on.isoformat(),
                contract.starts_on.isoformat(),
                contract.ends_on.isoformat(),
                status_labels.get(contract.holder_status, contract.holder_status),  # type: ignore[attr-defined]
                contract.terminated_on.isoformat() if contract.terminated_on else "",
            ]

    def body() -> Iterator[str]:
        # A byte-order mark so spreadsheet programs read the UTF-8 (Chinese titles) correctly.
        yield "\ufeff"
        yield from _csv_lines(rows())

    response = StreamingHttpResponse(body(), content_type="text/csv; charset=utf-8")
    filename = f"contracts-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
