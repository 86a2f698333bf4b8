"""Attachment files: PDF check by content, safe names, and a safe Content-Disposition header (on the
shared upload checks of ``core.files``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from billing_center.core import files
from billing_center.core.errors import ValidationFailed

PDF_EOF = b"%%EOF"
# Writers append whitespace, a newline or a few bytes of junk after %%EOF; 1 KiB is what readers accept.
PDF_EOF_WINDOW = 1024
_NAMES = {"extension": ".pdf", "fallback_stem": "contract"}


@dataclass(frozen=True)
class CheckedPdf:
    size: int
    sha256: str
    original_name: str


def pdf_check(upload: Any, *, name: str | None = None) -> CheckedPdf:
    """Size, magic bytes and trailer of an uploaded file; raises ValidationFailed(field="file").

    ``upload`` is a Django ``File``/``UploadedFile`` (or any seekable binary file). The declared size
    is checked first so an oversized upload is refused without reading it; the bytes are then counted
    while hashing, so a wrong declared size cannot slip through.
    """
    limit = settings.CONTRACT_ATTACHMENT_MAX_BYTES
    try:
        scan = files.upload_scan(upload, max_bytes=limit, tail_bytes=PDF_EOF_WINDOW)
    except files.UploadTooLarge:
        raise ValidationFailed(
            _("The file is larger than %(size)s MB.") % {"size": f"{limit / (1024 * 1024):g}"},
            field="file",
            code="attachment_too_large",
        ) from None
    if scan.kind != "pdf":
        raise ValidationFailed(_("The file is not a PDF document."), field="file", code="attachment_not_pdf")
    if PDF_EOF not in scan.tail:
        raise ValidationFailed(
            _("The PDF document is incomplete (no end-of-file marker)."),
            field="file",
            code="attachment_not_pdf",
        )
    original = safe_file_name(name if name is not None else getattr(upload, "name", "") or "")
    return CheckedPdf(size=scan.size, sha256=scan.sha256, original_name=original)


def safe_file_name(name: str) -> str:
    """The last path segment, NFC, without control or reserved characters, ending in .pdf."""
    return files.safe_file_name(name, **_NAMES)


def ascii_fallback_name(name: str) -> str:
    """``name`` (already cleaned, ending in .pdf) reduced to safe ASCII, for clients without RFC 5987."""
    return files.ascii_fallback_name(name, **_NAMES)


def content_disposition(name: str) -> str:
    """``attachment; filename="…"; filename*=UTF-8''…`` for a contract attachment."""
    return files.content_disposition(name, **_NAMES)
