from __future__ import annotations

import io

import pytest

from billing_center.audit.models import AuditEvent
from billing_center.contracts.demo import demo_contracts_load
from billing_center.contracts.models import Contract, ContractAttachment

pytestmark = pytest.mark.django_db


def test_demo_load_creates_contracts_in_batches_and_continues_numbering(holder, monkeypatch):
    monkeypatch.setattr("billing_center.contracts.demo.BATCH_SIZE", 7)
    out = io.StringIO()
    # when 20 demo contracts are loaded, then 5 more
    assert demo_contracts_load(account=holder, count=20, stdout=out) == 20
    assert demo_contracts_load(account=holder, count=5, stdout=out) == 5
    # then 25 distinct numbers continue the sequence, with valid dates and a few attachments
    numbers = sorted(Contract.objects.filter(account=holder).values_list("number", flat=True))
    assert len(numbers) == 25
    assert numbers[-1] == f"DEMO-{holder.pk}-0000025"
    assert all(c.ends_on >= c.starts_on for c in Contract.objects.all())
    assert ContractAttachment.objects.exists()
    assert "20 demo contracts created" in out.getvalue()
    assert AuditEvent.objects.filter(event="contract.demo_loaded").count() == 2


def test_demo_command_with_contracts_option(db):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("demo", "--contracts", "12", stdout=out)
    assert Contract.objects.filter(account__username="demo").count() == 12
