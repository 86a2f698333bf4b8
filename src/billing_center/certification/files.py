"""Licence files: the type is decided by content, never by name; images are decoded and re-encoded
with Pillow so only pixels are kept (EXIF, text chunks, trailing data and anything hidden are gone);
PDFs are kept as they are but refused when they carry active content or another format's data."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image

from billing_center.core.errors import ValidationFailed

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
PDF_MAGIC = b"%PDF-"
PDF_EOF = b"%%EOF"
PDF_EOF_WINDOW = 1024

CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "pdf": "application/pdf"}
EXTENSIONS = {"png": ".png", "jpeg": ".jpg", "pdf": ".pdf"}
# The name's extension must agree with the content (a PDF renamed .png is refused).
NAME_EXTENSIONS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".pdf": "pdf"}

# Signatures of other formats: a file that is also one of these (a polyglot) is refused.
FOREIGN_SIGNATURES_IN_IMAGE = (
    PDF_MAGIC,
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"<html",
    b"<script",
    b"<?php",
    b"<svg",
)
FOREIGN_SIGNATURES_IN_PDF = (PNG_MAGIC, b"PK\x03\x04", b"PK\x05\x06", b"<html", b"<script", b"<?php")
# Active content a licence scan never needs.
PDF_ACTIVE_CONTENT = (
    b"/JavaScript",
    b"/JS",
    b"/Launch",
    b"/EmbeddedFile",
    b"/OpenAction",
    b"/AA",
    b"/RichMedia",
)


@dataclass(frozen=True)
class CheckedLicence:
    kind: str
    content: bytes
    content_type: str
    extension: str
    size: int
    sha256: str


def _refuse(message: str, code: str = "licence_file_invalid") -> ValidationFailed:
    return ValidationFailed(message, field="licence_file", code=code)


def _kind_of(head: bytes) -> str | None:
    if head.startswith(PNG_MAGIC):
        return "png"
    if head.startswith(JPEG_MAGIC):
        return "jpeg"
    if head.startswith(PDF_MAGIC):
        return "pdf"
    return None


def licence_file_check(upload: Any, *, name: str | None = None) -> CheckedLicence:
    """Check an uploaded licence (PNG, JPEG or PDF by content, size cap, no polyglot) and return the
    bytes to store: re-encoded pixels for images, the PDF as uploaded. Raises ValidationFailed on the
    ``licence_file`` field."""
    limit = settings.CERTIFICATION_FILE_MAX_BYTES
    declared = getattr(upload, "size", None)
    if declared is not None and declared > limit:
        raise _too_large(limit)
    stream: IO[bytes] = upload
    stream.seek(0)
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    if not data:
        raise _refuse(_("The file is empty."))
    kind = _kind_of(data[:16])
    if kind is None:
        raise _refuse(_("The licence must be a PNG or JPEG image or a PDF document."), "licence_file_type")
    file_name = name if name is not None else getattr(upload, "name", "") or ""
    claimed = NAME_EXTENSIONS.get(PurePosixPath(file_name.replace("\\", "/")).suffix.lower())
    if claimed != kind:
        raise _refuse(
            _("The file's name does not match its content (expected a %(extension)s file name).")
            % {"extension": EXTENSIONS[kind]},
            "licence_file_type_mismatch",
        )
    content = _pdf_checked(data) if kind == "pdf" else _image_reencoded(data, kind)
    if len(content) > limit:
        raise _too_large(limit)
    return CheckedLicence(
        kind=kind,
        content=content,
        content_type=CONTENT_TYPES[kind],
        extension=EXTENSIONS[kind],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _polyglot() -> ValidationFailed:
    return _refuse(
        _("The file also contains data of another format and is refused."), "licence_file_polyglot"
    )


def _pdf_checked(data: bytes) -> bytes:
    if PDF_EOF not in data[-PDF_EOF_WINDOW:]:
        raise _refuse(_("The PDF document is incomplete (no end-of-file marker)."))
    lowered = data.lower()
    if any(signature.lower() in lowered for signature in FOREIGN_SIGNATURES_IN_PDF):
        raise _polyglot()
    if any(_has_name(data, token) for token in PDF_ACTIVE_CONTENT):
        raise _refuse(
            _("The PDF document contains scripts or embedded files and is refused."), "licence_file_active"
        )
    return data


def _has_name(data: bytes, token: bytes) -> bool:
    """A PDF name token (``/JS``) followed by a delimiter, so ``/JSmith`` does not count."""
    start = 0
    while (index := data.find(token, start)) != -1:
        after = data[index + len(token) : index + len(token) + 1]
        if not after or not (after.isalnum() or after in b"_-"):
            return True
        start = index + 1
    return False


def _image_reencoded(data: bytes, kind: str) -> bytes:
    lowered = data.lower()
    if any(signature.lower() in lowered for signature in FOREIGN_SIGNATURES_IN_IMAGE):
        raise _polyglot()
    if kind == "png" and not _png_ends_at_iend(data):
        raise _polyglot()
    if kind == "jpeg" and not data.rstrip(b"\x00\r\n ").endswith(b"\xff\xd9"):
        raise _polyglot()
    max_pixels = settings.CERTIFICATION_IMAGE_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind.upper()]) as probe:
                width, height = probe.size
                if width * height > max_pixels:
                    raise _refuse(
                        _("The image is too large (at most %(pixels)s megapixels).")
                        % {"pixels": f"{max_pixels / 1_000_000:g}"},
                        "licence_file_too_large",
                    )
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[kind.upper()]) as image:
                image.load()
                pixels = _pixels_only(image, kind)
    except ValidationFailed:
        raise
    # Pillow raises many kinds of errors on malformed input (struct.error, EOFError, IndexError …):
    # any failure to decode is a refused file, never a 500.
    except Exception as exc:
        raise _refuse(_("The image could not be read.")) from exc
    output = io.BytesIO()
    if kind == "png":
        pixels.save(output, format="PNG", optimize=True)
    else:
        pixels.save(output, format="JPEG", quality=90)
    return output.getvalue()


def _pixels_only(image: Image.Image, kind: str) -> Image.Image:
    """A new image holding only the pixels (no info, EXIF, ICC or text chunks), upright."""
    from PIL import ImageOps

    upright = ImageOps.exif_transpose(image) or image
    allowed_modes = {"png": ("1", "L", "LA", "RGB", "RGBA"), "jpeg": ("L", "RGB")}[kind]
    mode = upright.mode if upright.mode in allowed_modes else ("RGBA" if kind == "png" else "RGB")
    source = upright.convert(mode)
    clean = Image.new(mode, source.size)
    clean.paste(source)
    return clean


def _png_ends_at_iend(data: bytes) -> bool:
    # IEND chunk: length 0, type IEND, CRC AE 42 60 82 — nothing may follow it.
    return data.endswith(b"\x00\x00\x00\x00IEND\xaeB`\x82")


def _too_large(limit: int) -> ValidationFailed:
    return _refuse(
        _("The file is larger than %(size)s MB.") % {"size": f"{limit / (1024 * 1024):g}"},
        "licence_file_too_large",
    )
