from __future__ import annotations

import pytest
from django.test import Client

from billing_center.certification.models import Certification
from billing_center.certification.services import certification_approve
from tests.certification.conftest import VALID_USCC, jpeg_with_exif, pdf_bytes, png_bytes, upload

URL = "/api/v1/account/certification"
pytestmark = pytest.mark.django_db


def _post(client, *, content=None, name="licence.png", taxpayer_id=VALID_USCC, licence_name="Acme Ltd"):
    return client.post(
        URL,
        {
            "licence_name": licence_name,
            "taxpayer_id": taxpayer_id,
            "licence_file": upload(content if content is not None else png_bytes(), name),
        },
    )


def test_read_before_submitting_is_state_none(holder_client):
    body = holder_client.get(URL).json()
    assert body == {
        "state": "none",
        "licence_name": "",
        "taxpayer_id": "",
        "reason": "",
        "submitted_at": None,
        "decided_at": None,
    }


def test_submit_then_read(holder_client):
    response = _post(holder_client, content=jpeg_with_exif(), name="licence.jpeg")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["taxpayer_id"], body["licence_name"]) == ("pending", VALID_USCC, "Acme Ltd")
    assert holder_client.get(URL).json()["state"] == "pending"


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"taxpayer_id": "123"}, "taxpayer_id", "taxpayer_id_invalid"),
        ({"content": pdf_bytes(), "name": "licence.png"}, "licence_file", "licence_file_type_mismatch"),
        ({"licence_name": " "}, "licence_name", "licence_name_required"),
    ],
)
def test_bad_input_is_a_422_problem_and_nothing_is_stored(holder_client, kwargs, field, code):
    response = _post(holder_client, **kwargs)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert response.json()["errors"][0]["field"] == field
    assert not Certification.objects.exists()


def test_missing_file_is_a_422(holder_client):
    response = holder_client.post(URL, {"licence_name": "Acme", "taxpayer_id": VALID_USCC})
    assert response.status_code == 422


def test_verified_is_read_only_409(holder_client, holder, operator):
    _post(holder_client)
    certification_approve(certification=Certification.objects.get(account=holder), operator=operator)
    response = _post(holder_client, licence_name="Other")
    assert response.status_code == 409
    assert response.json()["code"] == "certification_verified"


def test_anonymous_is_401_and_csrf_is_enforced(holder):
    assert Client().get(URL).status_code == 401
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(holder)
    assert _post(strict).status_code == 403
    assert not Certification.objects.exists()


def test_licence_download_only_own(holder_client, other_holder):
    _post(holder_client)
    mine = holder_client.get(URL + "/licence")
    assert mine.status_code == 200
    assert mine["Content-Type"] == "image/png"
    assert b"".join(mine.streaming_content).startswith(b"\x89PNG")
    other = Client()
    other.force_login(other_holder)
    assert other.get(URL + "/licence").status_code == 404
