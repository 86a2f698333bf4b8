from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image

from billing_center.contracts.demo import sample_pdf
from tests.factories import AccountFactory

VALID_USCC = "91110000600037341L"
OTHER_VALID_USCC = "91310000MA1FL0LR4E"


def png_bytes(size: tuple[int, int] = (40, 30), text: dict[str, str] | None = None) -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def jpeg_with_exif(size: tuple[int, int] = (40, 30)) -> bytes:
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"  # Make
    exif[0x9286] = "GPS and secrets"  # UserComment
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def pdf_bytes(text: str = "Business licence") -> bytes:
    return sample_pdf(text)


def upload(content: bytes, name: str) -> ContentFile:
    return ContentFile(content, name=name)


@pytest.fixture
def holder(db):
    return AccountFactory()


@pytest.fixture
def other_holder(db):
    return AccountFactory()


@pytest.fixture
def operator(db):
    return AccountFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def holder_client(holder) -> Client:
    client = Client()
    client.force_login(holder)
    return client
