"""The back office gate (staff + a session that passed two-factor), its path and the dashboard."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests.accounts.two_factor_support import enrol, pass_second_factor
from tests.certification.conftest import VALID_USCC, png_bytes, upload
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _back_office_pages(certification_pk: int) -> list[str]:
    pages = [reverse("admin:index"), reverse("admin:password_change")]
    for model in admin.site._registry:
        opts = model._meta
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    pages += [
        reverse("admin:certification_certification_change", args=[certification_pk]),
        reverse("admin:certification_licence", args=[certification_pk]),
        reverse("admin:certification_approve", args=[certification_pk]),
        reverse("admin:certification_reject", args=[certification_pk]),
    ]
    return pages


@pytest.fixture
def certification():
    from billing_center.certification.services import certification_submit

    return certification_submit(
        account=AccountFactory(),
        licence_name="Acme",
        taxpayer_id=VALID_USCC,
        upload=upload(png_bytes(), "l.png"),
    )


def _logged_in(account) -> Client:
    client = Client()
    client.force_login(account)
    return client


@pytest.mark.parametrize(
    "who",
    ["anonymous", "holder", "staff_without_two_factor", "staff_with_device_not_passed", "inactive_staff"],
)
def test_no_back_office_page_is_reachable_without_staff_and_two_factor(who, certification):
    # given a visitor who is not an operator with a second factor passed in this session
    if who == "anonymous":
        client = Client()
    elif who == "holder":
        holder = AccountFactory()
        client = pass_second_factor(_logged_in(holder), holder)  # even with two-factor on
    elif who == "staff_without_two_factor":
        client = _logged_in(AccountFactory(is_staff=True, is_superuser=True))
    elif who == "staff_with_device_not_passed":
        staff = AccountFactory(is_staff=True, is_superuser=True)
        enrol(staff)
        client = _logged_in(staff)
    else:
        staff = AccountFactory(is_staff=True, is_superuser=True)
        client = pass_second_factor(_logged_in(staff), staff)
        staff.is_active = False
        staff.save(update_fields=["is_active"])
    # when any back-office page is requested, then none answers 200 and nothing is decided
    for page in _back_office_pages(certification.pk):
        for response in (client.get(page), client.post(page, {"reason": "x"})):
            assert response.status_code in {302, 404}, (who, page, response.status_code)
            if response.status_code == 302:
                assert not response["Location"].startswith("/backoffice/") or "login" in response["Location"]
    certification.refresh_from_db()
    assert certification.state == "pending"


def test_staff_without_two_factor_is_sent_to_turn_it_on():
    client = _logged_in(AccountFactory(is_staff=True))
    first = client.get(reverse("admin:index"))
    assert first.status_code == 302
    assert client.get(first["Location"])["Location"] == reverse("accounts:two_factor_settings")


def test_a_logged_in_holder_gets_404_from_the_back_office_login():
    client = _logged_in(AccountFactory())
    assert client.get(reverse("admin:login")).status_code == 404


def test_operator_with_two_factor_sees_the_dashboard_counts(certification):
    from billing_center.verification.models import Delivery

    operator = AccountFactory(is_staff=True, is_superuser=True)
    client = pass_second_factor(_logged_in(operator), operator)
    Delivery.objects.create(channel="email", to="x@example.com", status="failed")
    page = client.get(reverse("admin:index"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="dashboard-counts"' in body
    assert "Certifications waiting for review</a></th><td>1</td>" in body
    assert "Failed deliveries (email and SMS)</a></th><td>1</td>" in body
    assert "Locked workspaces" in body and "Failed marketplace inbox rows" in body


def test_the_back_office_path_is_configurable(settings):
    import importlib

    from django.urls import clear_url_caches

    import billing_center.urls as project_urls

    # given BACKOFFICE_PATH set to another path, when the URLconf is built
    settings.BACKOFFICE_PATH = "ops-desk"
    try:
        importlib.reload(project_urls)
        clear_url_caches()
        # then the back office lives there and not at the default path
        assert reverse("admin:index") == "/ops-desk/"
        assert Client().get("/backoffice/").status_code == 404
    finally:
        settings.BACKOFFICE_PATH = "backoffice"
        importlib.reload(project_urls)
        clear_url_caches()
    assert reverse("admin:index") == "/backoffice/"


def test_createoperator_prints_the_two_factor_enrolment(tmp_path):
    from io import StringIO

    from django.core.management import call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from billing_center.accounts.models import Account
    from billing_center.accounts.services.two_factor import two_factor_verify
    from billing_center.audit.services import RequestMeta

    # given a password file, when an operator is created
    secret = tmp_path / "password.txt"
    secret.write_text("night shift keeps the lights on\n")
    out = StringIO()
    call_command(
        "createoperator", username="nightops", email="n@vendor.example", password_file=str(secret), stdout=out
    )
    printed = out.getvalue()
    # then the enrolment (key, otpauth URI, recovery codes) is printed and the device is confirmed
    operator = Account.objects.get(username="nightops")
    device = TOTPDevice.objects.get(user=operator, confirmed=True)
    assert "otpauth://totp/Billing%20Center%3Anightops?secret=" in printed
    recovery = printed.rsplit("once): ", 1)[1].split()
    assert len(recovery) == 10
    # and a printed recovery code works
    assert (
        two_factor_verify(account=operator, code=recovery[0], meta=RequestMeta(ip="127.0.0.1")) == "recovery"
    )
    assert device.pk
