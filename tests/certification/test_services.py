from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from billing_center.audit.models import AuditEvent
from billing_center.certification.models import Certification
from billing_center.certification.services import (
    certification_approve,
    certification_reject,
    certification_submit,
    workspace_move_allowed,
)
from billing_center.core.errors import ApplicationError, Conflict, ValidationFailed
from tests.certification.conftest import OTHER_VALID_USCC, VALID_USCC, pdf_bytes, png_bytes, upload
from tests.factories import AccountFactory
from tests.outbox import outbox_messages

pytestmark = pytest.mark.django_db


def submit(account, *, taxpayer_id=VALID_USCC, name="Acme Ltd", content=None, file_name="licence.png"):
    return certification_submit(
        account=account,
        licence_name=name,
        taxpayer_id=taxpayer_id,
        upload=upload(content if content is not None else png_bytes(), file_name),
    )


def test_submit_moves_none_to_pending_stores_the_file_and_audits(holder):
    # when a holder submits
    certification = submit(holder, taxpayer_id=" 9111 0000 6000 3734 1l")
    # then it is pending, normalized, stored through the storage API and audited (old none, new pending)
    assert certification.state == "pending"
    assert certification.taxpayer_id == VALID_USCC
    assert default_storage.exists(certification.licence_file.name)
    assert certification.licence_file.name.endswith(".png")
    row = AuditEvent.objects.get(event="certification.submitted")
    assert row.old == {"state": "none"}
    assert row.new["state"] == "pending"
    assert row.new["taxpayer_id"] == VALID_USCC


def test_invalid_input_writes_nothing(holder):
    # when the code or the file is wrong, then nothing is stored and nothing audited
    with pytest.raises(ValidationFailed):
        submit(holder, taxpayer_id="91110000600037341M")
    with pytest.raises(ValidationFailed):
        submit(holder, content=pdf_bytes(), file_name="licence.png")
    assert not Certification.objects.exists()
    assert not AuditEvent.objects.filter(event="certification.submitted").exists()


def test_approve_verifies_audits_with_the_operator_and_emails(
    holder, operator, django_capture_on_commit_callbacks
):
    # given a pending certification
    certification = submit(holder)
    # when an operator approves it
    with django_capture_on_commit_callbacks(execute=True):
        decided = certification_approve(certification=certification, operator=operator)
    # then it is verified, audited with the operator as actor and old/new, and the holder is emailed
    assert decided.state == "verified"
    assert decided.decided_by == operator
    row = AuditEvent.objects.get(event="certification.approved")
    assert row.actor == operator
    assert row.account == holder
    assert row.old["state"] == "pending"
    assert row.new["state"] == "verified"
    notices = outbox_messages(holder.email)
    assert notices and "verified" in notices[0]["subject"]


def test_reject_needs_a_reason_then_emails_it(holder, operator, django_capture_on_commit_callbacks):
    certification = submit(holder)
    with pytest.raises(ValidationFailed) as caught:
        certification_reject(certification=certification, operator=operator, reason="   ")
    assert caught.value.field == "reason"
    with django_capture_on_commit_callbacks(execute=True):
        decided = certification_reject(
            certification=certification, operator=operator, reason="Licence is blurry"
        )
    assert decided.state == "rejected"
    assert decided.reason == "Licence is blurry"
    row = AuditEvent.objects.get(event="certification.rejected")
    assert (row.actor, row.old["state"], row.new["state"], row.new["reason"]) == (
        operator,
        "pending",
        "rejected",
        "Licence is blurry",
    )
    assert "Licence is blurry" in outbox_messages(holder.email)[0]["body"]


def test_rejected_goes_back_to_pending_on_resubmission_and_the_old_file_goes(
    holder, operator, django_capture_on_commit_callbacks
):
    first = submit(holder)
    old_file = first.licence_file.name
    certification_reject(certification=first, operator=operator, reason="Wrong name")
    # when the holder submits again
    with django_capture_on_commit_callbacks(execute=True):
        again = submit(holder, name="Acme Limited", content=pdf_bytes(), file_name="scan.pdf")
    # then it is pending again without the old reason or decision, and the old file is deleted
    assert (again.pk, again.state, again.reason, again.decided_at) == (first.pk, "pending", "", None)
    assert again.licence_content_type == "application/pdf"
    assert not default_storage.exists(old_file)
    assert default_storage.exists(again.licence_file.name)


def test_a_holder_cannot_change_a_verified_certification(holder, operator):
    certification = submit(holder)
    certification_approve(certification=certification, operator=operator)
    with pytest.raises(Conflict) as caught:
        submit(holder, name="Other Name", taxpayer_id=OTHER_VALID_USCC)
    assert caught.value.code == "certification_verified"
    stored = Certification.objects.get(pk=certification.pk)
    assert (stored.state, stored.licence_name, stored.taxpayer_id) == ("verified", "Acme Ltd", VALID_USCC)


def test_only_pending_certifications_can_be_decided(holder, operator):
    certification = submit(holder)
    certification_approve(certification=certification, operator=operator)
    with pytest.raises(Conflict) as caught:
        certification_reject(certification=certification, operator=operator, reason="Late")
    assert caught.value.code == "certification_not_pending"
    with pytest.raises(Conflict):
        certification_approve(certification=certification, operator=operator)


def _verified(account, operator, taxpayer_id=VALID_USCC):
    certification_approve(certification=submit(account, taxpayer_id=taxpayer_id), operator=operator)


def test_move_allowed_between_accounts_with_the_same_verified_taxpayer_id(holder, other_holder, operator):
    _verified(holder, operator)
    _verified(other_holder, operator, taxpayer_id=VALID_USCC.lower())
    assert workspace_move_allowed(from_account=holder, to_account=other_holder) is None


@pytest.mark.parametrize("case", ["none", "pending", "rejected", "different"])
def test_move_refused_without_the_same_verified_certification(holder, other_holder, operator, case):
    _verified(holder, operator)
    if case == "pending":
        submit(other_holder)
    elif case == "rejected":
        certification_reject(certification=submit(other_holder), operator=operator, reason="No")
    elif case == "different":
        _verified(other_holder, operator, taxpayer_id=OTHER_VALID_USCC)
    for source, destination in ((holder, other_holder), (other_holder, holder)):
        with pytest.raises(ApplicationError) as caught:
            workspace_move_allowed(from_account=source, to_account=destination)
        assert caught.value.code == "certification_mismatch"
        assert caught.value.status == 422


def test_move_refused_when_neither_is_certified():
    with pytest.raises(ApplicationError):
        workspace_move_allowed(from_account=AccountFactory(), to_account=AccountFactory())
