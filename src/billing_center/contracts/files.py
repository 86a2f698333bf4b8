"""Attachment files: PDF check by content, safe names, and a safe Content-Disposition header."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import quote

from django.conf import settings
from django.utils.translation import gettext as _

from billing_center.core.errors import ValidationFailed

PDF_MAGIC = b"%PDF-"
PDF_EOF = b"%%EOF"
# Writers append whitespace, a newline or a few bytes of junk after %%EOF; 1 KiB is what readers accept.
PDF_EOF_WINDOW = 1024
_CHUNK = 64 * 1024
_UNSAFE_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]')
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


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
    declared = getattr(upload, "size", None)
    if declared is not None and declared > limit:
        raise _too_large(limit)
    stream: IO[bytes] = upload
    stream.seek(0)
    head = stream.read(len(PDF_MAGIC))
    if head != PDF_MAGIC:
        raise ValidationFailed(_("The file is not a PDF document."), field="file", code="attachment_not_pdf")
    stream.seek(0)
    digest = hashlib.sha256()
    size = 0
    tail = b""
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        digest.update(chunk)
        tail = (tail + chunk)[-PDF_EOF_WINDOW:]
    if PDF_EOF not in tail:
        raise ValidationFailed(
            _("The PDF document is incomplete (no end-of-file marker)."),
            field="file",
            code="attachment_not_pdf",
        )
    stream.seek(0)
    original = safe_file_name(name if name is not None else getattr(upload, "name", "") or "")
    return CheckedPdf(size=size, sha256=digest.hexdigest(), original_name=original)


def _too_large(limit: int) -> ValidationFailed:
    return ValidationFailed(
        _("The file is larger than %(size)s MB.") % {"size": f"{limit / (1024 * 1024):g}"},
        field="file",
        code="attachment_too_large",
    )


def safe_file_name(name: str) -> str:
    """The last path segment, NFC, without control or reserved characters, ending in .pdf."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE_NAME_CHARS.sub("_", base)
    # C1 controls, line/paragraph separators and invisible format characters (bidi overrides that
    # spoof an extension, zero-width spaces, BOM) are not visible in a name either.
    base = "".join("_" if unicodedata.category(char) in _INVISIBLE_CATEGORIES else char for char in base)
    base = base.strip(" .")
    if not base:
        base = "contract"
    stem = base[:-4] if base.lower().endswith(".pdf") else base
    return f"{stem[:200]}.pdf"


def ascii_fallback_name(name: str) -> str:
    """``name`` (already cleaned, ending in .pdf) reduced to safe ASCII, for clients without RFC 5987."""
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    ascii_stem = re.sub(r"[^A-Za-z0-9._ -]", "_", ascii_stem).strip(" .")
    if not any(ch.isalnum() for ch in ascii_stem):
        return "contract.pdf"
    return f"{ascii_stem}.pdf"


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII ``filename`` for old clients and ``filename*`` (RFC 5987/6266).

    Both parts are built from a cleaned name: no quotes, backslashes, control characters or
    semicolons can reach the header, so the value cannot end early or inject a header.
    """
    cleaned = safe_file_name(name)
    fallback = ascii_fallback_name(cleaned)
    encoded = quote(cleaned, safe="")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
