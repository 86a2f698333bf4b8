"""Shared checks of uploaded files (contracts' PDFs now, certification's documents next).

Nothing here trusts the client: the declared size is only a shortcut to refuse early, the bytes are
counted while hashing, the type is sniffed from the content, and names are cleaned before they reach
storage or a header. The apps turn ``UploadTooLarge`` and an unexpected kind into their own errors.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import quote

_CHUNK = 64 * 1024
_UNSAFE_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]')
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# Content kinds by their leading bytes: what a file is, whatever its name or declared type says.
MAGIC = {
    "pdf": b"%PDF-",
    "png": b"\x89PNG\r\n\x1a\n",
    "jpeg": b"\xff\xd8\xff",
}
HEAD_BYTES = max(len(magic) for magic in MAGIC.values())


class UploadTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"upload larger than {limit} bytes")
        self.limit = limit


@dataclass(frozen=True)
class UploadScan:
    size: int
    sha256: str
    head: bytes
    tail: bytes

    @property
    def kind(self) -> str | None:
        return content_kind(self.head)


def content_kind(head: bytes) -> str | None:
    """``pdf``, ``png`` or ``jpeg`` from the first bytes, or None."""
    return next((kind for kind, magic in MAGIC.items() if head.startswith(magic)), None)


def upload_scan(upload: Any, *, max_bytes: int, tail_bytes: int = 1024) -> UploadScan:
    """Read ``upload`` (a Django ``File`` or any seekable binary file) once: exact size, SHA-256, the
    first and the last bytes. Raises ``UploadTooLarge`` by the declared size before reading, and by the
    counted bytes as soon as they pass ``max_bytes``. The file is left at position 0."""
    declared = getattr(upload, "size", None)
    if declared is not None and declared > max_bytes:
        raise UploadTooLarge(max_bytes)
    stream: IO[bytes] = upload
    stream.seek(0)
    digest = hashlib.sha256()
    size = 0
    head = b""
    tail = b""
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise UploadTooLarge(max_bytes)
        digest.update(chunk)
        if len(head) < HEAD_BYTES:
            head = (head + chunk)[:HEAD_BYTES]
        tail = (tail + chunk)[-tail_bytes:]
    stream.seek(0)
    return UploadScan(size=size, sha256=digest.hexdigest(), head=head, tail=tail)


def safe_file_name(name: str, *, extension: str, fallback_stem: str) -> str:
    """The last path segment, NFC, without control, reserved or invisible characters, ending in
    ``extension`` (e.g. ``.pdf``); ``fallback_stem`` when nothing is left."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE_NAME_CHARS.sub("_", base)
    # C1 controls, line/paragraph separators and invisible format characters (bidi overrides that
    # spoof an extension, zero-width spaces, BOM) are not visible in a name either.
    base = "".join("_" if unicodedata.category(char) in _INVISIBLE_CATEGORIES else char for char in base)
    base = base.strip(" .")
    if not base:
        base = fallback_stem
    stem = base[: -len(extension)] if base.lower().endswith(extension) else base
    return f"{stem[:200]}{extension}"


def ascii_fallback_name(name: str, *, extension: str, fallback_stem: str) -> str:
    """``name`` (already cleaned, ending in ``extension``) reduced to safe ASCII, for clients without
    RFC 5987."""
    stem = name[: -len(extension)] if name.lower().endswith(extension) else name
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    ascii_stem = re.sub(r"[^A-Za-z0-9._ -]", "_", ascii_stem).strip(" .")
    if not any(ch.isalnum() for ch in ascii_stem):
        return f"{fallback_stem}{extension}"
    return f"{ascii_stem}{extension}"


def content_disposition(name: str, *, extension: str, fallback_stem: str) -> str:
    """``attachment`` with an ASCII ``filename`` for old clients and ``filename*`` (RFC 5987/6266).

    Both parts are built from a cleaned name: no quotes, backslashes, control characters or
    semicolons can reach the header, so the value cannot end early or inject a header.
    """
    cleaned = safe_file_name(name, extension=extension, fallback_stem=fallback_stem)
    fallback = ascii_fallback_name(cleaned, extension=extension, fallback_stem=fallback_stem)
    encoded = quote(cleaned, safe="")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
