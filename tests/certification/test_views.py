from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from billing_center.certification.models import Certification
from billing_center.certification.services import certification_approve, certification_reject
from tests.certification.conftest import VALID_USCC, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


def _submit(client, **overrides):
    data = {
        "licence_name": "Acme Ltd",
        "taxpayer_id": VALID_USCC,
        "licence_file": upload(png_bytes(), "l.png"),
    }
    data.update(overrides)
    return client.post(reverse("certification:page"), data)


def test_page_submit_and_pending_state(holder_client):
    page = holder_client.get(reverse("certification:page"))
    assert page.status_code == 200
    assert "Not submitted" in page.content.decode()
    response = _submit(holder_client)
    assert response.status_code == 302
    body = holder_client.get(reverse("certification:page")).content.decode()
    assert "Under review" in body
    assert VALID_USCC in body


def test_page_shows_field_errors(holder_client):
    response = _submit(holder_client, taxpayer_id="nope", licence_file=upload(pdf_bytes(), "l.png"))
    assert response.status_code == 422
    assert "unified social credit code" in response.content.decode()
    assert not Certification.objects.exists()


def test_rejected_shows_the_reason_and_verified_has_no_form(holder_client, holder, operator):
    _submit(holder_client)
    certification = Certification.objects.get(account=holder)
    certification_reject(certification=certification, operator=operator, reason="Blurry scan")
    assert "Blurry scan" in holder_client.get(reverse("certification:page")).content.decode()
    _submit(holder_client)
    certification_approve(certification=Certification.objects.get(account=holder), operator=operator)
    body = holder_client.get(reverse("certification:page")).content.decode()
    assert "Verified" in body
    assert "Submit for review" not in body
    assert _submit(holder_client, licence_name="Changed").status_code == 409
    assert Certification.objects.get(account=holder).licence_name == "Acme Ltd"


def test_profile_shows_the_verified_certification(holder_client, holder, operator):
    _submit(holder_client)
    certification_approve(certification=Certification.objects.get(account=holder), operator=operator)
    body = holder_client.get(reverse("accounts:profile")).content.decode()
    assert 'data-testid="profile-certification"' in body
    assert "Verified" in body and VALID_USCC in body


def test_licence_file_served_only_to_its_holder(holder_client, other_holder):
    _submit(holder_client)
    assert holder_client.get(reverse("certification:licence")).status_code == 200
    other = Client()
    other.force_login(other_holder)
    assert other.get(reverse("certification:licence")).status_code == 404
    assert Client().get(reverse("certification:licence")).status_code == 302


def test_page_and_two_factor_page_in_simplified_chinese():
    from tests.factories import AccountFactory

    client = Client()
    client.force_login(AccountFactory(language="zh-hans"))
    page = client.get(reverse("certification:page")).content.decode()
    assert "企业认证" in page and "提交审核" in page and "营业执照上的企业名称" in page
    two_factor = client.get(reverse("accounts:two_factor_settings")).content.decode()
    assert "设置双因素认证" in two_factor
