from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from billing_center.audit.models import AuditEvent
from billing_center.contracts.demo import sample_pdf
from billing_center.contracts.models import Contract, ContractAttachment, StaffStatus
from tests.contracts.conftest import add_attachment
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db
ADD = "/backoffice/contracts/contract/add/"


def _form(holder, **overrides):
    today = timezone.localdate()
    data = {
        "account": holder.pk,
        "number": "bo-2025-1",
        "title": "Back office order",
        "type": "order",
        "currency": "CNY",
        "amount": "100.10",
        "signed_on": today.isoformat(),
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=30)).isoformat(),
        "staff_status": "issued",
        "attachments-TOTAL_FORMS": "1",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_operator_creates_a_contract_with_a_pdf_through_the_services(operator_client, operator, holder):
    # when an operator submits the add form with a PDF attachment
    upload = SimpleUploadedFile("signed.pdf", sample_pdf("signed"), content_type="application/pdf")
    response = operator_client.post(ADD, _form(holder, **{"attachments-0-upload": upload}))
    # then the contract and attachment exist, and both writes were audited by the services
    assert response.status_code == 302, response.content.decode()[:2000]
    contract = Contract.objects.get()
    assert (contract.number, contract.staff_status) == ("BO-2025-1", StaffStatus.ISSUED)
    attachment = ContractAttachment.objects.get()
    assert attachment.original_name == "signed.pdf"
    assert attachment.uploaded_by == operator
    created = AuditEvent.objects.get(event="contract.created")
    assert (created.actor, created.account) == (operator, holder)
    assert AuditEvent.objects.filter(event="contract.attachment_added", actor=operator).exists()


def test_upload_that_is_not_a_pdf_is_a_form_error_and_nothing_is_saved(operator_client, holder):
    upload = SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 this is an exe", content_type="application/pdf")
    response = operator_client.post(ADD, _form(holder, **{"attachments-0-upload": upload}))
    assert response.status_code == 200
    assert "The file is not a PDF document." in response.content.decode()
    assert not Contract.objects.exists()


def test_upload_too_large_is_a_form_error(operator_client, holder, settings):
    settings.CONTRACT_ATTACHMENT_MAX_BYTES = 1024
    upload = SimpleUploadedFile("big.pdf", sample_pdf("x") + b" " * 4096, content_type="application/pdf")
    response = operator_client.post(ADD, _form(holder, **{"attachments-0-upload": upload}))
    assert "The file is larger than" in response.content.decode()
    assert not ContractAttachment.objects.exists()


def test_invalid_fields_show_the_service_messages(operator_client, holder):
    today = timezone.localdate()
    response = operator_client.post(ADD, _form(holder, ends_on=(today - dt.timedelta(days=1)).isoformat()))
    assert "The end date must not be before the start date." in response.content.decode()
    ContractFactory(number="BO-2025-1")
    response = operator_client.post(ADD, _form(holder))
    assert "Another contract already has this number." in response.content.decode()
    assert Contract.objects.count() == 1


def test_operator_edits_a_contract_and_the_change_is_audited_with_old_and_new(operator_client, operator, holder):
    contract = ContractFactory(account=holder, number="E-1", title="Old title", staff_status="draft")
    url = f"/backoffice/contracts/contract/{contract.pk}/change/"
    data = _form(holder, number="E-1", title="New title", staff_status="draft")
    data.update({"signed_on": contract.signed_on.isoformat(), "starts_on": contract.starts_on.isoformat()})
    data.update({"ends_on": contract.ends_on.isoformat(), "amount": "12800.00", "currency": "CNY"})
    response = operator_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(event="contract.updated")
    assert (event.old, event.new, event.actor) == ({"title": "Old title"}, {"title": "New title"}, operator)


