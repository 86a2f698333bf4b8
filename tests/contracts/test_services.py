from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from billing_center.audit.models import AuditEvent
from billing_center.contracts.models import Contract, ContractAttachment, StaffStatus
from billing_center.contracts.services import (
    attachment_add,
    attachment_remove,
    contract_create,
    contract_terminate,
    contract_update,
)
from billing_center.core.errors import Conflict, ValidationFailed
from tests.contracts.conftest import add_attachment, pdf_upload
from tests.factories import AccountFactory, ContractFactory

pytestmark = pytest.mark.django_db


def _create(account, **overrides):
    today = timezone.localdate()
    fields = {
        "account": account,
        "number": "ht-2025-001",
        "title": " Log Analytics Order ",
        "type": "order",
        "currency": "USD",
        "amount": Decimal("1234.50"),
        "signed_on": today,
        "starts_on": today,
        "ends_on": today + dt.timedelta(days=364),
    }
    fields.update(overrides)
    return contract_create(**fields)


def test_create_stores_a_draft_with_exact_amount_and_audits_new_values(holder, operator):
    # when an operator creates a contract
    contract = _create(holder, actor=operator)
    # then it is a draft with a normalized number and the exact amount
    contract.refresh_from_db()
    assert contract.staff_status == StaffStatus.DRAFT
    assert contract.number == "HT-2025-001"
    assert contract.title == "Log Analytics Order"
    assert contract.amount == Decimal("1234.50")
    # and the audit row has the new values, the operator as actor and the holder as account
    event = AuditEvent.objects.get(event="contract.created")
    assert event.actor == operator
    assert event.account == holder
    assert event.new["amount"] == "1234.50"
    assert event.new["number"] == "HT-2025-001"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"number": "  "}, "number", "contract_number_invalid"),
        ({"number": "bad number!"}, "number", "contract_number_invalid"),
        ({"title": ""}, "title", "contract_title_invalid"),
        ({"amount": Decimal("-1")}, "amount", "contract_amount_invalid"),
        ({"amount": Decimal("1.005")}, "amount", "contract_amount_invalid"),
        ({"amount": Decimal("NaN")}, "amount", "contract_amount_invalid"),
        ({"type": "loan"}, "type", "contract_type_invalid"),
        ({"currency": "EUR"}, "currency", "contract_currency_invalid"),
        ({"ends_on": dt.date(2000, 1, 1)}, "ends_on", "contract_dates_invalid"),
    ],
)
def test_create_rejects_invalid_fields(holder, overrides, field, code):
    # when a contract is created with one bad field
    with pytest.raises(ValidationFailed) as error:
        _create(holder, **overrides)
    # then the error names the field and nothing is stored
    assert (error.value.field, error.value.code) == (field, code)
    assert not Contract.objects.exists()


def test_numbers_are_unique_case_insensitively(holder):
    # given a contract HT-2025-001
    _create(holder)
    # when another one uses the same number in lower case
    with pytest.raises(ValidationFailed) as error:
        _create(AccountFactory(), number="HT-2025-001".lower())
    # then it is refused
    assert error.value.code == "contract_number_taken"


def test_update_records_only_changed_fields_with_old_and_new(holder, operator):
    # given an issued contract
    contract = _create(holder, issue=True)
    # when the operator changes the title and amount (and repeats the currency)
    contract_update(
        contract=contract,
        changes={"title": "Renamed", "amount": Decimal("99.90"), "currency": "USD"},
        actor=operator,
    )
    # then the audit row has exactly the changed fields, old and new
    event = AuditEvent.objects.get(event="contract.updated")
    assert event.old == {"title": "Log Analytics Order", "amount": "1234.50"}
    assert event.new == {"title": "Renamed", "amount": "99.90"}
    assert event.actor == operator


def test_update_without_changes_writes_nothing(holder):
    contract = _create(holder)
    contract_update(contract=contract, changes={"title": "Log Analytics Order"})
    assert not AuditEvent.objects.filter(event="contract.updated").exists()


def test_a_draft_can_be_issued_but_an_issued_contract_never_goes_back(holder):
    # given a draft
    contract = _create(holder)
    # when it is issued, then it is visible
    contract_update(contract=contract, changes={"staff_status": StaffStatus.ISSUED})
    # and when someone tries to make it a draft again, then it is refused
    with pytest.raises(Conflict) as error:
        contract_update(contract=contract, changes={"staff_status": StaffStatus.DRAFT})
    assert error.value.code == "contract_status_change_invalid"
    contract.refresh_from_db()
    assert contract.staff_status == StaffStatus.ISSUED


