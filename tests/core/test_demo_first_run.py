from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from billing_center.contracts.demo import FIRST_RUN_CONTRACTS
from billing_center.contracts.models import Contract, ContractAttachment

pytestmark = pytest.mark.django_db


def test_the_first_run_prints_every_identifier_and_fills_the_pages(monkeypatch):
    # given no demo account yet
    monkeypatch.setenv("DEMO_PASSWORD", "demo password for the tests")
    out = StringIO()
    # when the demo command runs
    call_command("demo", stdout=out)
    # then the account has a few dozen contracts, some with PDFs, and every way to log in is printed
    text = out.getvalue()
    assert "email: demo@example.com" in text and "phone: +8613800138000" in text
    assert "password: demo password for the tests" in text
    assert Contract.objects.filter(account__username="demo").count() == FIRST_RUN_CONTRACTS
    assert ContractAttachment.objects.filter(contract__account__username="demo").exists()
    # when it runs again, then nothing is added and it says how to reset the password
    again = StringIO()
    call_command("demo", stdout=again)
    assert "billing-center manage changepassword demo" in again.getvalue()
    assert Contract.objects.filter(account__username="demo").count() == FIRST_RUN_CONTRACTS