def test_operator_terminates_through_the_terminate_page(operator_client, operator, holder):
    contract = ContractFactory(account=holder)
    url = f"/backoffice/contracts/contract/{contract.pk}/terminate/"
    assert "Terminated on" in operator_client.get(url).content.decode()
    change_page = operator_client.get(f"/backoffice/contracts/contract/{contract.pk}/change/").content.decode()
    assert url in change_page
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    refused = operator_client.post(url, {"terminated_on": future})
    assert "The termination date cannot be in the future." in refused.content.decode()
    response = operator_client.post(url, {"terminated_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.staff_status == StaffStatus.TERMINATED
    assert AuditEvent.objects.get(event="contract.terminated").actor == operator


def test_issue_drafts_action_goes_through_the_service(operator_client, holder):
    draft = ContractFactory(account=holder, staff_status="draft")
    response = operator_client.post(
        "/backoffice/contracts/contract/", {"action": "issue_drafts", "_selected_action": [draft.pk]}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.staff_status == StaffStatus.ISSUED
    assert AuditEvent.objects.get(event="contract.updated").new == {"staff_status": "issued"}


def test_changelist_search_and_filters(operator_client, holder):
    ContractFactory(account=holder, number="FIND-ME", title="Alpha")
    ContractFactory(number="OTHER-1", title="Beta", staff_status="terminated", terminated_on=timezone.localdate())
    changelist = "/backoffice/contracts/contract/"
    by_user = operator_client.get(changelist, {"q": holder.username}).content.decode()
    assert "FIND-ME" in by_user and "OTHER-1" not in by_user
    by_email = operator_client.get(changelist, {"q": holder.email}).content.decode()
    assert "FIND-ME" in by_email
    terminated = operator_client.get(changelist, {"status": "terminated"}).content.decode()
    assert "OTHER-1" in terminated and "FIND-ME" not in terminated
    for params in ({"type__exact": "order"}, {"currency__exact": "CNY"}, {"signed_on__gte": "2000-01-01"}):
        assert operator_client.get(changelist, params).status_code == 200


def test_operator_download_is_audited_and_contracts_cannot_be_deleted(operator_client, operator, holder):
    contract = ContractFactory(account=holder)
    attachment = add_attachment(contract)
    response = operator_client.get(f"/backoffice/contracts/contract/attachments/{attachment.pk}/download/")
    assert response.status_code == 200
    event = AuditEvent.objects.get(event="contract.attachment_downloaded")
    assert (event.actor, event.account) == (operator, holder)
    assert operator_client.get(f"/backoffice/contracts/contract/{contract.pk}/delete/").status_code == 403


def test_holders_cannot_use_the_back_office(holder_client, holder):
    contract = ContractFactory(account=holder)
    response = holder_client.get(f"/backoffice/contracts/contract/{contract.pk}/terminate/")
    assert response.status_code == 302
    assert "/backoffice/login/" in response["Location"]


def test_setting_an_issued_contract_back_to_draft_is_a_form_error_not_a_server_error(operator_client, holder):
    # given an issued contract the holder has already seen
    contract = ContractFactory(account=holder, number="I-1", title="Issued")
    url = f"/backoffice/contracts/contract/{contract.pk}/change/"
    data = _form(holder, number="I-1", title="Issued", staff_status="draft")
    data.update({"signed_on": contract.signed_on.isoformat(), "starts_on": contract.starts_on.isoformat()})
    data.update({"ends_on": contract.ends_on.isoformat(), "amount": "12800.00", "currency": "CNY"})
    # when an operator sets it back to draft in the change form
    response = operator_client.post(url, data)
    # then the form shows the service's message and nothing changed or was audited
    assert response.status_code == 200
    assert "An issued contract cannot go back to draft; terminate it instead." in response.content.decode()
    contract.refresh_from_db()
    assert contract.staff_status == StaffStatus.ISSUED
    assert not AuditEvent.objects.filter(event="contract.updated").exists()


def test_a_contract_terminated_by_another_operator_meanwhile_is_a_message_not_a_server_error(
    operator_client, operator, holder, monkeypatch
):
    # given an issued contract open in an operator's change form
    import billing_center.contracts.admin as contract_admin
    from billing_center.contracts.services import contract_terminate

    contract = ContractFactory(account=holder, number="R-1", title="Old title")
    url = f"/backoffice/contracts/contract/{contract.pk}/change/"
    data = _form(holder, number="R-1", title="New title", staff_status="issued")
    data.update({"signed_on": contract.signed_on.isoformat(), "starts_on": contract.starts_on.isoformat()})
    data.update({"ends_on": contract.ends_on.isoformat(), "amount": "12800.00", "currency": "CNY"})
    real_update = contract_admin.contract_update

    def terminated_meanwhile(**kwargs):
        # another operator terminates it between the form check and the save
        contract_terminate(contract=contract, terminated_on=timezone.localdate())
        return real_update(**kwargs)

    monkeypatch.setattr(contract_admin, "contract_update", terminated_meanwhile)
    # when the first operator saves the edit
    response = operator_client.post(url, data, follow=True)
    # then the service's refusal is shown, nothing of the edit is kept (the whole save rolled back)
    assert response.status_code == 200
    assert "A terminated contract cannot be changed." in response.content.decode()
    contract.refresh_from_db()
    assert (contract.title, contract.staff_status) == ("Old title", StaffStatus.ISSUED)
    assert not AuditEvent.objects.filter(event="contract.updated").exists()