def test_only_drafts_move_between_accounts_and_both_logs_record_the_move(holder, other_holder):
    # given a draft of holder
    draft = _create(holder)
    # when it moves to another holder
    contract_update(contract=draft, changes={"account": other_holder})
    # then both accounts' logs have the change
    assert AuditEvent.objects.filter(event="contract.updated", account=holder).exists()
    assert AuditEvent.objects.filter(event="contract.updated", account=other_holder).exists()
    # and an issued contract cannot move
    issued = _create(holder, number="HT-2", issue=True)
    with pytest.raises(Conflict):
        contract_update(contract=issued, changes={"account": other_holder})


def test_terminate_sets_the_date_and_freezes_the_contract(holder, operator):
    # given an issued contract
    contract = _create(holder, issue=True)
    today = timezone.localdate()
    # when the operator terminates it today
    contract_terminate(contract=contract, terminated_on=today, actor=operator)
    # then it is terminated with the date, audited with old and new values
    contract.refresh_from_db()
    assert (contract.staff_status, contract.terminated_on) == (StaffStatus.TERMINATED, today)
    event = AuditEvent.objects.get(event="contract.terminated")
    assert event.old == {"staff_status": "issued", "terminated_on": None}
    assert event.new == {"staff_status": "terminated", "terminated_on": today.isoformat()}
    # and it can no longer be edited, terminated again or given attachments
    with pytest.raises(Conflict):
        contract_update(contract=contract, changes={"title": "x"})
    with pytest.raises(Conflict):
        contract_terminate(contract=contract, terminated_on=today)
    with pytest.raises(Conflict):
        attachment_add(contract=contract, upload=pdf_upload())


def test_terminate_refuses_future_dates_dates_before_signing_and_drafts(holder):
    contract = _create(holder, issue=True, signed_on=timezone.localdate() - dt.timedelta(days=10))
    with pytest.raises(ValidationFailed):
        contract_terminate(contract=contract, terminated_on=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(ValidationFailed):
        contract_terminate(contract=contract, terminated_on=timezone.localdate() - dt.timedelta(days=11))
    draft = _create(holder, number="HT-DRAFT")
    with pytest.raises(Conflict):
        contract_terminate(contract=draft, terminated_on=timezone.localdate())


def test_attachment_add_stores_the_pdf_through_storage_and_audits(holder, operator):
    # given a contract
    contract = ContractFactory(account=holder)
    # when an operator uploads a PDF named with a path and odd characters
    attachment = attachment_add(
        contract=contract, upload=pdf_upload("../../etc/合同\r\n.pdf"), uploaded_by=operator
    )
    # then the file is in the storage under a random name, its name is cleaned, size and hash recorded
    assert default_storage.exists(attachment.file.name)
    assert attachment.file.name.startswith(f"contracts/{contract.pk}/")
    assert attachment.original_name == "合同__.pdf"
    assert attachment.size == attachment.file.size
    assert len(attachment.sha256) == 64
    event = AuditEvent.objects.get(event="contract.attachment_added")
    assert event.new["sha256"] == attachment.sha256
    assert event.actor == operator


def test_attachment_remove_deletes_the_file_after_commit(holder, django_capture_on_commit_callbacks):
    # given an attachment
    attachment = add_attachment(ContractFactory(account=holder))
    name = attachment.file.name
    # when it is removed
    with django_capture_on_commit_callbacks(execute=True):
        attachment_remove(attachment=attachment)
    # then the row and the file are gone, and the removal is audited
    assert not ContractAttachment.objects.exists()
    assert not default_storage.exists(name)
    assert AuditEvent.objects.filter(event="contract.attachment_removed").exists()


def test_database_constraints_hold_without_the_services(holder):
    # given rows written around the services, then the database refuses broken invariants
    from django.db import IntegrityError, transaction

    today = timezone.localdate()
    broken = [
        {"ends_on": today - dt.timedelta(days=1), "starts_on": today},
        {"amount": Decimal("-0.01")},
        {"staff_status": "terminated", "terminated_on": None},
        {"staff_status": "issued", "terminated_on": today},
    ]
    for index, overrides in enumerate(broken):
        with pytest.raises(IntegrityError), transaction.atomic():
            ContractFactory(account=holder, number=f"X-{index}", **overrides)
