"""Back office: read-only code and delivery pages without secrets; the worker's --once tick."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from billing_center.audit.services import RequestMeta
from billing_center.verification.models import Delivery, OneTimeCode
from billing_center.verification.services import code_send, notice_send
from tests.accounts.two_factor_support import pass_second_factor
from tests.factories import AccountFactory
from tests.outbox import outbox_messages

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    operator = AccountFactory(is_staff=True, is_superuser=True)
    client.force_login(operator)
    return pass_second_factor(client, operator)  # the back office needs two-factor


def test_the_back_office_shows_codes_and_deliveries_without_hmac_or_payload(operator_client, settings, clock):
    # given a code whose delivery is still queued (SMTP down), so its payload is set
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    code_send(purpose="login", channel="email", target="ada@example.com", meta=RequestMeta(ip="192.0.2.1"))
    code, delivery = OneTimeCode.objects.get(), Delivery.objects.get()
    assert delivery.payload
    # when an operator opens their pages
    pages = [
        operator_client.get("/backoffice/verification/onetimecode/"),
        operator_client.get(f"/backoffice/verification/onetimecode/{code.pk}/change/"),
        operator_client.get("/backoffice/verification/delivery/"),
        operator_client.get(f"/backoffice/verification/delivery/{delivery.pk}/change/"),
    ]
    # then they open, and neither the HMAC nor the encrypted message is on them
    assert [page.status_code for page in pages] == [200, 200, 200, 200]
    for page in pages:
        html = page.content.decode()
        assert code.code_hmac not in html
        assert delivery.payload[:40] not in html
    # and nothing can be added or changed there
    assert operator_client.get("/backoffice/verification/delivery/add/").status_code == 403


def test_worker_once_sends_what_is_due(clock, settings):
    # given a notice whose first attempt failed
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    notice_send(channel="email", target="ada@example.com", subject="Notice", body="Your email changed.")
    settings.EMAIL_BACKEND = "billing_center.verification.channels.email.OutboxEmailBackend"
    clock.shift(15)
    # when the worker ticks once
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    # then the notice is sent
    assert "Processed 1 due deliveries." in out.getvalue()
    assert [message["subject"] for message in outbox_messages("ada@example.com")] == ["Notice"]
    assert Delivery.objects.get().status == "sent"
