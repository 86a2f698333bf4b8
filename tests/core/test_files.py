"""core.files: one streaming pass gives the exact size, hash and sniffed kind; names are cleaned."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.base import ContentFile

from billing_center.core.files import UploadTooLarge, content_kind, safe_file_name, upload_scan


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n...", "pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "png"),
        (b"\xff\xd8\xff\xe0JFIF", "jpeg"),
        (b"GIF89a", None),
        (b"", None),
    ],
)
def test_the_kind_comes_from_the_leading_bytes(data, kind):
    assert content_kind(data) == kind


def test_one_pass_counts_hashes_and_keeps_head_and_tail():
    # given an upload larger than one read chunk, named as something else
    data = b"\x89PNG\r\n\x1a\n" + b"x" * 200_000 + b"END"
    upload = ContentFile(data, name="photo.pdf")
    # when it is scanned
    scan = upload_scan(upload, max_bytes=len(data), tail_bytes=3)
    # then size, hash and kind are the content's own, and the file is rewound
    assert (scan.size, scan.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert scan.kind == "png" and scan.tail == b"END"
    assert upload.tell() == 0


def test_too_large_by_declared_size_or_by_the_bytes():
    class Lying(io.BytesIO):
        size = 1

    with pytest.raises(UploadTooLarge):
        upload_scan(ContentFile(b"x" * 11, name="a"), max_bytes=10)
    with pytest.raises(UploadTooLarge) as refused:
        upload_scan(Lying(b"x" * 11), max_bytes=10)
    assert refused.value.limit == 10


def test_names_keep_the_last_segment_and_the_given_extension():
    assert safe_file_name("../../etc/scan\u202egpj.png", extension=".png", fallback_stem="document") == (
        "scan_gpj.png"
    )
    assert safe_file_name(" . ", extension=".jpeg", fallback_stem="document") == "document.jpeg"
