"""Email change: the strict state machine of SPEC §3, service level."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.utils import timezone

from billing_center.accounts.models import Account, ChangeState, IdentifierChange
from billing_center.accounts.selectors.settings import identifier_change_status
from billing_center.accounts.services import identifier_change as changes
from billing_center.accounts.services import login_code_request, login_with_code
from billing_center.accounts.services.identifier_change import commit as change_commit
from billing_center.audit.models import AuditEvent
from billing_center.core.errors import Conflict, RateLimited, ReauthenticationRequired, ValidationFailed
from billing_center.core.masking import mask_email
from billing_center.verification import services as code_service
from billing_center.verification.services import code_send
from tests.accounts.settings_support import (
    META,
    can_log_in,
    has_code,
    live_session_keys,
    logged_in_client,
    messages_to,
    session_key_of,
    use_outbox_email,
)
from tests.factories import AccountFactory
from tests.outbox import latest_code

pytestmark = pytest.mark.django_db(transaction=True)

NEW_EMAIL = "new.billing@example.org"


@pytest.fixture(autouse=True)
def _outbox(settings):
    use_outbox_email(settings)


def start(account: Account, **kwargs: object) -> IdentifierChange:
    return changes.identifier_change_start(
        account=account, kind="email", reauthenticated=True, meta=META, **kwargs
    )


def verify_current(account: Account, code: str) -> IdentifierChange:
    return changes.identifier_change_verify_current(account=account, kind="email", code=code, meta=META)


def submit_new(account: Account, value: str = NEW_EMAIL) -> IdentifierChange:
    return changes.identifier_change_submit_new(
        account=account, kind="email", value=value, reauthenticated=True, meta=META
    )


def confirm(account: Account, code: str, keep: str | None = None, **kwargs: object) -> IdentifierChange:
    return changes.identifier_change_confirm(
        account=account, kind="email", code=code, keep_session_key=keep, meta=META, **kwargs
    )


def to_new_code_sent(account: Account) -> None:
    start(account)
    verify_current(account, latest_code(account.email))
    submit_new(account)


def email_of(account: Account) -> str:
    return Account.objects.get(pk=account.pk).email


def test_both_codes_commit_the_change_and_only_the_new_email_logs_in():
    # given a holder logged in on two devices
    account = AccountFactory()
    old_email = account.email
    this_device, other_device = logged_in_client(account), logged_in_client(account)
    keep = session_key_of(this_device)
    # when they prove the current address, then the new one
    start(account)
    verify_current(account, latest_code(old_email))
    submit_new(account)
    change = confirm(account, latest_code(NEW_EMAIL), keep=keep)
    # then the address is swapped, the new one logs in and the old one does not
    assert change.state == ChangeState.COMMITTED
    assert email_of(account) == NEW_EMAIL
    assert can_log_in(NEW_EMAIL)
    assert not can_log_in(old_email)
    # and the old and new addresses got a notice (no code), and the other session ended
    assert any("changed" in m["subject"] and not has_code(m) for m in messages_to(old_email))
    assert any("changed" in m["subject"] and not has_code(m) for m in messages_to(NEW_EMAIL))
    assert live_session_keys(account) == {keep}
    assert session_key_of(other_device) not in live_session_keys(account)
    # and one audit row holds the masked old and new addresses
    row = AuditEvent.objects.get(event="email.changed", account=account)
    assert row.old == {"email": mask_email(old_email)}
    assert row.new["email"].endswith("@example.org") and NEW_EMAIL not in str(row.new)


def test_unticking_keeps_the_other_sessions():
    # given a holder logged in on two devices
    account = AccountFactory()
    this_device, other_device = logged_in_client(account), logged_in_client(account)
    to_new_code_sent(account)
    # when they confirm with "end other sessions" unticked
    confirm(account, latest_code(NEW_EMAIL), keep=session_key_of(this_device), end_other_sessions=False)
    # then both sessions live on
    assert live_session_keys(account) == {session_key_of(this_device), session_key_of(other_device)}


def test_start_requires_a_fresh_reauthentication():
    # given a holder whose last authentication is stale
    account = AccountFactory()
    # when they start a change
    with pytest.raises(ReauthenticationRequired) as caught:
        changes.identifier_change_start(account=account, kind="email", reauthenticated=False, meta=META)
    # then it is refused with a stable code and no code was sent
    assert caught.value.code == "reauthentication_required"
    assert caught.value.status == 403
    assert not IdentifierChange.objects.exists()
    assert messages_to(account.email) == []


@pytest.mark.parametrize("step", ["verify_current", "submit_new", "confirm"])
def test_no_step_is_accepted_without_a_started_change(step):
    # given a holder with no change in progress
    account = AccountFactory()
    # when they jump to a later step
    with pytest.raises(Conflict) as caught:
        {
            "verify_current": lambda: verify_current(account, "123456"),
            "submit_new": lambda: submit_new(account),
            "confirm": lambda: confirm(account, "123456"),
        }[step]()
    # then it is refused and nothing changed
    assert caught.value.code == "no_pending_change"
    assert email_of(account) == account.email


def test_steps_out_of_order_are_refused_and_no_step_alone_commits():
    # given a started change
    account = AccountFactory()
    old_email = account.email
    start(account)
    current_code = latest_code(old_email)
    # when the holder skips the current-address step
    with pytest.raises(Conflict) as skipped_new:
        submit_new(account)
    with pytest.raises(Conflict) as skipped_confirm:
        confirm(account, current_code)
    # then both are refused as the wrong step
    assert skipped_new.value.code == skipped_confirm.value.code == "wrong_step"
    # when they verify the current address, they still cannot confirm before a new address got a code
    verify_current(account, current_code)
    with pytest.raises(Conflict):
        confirm(account, current_code)
    with pytest.raises(Conflict):
        verify_current(account, current_code)
    # then after every step so far the account still has its old address
    assert email_of(account) == old_email
    submit_new(account)
    assert email_of(account) == old_email
    assert can_log_in(old_email)


def test_a_code_for_one_step_or_purpose_never_passes_for_another():
    # given a change waiting for the new address's code, and codes of other purposes and flows to that address
    account = AccountFactory()
    start(account)
    current_code = latest_code(account.email)
    verify_current(account, current_code)
    submit_new(account)
    code_send(
        purpose="email_change_current",
        channel="email",
        target=NEW_EMAIL,
        account=account,
        flow=str(IdentifierChange.objects.get().flow),
        meta=META,
    )
    wrong_purpose_code = latest_code(NEW_EMAIL)
    code_send(purpose="login", channel="email", target=NEW_EMAIL, account=account, meta=META)
    login_code = latest_code(NEW_EMAIL)
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        code_send(
            purpose="email_change_new",
            channel="email",
            target=NEW_EMAIL,
            account=account,
            flow="another-flow",
            meta=META,
        )
    other_flow_code = latest_code(NEW_EMAIL)
    # when any of those is offered at the confirm step
    for code in {current_code, wrong_purpose_code, login_code, other_flow_code}:
        with pytest.raises(ValidationFailed) as caught:
            confirm(account, code)
        # then it is refused and nothing changed
        assert caught.value.code == "invalid_code"
    assert email_of(account) == account.email


def test_a_code_of_a_cancelled_change_does_not_work_in_the_next_one():
    # given a change started, then started again (which cancels the first)
    account = AccountFactory()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        first = start(account)
        first_code = latest_code(account.email)
        clock.shift(timedelta(seconds=61))
        second = start(account)
    # then the first change is cancelled and exactly one is pending
    first.refresh_from_db()
    assert first.state == ChangeState.CANCELLED
    assert IdentifierChange.objects.filter(state=ChangeState.STARTED).get() == second
    # when the first change's code is offered to the second
    with pytest.raises(ValidationFailed):
        verify_current(account, first_code)
    # then the second one still waits for its own code
    assert identifier_change_status(account=account, kind="email").next_step == "verify_current"


def test_the_pending_change_expires_20_minutes_after_start():
    # given a change started at 10:00
    account = AccountFactory()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        start(account)
        code = latest_code(account.email)
        clock.shift(timedelta(minutes=9))
        verify_current(account, code)
        submit_new(account)
        new_code = latest_code(NEW_EMAIL)
        # when the holder confirms after 20 minutes
        clock.shift(timedelta(minutes=11, seconds=1))
        assert identifier_change_status(account=account, kind="email").state == "expired"
        with pytest.raises(Conflict) as caught:
            confirm(account, new_code)
    # then it is refused as expired, closed, audited, and nothing changed
    assert caught.value.code == "change_expired"
    assert IdentifierChange.objects.get().state == ChangeState.EXPIRED
    assert AuditEvent.objects.filter(event="email_change.expired", account=account).exists()
    assert email_of(account) == account.email


def test_five_wrong_tries_kill_the_code():
    # given a started change
    account = AccountFactory()
    start(account)
    good = latest_code(account.email)
    wrong = "000000" if good != "000000" else "111111"
    # when the holder types five wrong codes
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            verify_current(account, wrong)
    # then even the right code no longer works
    with pytest.raises(ValidationFailed):
        verify_current(account, good)
    assert identifier_change_status(account=account, kind="email").next_step == "verify_current"


def test_status_counts_attempts_left():
    # given a started change and one wrong try
    account = AccountFactory()
    start(account)
    with pytest.raises(ValidationFailed):
        verify_current(account, "999999" if latest_code(account.email) != "999999" else "888888")
    # when the status is read
    status = identifier_change_status(account=account, kind="email")
    # then it shows four tries left and exactly one next step
    assert status.attempts_left == 4
    assert status.next_step == "verify_current"
    assert status.step == 1 and status.steps_total == 3
    assert status.current_target_masked.startswith("ho") and "@example.com" in status.current_target_masked


def test_resend_waits_for_the_cooldown_and_voids_the_previous_code():
    # given a started change
    account = AccountFactory()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        start(account)
        first_code = latest_code(account.email)
        # when the holder asks for a new code at once
        with pytest.raises(RateLimited) as caught:
            changes.identifier_change_resend(account=account, kind="email", meta=META)
        # then the cooldown refuses it
        assert caught.value.code == "resend_too_soon"
        assert 0 < caught.value.retry_after <= 60
        # when they ask again after a minute
        clock.shift(timedelta(seconds=61))
        changes.identifier_change_resend(account=account, kind="email", meta=META)
        second_code = latest_code(account.email)
    # then only the newest code works
    if first_code != second_code:
        with pytest.raises(ValidationFailed):
            verify_current(account, first_code)
    verify_current(account, second_code)


def test_a_taken_address_answers_like_a_free_one_and_its_owner_gets_a_notice_not_a_code():
    # given another account that owns the wanted address
    owner = AccountFactory(email="taken@example.org")
    free_holder, taken_holder = AccountFactory(), AccountFactory()
    for holder in (free_holder, taken_holder):
        start(holder)
        verify_current(holder, latest_code(holder.email))
    # when one holder asks for a free address and the other for the taken one
    submit_new(free_holder, "free@example.org")
    submit_new(taken_holder, "taken@example.org")
    free = identifier_change_status(account=free_holder, kind="email")
    taken = identifier_change_status(account=taken_holder, kind="email")
    # then both answers have the same shape and next step
    assert (free.state, free.next_step, free.attempts_left) == (
        taken.state,
        taken.next_step,
        taken.attempts_left,
    )
    assert taken.resend_available_at is not None and free.resend_available_at is not None
    # and the owner got a notice without any code, while the free address got a code
    owner_messages = messages_to(owner.email)
    assert len(owner_messages) == 1 and not has_code(owner_messages[0])
    assert has_code(messages_to("free@example.org")[0])
    # and no code the holder could guess commits the taken address
    with pytest.raises(ValidationFailed):
        confirm(taken_holder, "123456")
    assert email_of(owner) == "taken@example.org" and email_of(taken_holder) == taken_holder.email


def test_the_commit_is_atomic():
    # given a change waiting for its last code
    account = AccountFactory()
    old_email = account.email
    to_new_code_sent(account)
    new_code = latest_code(NEW_EMAIL)

    def failing_audit(**kwargs):
        if str(kwargs.get("event")) == "email.changed":
            raise RuntimeError("audit store down")
        return real_audit(**kwargs)

    real_audit = change_commit.audit_record
    # when the commit fails halfway (the audit write raises after the address was swapped)
    with mock.patch.object(change_commit, "audit_record", side_effect=failing_audit), pytest.raises(RuntimeError):
        confirm(account, new_code)
    # then nothing of it stuck: the old address still logs in, the new one does not
    assert email_of(account) == old_email
    assert IdentifierChange.objects.get().state == ChangeState.NEW_CODE_SENT
    assert can_log_in(old_email)
    assert not can_log_in(NEW_EMAIL)
    assert messages_to(old_email)[0]["subject"] != "Your Billing Center login email was changed"


def test_an_address_taken_before_the_commit_is_refused_at_the_commit():
    # given a change waiting for its last code, and another account that takes the address meanwhile
    account = AccountFactory()
    to_new_code_sent(account)
    new_code = latest_code(NEW_EMAIL)
    AccountFactory(email=NEW_EMAIL)
    # when the holder confirms
    with pytest.raises(Conflict) as caught:
        confirm(account, new_code)
    # then the uniqueness re-check refuses it and the account keeps its address
    assert caught.value.code == "address_taken"
    assert email_of(account) == account.email


def test_the_commit_voids_outstanding_codes_of_the_old_address():
    # given a login code requested for the old address before the change commits
    account = AccountFactory()
    old_email = account.email
    to_new_code_sent(account)
    new_code = latest_code(NEW_EMAIL)
    login_code_request(identifier=old_email, language="en", meta=META)
    old_login_code = latest_code(old_email)
    # when the change commits
    confirm(account, new_code)
    # then the old address's code is void
    with pytest.raises(ApplicationErrorTypes):
        login_with_code(identifier=old_email, code=old_login_code, meta=META)


ApplicationErrorTypes = (ValidationFailed, Conflict)


def test_cancel_at_any_step_leaves_the_account_unchanged():
    # given a change at its last step
    account = AccountFactory()
    to_new_code_sent(account)
    new_code = latest_code(NEW_EMAIL)
    # when the holder cancels
    changes.identifier_change_cancel(account=account, kind="email", meta=META)
    # then the change is cancelled, its code is void, and the account is unchanged
    assert IdentifierChange.objects.get().state == ChangeState.CANCELLED
    with pytest.raises(Conflict):
        confirm(account, new_code)
    assert email_of(account) == account.email
    assert identifier_change_status(account=account, kind="email").next_step == "start"


def test_the_same_address_is_refused_as_new():
    # given a verified current address
    account = AccountFactory()
    start(account)
    verify_current(account, latest_code(account.email))
    # when the holder enters their own address (in other case) as the new one
    with pytest.raises(ValidationFailed) as caught:
        submit_new(account, account.email.upper())
    # then it is refused
    assert caught.value.code == "same_address"


def test_one_pending_change_per_account_and_kind_is_a_database_constraint():
    # given a pending change
    from django.db import IntegrityError, transaction

    account = AccountFactory()
    start(account)
    # when a second pending row is written directly
    with pytest.raises(IntegrityError), transaction.atomic():
        IdentifierChange.objects.create(
            account=account, kind="email", current_target=account.email, expires_at=timezone.now()
        )
    # then the partial unique constraint refuses it
    assert IdentifierChange.objects.count() == 1


def test_a_new_address_entered_while_the_last_code_is_checked_is_not_committed_with_that_code():
    # given a change waiting for the code sent to a first new address the holder controls
    account = AccountFactory()
    old_email = account.email
    to_new_code_sent(account)
    code_for_first = latest_code(NEW_EMAIL)
    other_address = "someone.else@example.org"
    real_check = code_service.code_check

    def check_then_race(**kwargs):
        # the code of the first address passes; meanwhile a second request enters another address
        matched = real_check(**kwargs)
        submit_new(account, other_address)
        return matched

    # when the holder confirms with the first address's code while the other request lands
    with mock.patch.object(code_service, "code_check", side_effect=check_then_race), pytest.raises(Conflict):
        confirm(account, code_for_first)
    # then the address that nobody proved is never committed; the old one keeps logging in
    assert email_of(account) == old_email
    assert can_log_in(old_email)
    assert not can_log_in(other_address)
    change = IdentifierChange.objects.get()
    assert (change.state, change.new_value) == (ChangeState.NEW_CODE_SENT, other_address)


def test_an_address_taken_by_a_racing_account_during_the_commit_is_a_clean_conflict():
    # given a change waiting for its last code, and another account that takes the address after
    # the commit's uniqueness re-check (simulated: the re-check sees it free, the database does not)
    account = AccountFactory()
    old_email = account.email
    to_new_code_sent(account)
    new_code = latest_code(NEW_EMAIL)
    AccountFactory(email=NEW_EMAIL.upper())
    # when the holder confirms
    with mock.patch.object(change_commit, "_owner_of", return_value=None), pytest.raises(Conflict) as caught:
        confirm(account, new_code)
    # then the answer is a clean conflict (no IntegrityError) and the old address still logs in
    assert caught.value.code == "address_taken"
    assert email_of(account) == old_email
    assert can_log_in(old_email)
    assert IdentifierChange.objects.get().state == ChangeState.NEW_CODE_SENT
