from __future__ import annotations

import io
import os

import pytest
from hypothesis import given
from hypothesis import settings as settings_hypothesis
from hypothesis import strategies as st
from PIL import Image

from billing_center.certification.files import licence_file_check
from billing_center.core.errors import ValidationFailed
from tests.certification.conftest import jpeg_with_exif, pdf_bytes, png_bytes, upload


def _refused(content: bytes, name: str) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        licence_file_check(upload(content, name))
    assert caught.value.field == "licence_file"
    return caught.value


def test_png_is_reencoded_and_its_text_chunks_are_gone():
    # given a PNG carrying a text chunk
    original = png_bytes(text={"Comment": "hidden-note"})
    # when checked
    checked = licence_file_check(upload(original, "licence.png"))
    # then the stored bytes are a PNG of the same pixels without the text
    assert checked.content_type == "image/png"
    assert b"hidden-note" not in checked.content
    with Image.open(io.BytesIO(checked.content)) as image:
        assert image.size == (40, 30)
        assert image.getpixel((0, 0))[:3] == (200, 30, 30)
        assert "Comment" not in image.info


def test_jpeg_exif_is_removed():
    # given a JPEG with EXIF
    original = jpeg_with_exif()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif()
    # when checked
    checked = licence_file_check(upload(original, "licence.JPG"))
    # then no EXIF remains
    assert checked.content_type == "image/jpeg"
    assert b"SecretCameraMaker" not in checked.content
    assert b"Exif" not in checked.content
    with Image.open(io.BytesIO(checked.content)) as after:
        assert not after.getexif()
        assert after.size == (40, 30)


def test_pdf_is_kept_as_uploaded():
    content = pdf_bytes()
    checked = licence_file_check(upload(content, "licence.pdf"))
    assert checked.content == content
    assert checked.content_type == "application/pdf"
    assert checked.size == len(content)


def test_a_pdf_renamed_png_is_refused():
    error = _refused(pdf_bytes(), "licence.png")
    assert error.code == "licence_file_type_mismatch"


def test_a_png_renamed_pdf_is_refused():
    assert _refused(png_bytes(), "licence.pdf").code == "licence_file_type_mismatch"


@pytest.mark.parametrize(
    ("content_factory", "name"),
    [
        (lambda: png_bytes() + pdf_bytes(), "licence.png"),  # PNG with a PDF after IEND
        (lambda: png_bytes() + b"PK\x03\x04" + b"\x00" * 26, "licence.png"),  # PNG + ZIP
        (lambda: jpeg_with_exif() + b"%PDF-1.4\n%%EOF", "licence.jpg"),  # JPEG + PDF
        (lambda: pdf_bytes().replace(b"%%EOF", b"%<html><script>alert(1)</script>\n%%EOF"), "licence.pdf"),
        (lambda: pdf_bytes().replace(b"%%EOF", b"%" + png_bytes() + b"\n%%EOF"), "licence.pdf"),
    ],
)
def test_polyglots_are_refused(content_factory, name):
    assert _refused(content_factory(), name).code == "licence_file_polyglot"


def test_pdf_with_javascript_is_refused():
    content = pdf_bytes().replace(
        b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (x) >>"
    )
    assert b"/JavaScript" in content
    assert _refused(content, "licence.pdf").code == "licence_file_active"


def test_an_oversized_file_is_refused(settings):
    # given a cap of 2 KiB and a noisy (incompressible) image above it
    settings.CERTIFICATION_FILE_MAX_BYTES = 2048
    noisy = io.BytesIO()
    Image.frombytes("RGB", (64, 64), os.urandom(64 * 64 * 3)).save(noisy, format="PNG")
    assert len(noisy.getvalue()) > 2048
    # then it is refused as too large, by its declared size and by the bytes actually read
    assert _refused(noisy.getvalue(), "licence.png").code == "licence_file_too_large"
    undeclared = upload(noisy.getvalue(), "licence.png")
    undeclared.size = None  # type: ignore[assignment]
    with pytest.raises(ValidationFailed) as caught:
        licence_file_check(undeclared)
    assert caught.value.code == "licence_file_too_large"


def test_an_image_with_too_many_pixels_is_refused_before_decoding(settings):
    settings.CERTIFICATION_IMAGE_MAX_PIXELS = 10_000
    assert _refused(png_bytes(size=(200, 200)), "licence.png").code == "licence_file_too_large"


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"", "licence.png", "licence_file_invalid"),
        (b"GIF89a" + b"\x00" * 20, "licence.gif", "licence_file_type"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "licence.svg", "licence_file_type"),
        (png_bytes()[:60] + b"\x00\x00\x00\x00IEND\xaeB`\x82", "licence.png", "licence_file_invalid"),
        (b"%PDF-1.4 no trailer", "licence.pdf", "licence_file_invalid"),
    ],
)
def test_other_and_broken_files_are_refused(content, name, code):
    assert _refused(content, name).code == code


@settings_hypothesis(max_examples=150, deadline=None)
@given(
    st.binary(max_size=400),
    st.sampled_from([(b"\x89PNG\r\n\x1a\n", "l.png"), (b"\xff\xd8\xff", "l.jpg"), (b"%PDF-", "l.pdf")]),
)
def test_property_any_bytes_behind_a_magic_are_checked_or_refused_never_crash(tail, kind):
    # given arbitrary bytes behind a PNG, JPEG or PDF signature, then the check stores or refuses them
    magic, name = kind
    try:
        checked = licence_file_check(upload(magic + tail, name))
    except ValidationFailed as error:
        assert error.field == "licence_file"
    else:
        assert checked.size > 0
