"""Issue 7, configuration and notices: notices quote a parsed device label, never the raw User-Agent;
fullwidth formula characters are neutralized in CSV cells; back-office password changes are audited
and notified."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from billing_center.accounts.services.notices import password_changed_email
from billing_center.audit.models import AuditEvent
from billing_center.audit.services import RequestMeta
from billing_center.contracts.responses import csv_cell
from tests.accounts.two_factor_support import pass_second_factor
from tests.factories import DEFAULT_PASSWORD, AccountFactory
from tests.outbox import outbox_messages

MOMENT = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
ATTACKER_AGENT = "Click https://evil.example/reset to keep your account " + "A" * 450


def test_a_notice_names_the_parsed_device_not_the_raw_user_agent():
    # given a request whose User-Agent is attacker text / when the password-changed notice is written
    _, body = password_changed_email(
        language="en",
        username="ada",
        was_set=False,
        meta=RequestMeta(ip="192.0.2.1", user_agent=ATTACKER_AGENT),
        moment=MOMENT,
    )
    # then none of that text reaches the holder's mailbox
    assert "evil.example" not in body
    assert "Device: Unknown device" in body


def test_a_known_browser_is_named_in_the_notice():
    agent = (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
    )
    _, body = password_changed_email(
        language="en", username="ada", was_set=False, meta=RequestMeta(user_agent=agent), moment=MOMENT
    )
    assert "Device: Chrome on Linux" in body


@pytest.mark.parametrize("cell", ["\uff1dHYPERLINK(1)", "\uff0b1", "\uff0d1", "\uff20SUM(A1)", "=1", "+1", "-1", "@x"])
def test_formula_cells_are_neutralized_fullwidth_forms_included(cell):
    assert csv_cell(cell) == "'" + cell


def test_plain_cells_are_kept():
    assert csv_cell("ACME 中国") == "ACME 中国"


@pytest.mark.django_db(transaction=True)
def test_an_operators_back_office_password_change_is_audited_and_notified():
    # given an operator logged in to the back office
    operator = AccountFactory(username="opal", email="opal@example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    pass_second_factor(client, operator)
    # when they change their password there
    response = client.post(
        "/backoffice/password_change/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "a brand new back office phrase",
            "new_password2": "a brand new back office phrase",
        },
    )
    # then the change is audited and the login email is told
    assert response.status_code == 302
    assert AuditEvent.objects.filter(event="operator.password_changed", account=operator).count() == 1
    assert any("password" in message["subject"].lower() for message in outbox_messages("opal@example.com"))


@pytest.mark.django_db(transaction=True)
def test_a_refused_back_office_password_change_records_nothing():
    operator = AccountFactory(username="opal", email="opal@example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    pass_second_factor(client, operator)
    response = client.post(
        "/backoffice/password_change/",
        {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
    )
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(event="operator.password_changed").exists()
    assert outbox_messages("opal@example.com") == []
