"""The demo command (in accounts): one demo account through a service with its audit row; app loaders."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from billing_center.accounts.models import Account
from billing_center.accounts.services.demo import demo_account_ensure
from billing_center.audit.models import AuditEvent
from billing_center.core.demo import demo_loaders

pytestmark = pytest.mark.django_db


def test_the_demo_account_is_created_once_with_an_audit_row():
    # when the demo account is ensured twice
    first, created = demo_account_ensure(password="demo password for tests 1")
    again, created_again = demo_account_ensure(password="another password 2")
    # then it exists once, was created by the first call only, and a sign-up row records it
    assert created and not created_again and first.pk == again.pk
    row = AuditEvent.objects.get(account=first)
    assert row.event == "signup" and row.detail == {"source": "demo"} and row.actor_label == "cli"
    assert first.check_password("demo password for tests 1")


def test_demo_command_is_idempotent_and_offers_the_app_loaders(monkeypatch):
    # given a demo password from the environment
    monkeypatch.setenv("DEMO_PASSWORD", "demo password from env 3")
    out = StringIO()
    # when the command runs twice
    call_command("demo", stdout=out)
    call_command("demo", stdout=out)
    # then one account exists, and the contracts app's loader is offered as --contracts
    assert Account.objects.filter(username="demo").count() == 1
    assert "Demo account created." in out.getvalue() and "already exists" in out.getvalue()
    assert "contracts" in [loader.name for loader in demo_loaders()]
