from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile

from billing_center.contracts.demo import sample_pdf
from billing_center.contracts.files import content_disposition, pdf_check, safe_file_name
from billing_center.core.errors import ValidationFailed


def test_a_real_pdf_passes_with_size_and_hash():
    data = sample_pdf("hello")
    checked = pdf_check(ContentFile(data, name="a.pdf"))
    assert checked.size == len(data)
    assert checked.original_name == "a.pdf"


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a not a pdf %%EOF",
        b"<html>%PDF-1.4</html>%%EOF",
        b"",
        b"%PDF-1.4\n" + b"x" * 5000,  # no trailer: truncated or fake
        b"%PDF-1.4\n%%EOF\n" + b" " * 2000,  # trailer too far from the end
    ],
)
def test_content_that_is_not_a_complete_pdf_is_refused_whatever_the_name(data):
    with pytest.raises(ValidationFailed) as error:
        pdf_check(ContentFile(data, name="contract.pdf"))
    assert error.value.code == "attachment_not_pdf"
    assert error.value.field == "file"


def test_too_large_by_declared_size_is_refused_before_reading(settings):
    settings.CONTRACT_ATTACHMENT_MAX_BYTES = 1024
    upload = ContentFile(sample_pdf("x") + b" " * 2000, name="big.pdf")
    with pytest.raises(ValidationFailed) as error:
        pdf_check(upload)
    assert error.value.code == "attachment_too_large"


def test_too_large_by_actual_bytes_is_refused_even_if_the_declared_size_lies(settings):
    settings.CONTRACT_ATTACHMENT_MAX_BYTES = 1024

    class Lying(io.BytesIO):
        size = 10
        name = "small.pdf"

    with pytest.raises(ValidationFailed) as error:
        pdf_check(Lying(b"%PDF-1.4\n" + b"x" * 4096 + b"%%EOF"))
    assert error.value.code == "attachment_too_large"


def test_the_default_limit_is_20_mb(settings):
    assert settings.CONTRACT_ATTACHMENT_MAX_BYTES == 20 * 1024 * 1024


@pytest.mark.parametrize(
    ("name", "fallback", "encoded"),
    [
        ("contract.pdf", "contract.pdf", "contract.pdf"),
        ("合同 2025.pdf", "2025.pdf", "%E5%90%88%E5%90%8C%202025.pdf"),
        ('evil".pdf\r\nSet-Cookie: x=1', "evil_.pdf__Set-Cookie_ x_1.pdf", None),
        ("Café Überweisung.PDF", "Cafe Uberweisung.pdf", None),
        ("合同.pdf", "contract.pdf", None),
    ],
)
def test_content_disposition_is_safe_with_ascii_fallback_and_utf8_name(name, fallback, encoded):
    header = content_disposition(name)
    # no way to end the header or the parameter early
    assert "\r" not in header and "\n" not in header
    assert header.count('"') == 2
    assert header.startswith(f'attachment; filename="{fallback}"; filename*=UTF-8\'\'')
    if encoded:
        assert header.endswith(encoded)
    header.encode("ascii")  # the whole header is ASCII


def test_safe_file_name_keeps_only_the_last_segment():
    assert safe_file_name("C:\\Users\\me\\x.pdf") == "x.pdf"
    assert safe_file_name("../../passwd") == "passwd.pdf"
    assert safe_file_name("") == "contract.pdf"


def _pdf_of_size(size: int) -> bytes:
    head, tail = b"%PDF-1.7\n", b"\n%%EOF\n"
    return head + b"0" * (size - len(head) - len(tail)) + tail


def test_a_pdf_of_exactly_the_default_20_mb_passes_and_one_byte_more_is_refused():
    # given the shipped limit of 20 MB
    limit = 20 * 1024 * 1024
    # when a PDF of exactly that size is checked, then it passes with its real size
    assert pdf_check(ContentFile(_pdf_of_size(limit), name="exact.pdf")).size == limit
    # and when it is one byte larger, it is refused as too large
    with pytest.raises(ValidationFailed) as error:
        pdf_check(ContentFile(_pdf_of_size(limit + 1), name="over.pdf"))
    assert error.value.code == "attachment_too_large"


def test_the_byte_count_is_exact_at_the_limit_even_when_the_declared_size_lies(settings):
    # given a small limit and files whose declared size says nothing
    settings.CONTRACT_ATTACHMENT_MAX_BYTES = 4096

    class Undeclared(io.BytesIO):
        size = None
        name = "x.pdf"

    # then exactly the limit passes and one byte more is refused while reading
    assert pdf_check(Undeclared(_pdf_of_size(4096))).size == 4096
    with pytest.raises(ValidationFailed) as error:
        pdf_check(Undeclared(_pdf_of_size(4097)))
    assert error.value.code == "attachment_too_large"


def test_a_pdf_header_with_another_name_or_declared_type_is_stored_as_a_pdf_named_pdf():
    # given PDF content uploaded as an HTML file with an HTML content type
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("page.html", sample_pdf("x"), content_type="text/html")
    # when it is checked, then it is a PDF by content and its name can only end in .pdf
    assert pdf_check(upload).original_name == "page.html.pdf"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a\x85b.pdf", "a_b.pdf"),  # C1 control (NEXT LINE)
        ("a\u2028b.pdf", "a_b.pdf"),  # LINE SEPARATOR
        ("a\u2029b.pdf", "a_b.pdf"),  # PARAGRAPH SEPARATOR
        ("a\u202eb.pdf", "a_b.pdf"),  # RIGHT-TO-LEFT OVERRIDE ("invoice\u202efdp.exe" spoofs the extension)
        ("a\u200bb.pdf", "a_b.pdf"),  # ZERO WIDTH SPACE
        ("\ufeffab.pdf", "_ab.pdf"),  # BYTE ORDER MARK
    ],
)
def test_control_and_invisible_format_characters_never_reach_the_stored_name_or_the_header(name, expected):
    # when a file name carries a control, line-separator or invisible format character
    cleaned = safe_file_name(name)
    header = content_disposition(name)
    # then the stored name and the header's UTF-8 name show a visible placeholder instead
    assert cleaned == expected
    assert header == f"attachment; filename=\"{expected}\"; filename*=UTF-8''{expected}"
