"""Phone change, add phone and lost phone: the same strict state machine with SMS (SPEC §3)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.utils import timezone

from billing_center.accounts.models import Account, ChangePath, ChangeState, IdentifierChange
from billing_center.accounts.selectors.settings import identifier_change_status
from billing_center.accounts.services import identifier_change as changes
from billing_center.accounts.services.identifier_change import commit as change_commit
from billing_center.audit.models import AuditEvent
from billing_center.core.errors import Conflict, RateLimited, ReauthenticationRequired, ValidationFailed
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

OLD_PHONE = "+8613800138000"
NEW_PHONE = "+8613912345678"


@pytest.fixture(autouse=True)
def _outbox(settings):
    use_outbox_email(settings)


def start(account: Account, **kwargs: object) -> IdentifierChange:
    return changes.identifier_change_start(
        account=account, kind="phone", reauthenticated=True, meta=META, **kwargs
    )


def verify_current(account: Account, code: str) -> IdentifierChange:
    return changes.identifier_change_verify_current(account=account, kind="phone", code=code, meta=META)


def submit_new(account: Account, value: str = NEW_PHONE, *, reauthenticated: bool = True) -> IdentifierChange:
    return changes.identifier_change_submit_new(
        account=account, kind="phone", value=value, reauthenticated=reauthenticated, meta=META
    )


def confirm(account: Account, code: str, keep: str | None = None) -> IdentifierChange:
    return changes.identifier_change_confirm(
        account=account, kind="phone", code=code, keep_session_key=keep, meta=META
    )


def phone_of(account: Account) -> str | None:
    return Account.objects.get(pk=account.pk).phone


def test_both_sms_codes_commit_the_change_and_only_the_new_phone_logs_in():
    # given a holder with a phone, logged in on two devices
    account = AccountFactory(phone=OLD_PHONE)
    this_device, _other = logged_in_client(account), logged_in_client(account)
    # when they prove the current phone, then the new one (national input for the new number)
    start(account)
    verify_current(account, latest_code(OLD_PHONE))
    submit_new(account, "139 1234 5678")
    confirm(account, latest_code(NEW_PHONE), keep=session_key_of(this_device))
    # then the new phone (stored E.164) logs in and the old one does not
    assert phone_of(account) == NEW_PHONE
    assert can_log_in(NEW_PHONE)
    assert not can_log_in(OLD_PHONE)
    # and notices went to the login email, the old phone and the new phone; other sessions ended
    assert any("phone number" in m["subject"] for m in messages_to(account.email))
    assert not has_code(messages_to(OLD_PHONE)[0]) and not has_code(messages_to(NEW_PHONE)[0])
    assert live_session_keys(account) == {session_key_of(this_device)}
    assert AuditEvent.objects.filter(event="phone.changed", account=account).count() == 1


def test_steps_out_of_order_are_refused_and_no_step_alone_commits():
    # given a started phone change
    account = AccountFactory(phone=OLD_PHONE)
    start(account)
    code = latest_code(OLD_PHONE)
    # when steps are skipped
    with pytest.raises(Conflict):
        submit_new(account)
    with pytest.raises(Conflict):
        confirm(account, code)
    # then nothing changed after any step
    verify_current(account, code)
    assert phone_of(account) == OLD_PHONE
    with pytest.raises(Conflict):
        confirm(account, code)
    submit_new(account)
    assert phone_of(account) == OLD_PHONE
    assert can_log_in(OLD_PHONE)


def test_the_current_phone_code_never_passes_as_the_new_phone_code():
    # given a phone change at its last step
    account = AccountFactory(phone=OLD_PHONE)
    start(account)
    current_code = latest_code(OLD_PHONE)
    verify_current(account, current_code)
    submit_new(account)
    # when the current-phone code is offered at the confirm step
    with pytest.raises(ValidationFailed):
        confirm(account, current_code)
    # then nothing changed
    assert phone_of(account) == OLD_PHONE


def test_an_email_change_code_never_passes_for_a_phone_change():
    # given an email change and a phone change started together
    account = AccountFactory(phone=OLD_PHONE)
    changes.identifier_change_start(account=account, kind="email", reauthenticated=True, meta=META)
    email_code = latest_code(account.email)
    start(account)
    # when the email change's code is offered to the phone change
    with pytest.raises(ValidationFailed):
        verify_current(account, email_code)
    # then the phone change still waits for its own code
    assert identifier_change_status(account=account, kind="phone").next_step == "verify_current"


def test_the_phone_change_expires_20_minutes_after_start():
    # given a started phone change
    account = AccountFactory(phone=OLD_PHONE)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        start(account)
        code = latest_code(OLD_PHONE)
        # when the code is entered 20 minutes later
        clock.shift(timedelta(minutes=20))
        with pytest.raises(Conflict) as caught:
            verify_current(account, code)
    # then the change expired
    assert caught.value.code == "change_expired"
    assert IdentifierChange.objects.get().state == ChangeState.EXPIRED


def test_five_wrong_sms_codes_kill_the_code():
    # given a phone change at its last step
    account = AccountFactory(phone=OLD_PHONE)
    start(account)
    verify_current(account, latest_code(OLD_PHONE))
    submit_new(account)
    good = latest_code(NEW_PHONE)
    wrong = "000000" if good != "000000" else "111111"
    # when five wrong codes are typed
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            confirm(account, wrong)
    # then the right one no longer commits
    with pytest.raises(ValidationFailed):
        confirm(account, good)
    assert phone_of(account) == OLD_PHONE


def test_resend_of_the_new_phone_code_waits_for_the_cooldown():
    # given a phone change at its last step
    account = AccountFactory(phone=OLD_PHONE)
    start(account)
    verify_current(account, latest_code(OLD_PHONE))
    submit_new(account)
    # when the holder asks for another SMS at once
    with pytest.raises(RateLimited) as caught:
        changes.identifier_change_resend(account=account, kind="phone", meta=META)
    # then it is refused with the time to wait
    assert caught.value.code == "resend_too_soon"


def test_a_taken_phone_answers_like_a_free_one_and_its_owner_gets_a_notice_not_a_code():
    # given another account that owns the wanted phone
    AccountFactory(phone=NEW_PHONE)
    account = AccountFactory(phone=OLD_PHONE)
    start(account)
    verify_current(account, latest_code(OLD_PHONE))
    # when the holder enters that phone
    submit_new(account)
    status = identifier_change_status(account=account, kind="phone")
    # then the answer is the usual "code sent" and the owner's phone got a notice only
    assert status.next_step == "verify_new" and status.attempts_left == 5
    owner_messages = messages_to(NEW_PHONE)
    assert len(owner_messages) == 1 and not has_code(owner_messages[0])
    with pytest.raises(ValidationFailed):
        confirm(account, "123456")
    assert phone_of(account) == OLD_PHONE


def test_the_phone_commit_is_atomic():
    # given a phone change at its last step
    account = AccountFactory(phone=OLD_PHONE)
    start(account)
    verify_current(account, latest_code(OLD_PHONE))
    submit_new(account)
    real_audit = change_commit.audit_record

    def failing_audit(**kwargs):
        if str(kwargs.get("event")) == "phone.changed":
            raise RuntimeError("audit store down")
        return real_audit(**kwargs)

    # when the commit fails after the swap
    with mock.patch.object(change_commit, "audit_record", side_effect=failing_audit), pytest.raises(RuntimeError):
        confirm(account, latest_code(NEW_PHONE))
    # then the old phone still logs in and the new one does not
    assert phone_of(account) == OLD_PHONE
    assert can_log_in(OLD_PHONE) and not can_log_in(NEW_PHONE)


# --- Add phone ------------------------------------------------------------------------------------


def test_an_account_without_a_phone_adds_one_with_a_code_to_the_login_email_then_to_the_phone():
    # given a holder without a phone
    account = AccountFactory()
    # when they start, the first code goes to the login email
    change = start(account)
    assert change.path == ChangePath.ADD_PHONE
    verify_current(account, latest_code(account.email))
    submit_new(account)
    confirm(account, latest_code(NEW_PHONE))
    # then the phone is bound and logs in
    assert phone_of(account) == NEW_PHONE
    assert can_log_in(NEW_PHONE)


def test_lost_phone_is_refused_without_a_phone():
    # given a holder without a phone
    account = AccountFactory()
    # when they report a lost phone
    with pytest.raises(ValidationFailed):
        start(account, lost_phone=True)
    # then nothing started
    assert not IdentifierChange.objects.exists()


def test_start_requires_a_fresh_reauthentication():
    # given a holder with a stale authentication
    account = AccountFactory(phone=OLD_PHONE)
    # when they start a phone change, then it is refused
    with pytest.raises(ReauthenticationRequired):
        changes.identifier_change_start(account=account, kind="phone", reauthenticated=False, meta=META)
    assert messages_to(OLD_PHONE) == []


# --- Lost phone -----------------------------------------------------------------------------------


def test_lost_phone_waits_24_hours_with_notices_on_every_channel_then_commits():
    # given a holder who lost their phone
    account = AccountFactory(phone=OLD_PHONE)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        change = start(account, lost_phone=True)
        # when they prove the login email
        assert change.path == ChangePath.LOST_PHONE
        verify_current(account, latest_code(account.email))
        # then a waiting period starts and both the email and the old phone hear about it
        status = identifier_change_status(account=account, kind="phone")
        assert (status.next_step, status.step, status.steps_total) == ("wait", 2, 4)
        assert any("replace" in m["subject"] for m in messages_to(account.email))
        assert messages_to(OLD_PHONE) and not has_code(messages_to(OLD_PHONE)[0])
        # when they try to enter the new phone before the wait is over
        clock.shift(timedelta(hours=23, minutes=59))
        with pytest.raises(Conflict) as early:
            submit_new(account)
        assert early.value.code == "waiting_period"
        # and after the wait, without a fresh re-authentication
        clock.shift(timedelta(minutes=2))
        with pytest.raises(ReauthenticationRequired):
            submit_new(account, reauthenticated=False)
        # then with one, the new phone gets a code and the change commits
        assert identifier_change_status(account=account, kind="phone").next_step == "enter_new"
        submit_new(account)
        confirm(account, latest_code(NEW_PHONE))
    assert phone_of(account) == NEW_PHONE


def test_lost_phone_request_can_be_cancelled_during_the_wait():
    # given a lost-phone change in its waiting period
    account = AccountFactory(phone=OLD_PHONE)
    start(account, lost_phone=True)
    verify_current(account, latest_code(account.email))
    # when the holder cancels it
    changes.identifier_change_cancel(account=account, kind="phone", meta=META)
    # then the phone is unchanged and nothing is pending
    assert phone_of(account) == OLD_PHONE
    assert identifier_change_status(account=account, kind="phone").next_step == "start"


def test_lost_phone_change_expires_when_not_finished_after_the_wait(settings):
    # given a lost-phone change whose window after the wait has passed
    account = AccountFactory(phone=OLD_PHONE)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        start(account, lost_phone=True)
        verify_current(account, latest_code(account.email))
        clock.shift(
            timedelta(
                seconds=settings.LOST_PHONE_DELAY_SECONDS + settings.LOST_PHONE_COMPLETE_WINDOW_SECONDS + 1
            )
        )
        # when the holder enters a new phone
        with pytest.raises(Conflict) as caught:
            submit_new(account)
    # then the change has expired
    assert caught.value.code == "change_expired"


def test_a_login_email_change_cancels_a_phone_change_whose_codes_go_to_the_old_email():
    # given a holder adding a phone (first code to the login email), who then changes the login email
    account = AccountFactory()
    old_email = account.email
    start(account)
    changes.identifier_change_start(account=account, kind="email", reauthenticated=True, meta=META)
    changes.identifier_change_verify_current(
        account=account, kind="email", code=latest_code(old_email), meta=META
    )
    changes.identifier_change_submit_new(
        account=account, kind="email", value="moved@example.org", reauthenticated=True, meta=META
    )
    changes.identifier_change_confirm(
        account=account, kind="email", code=latest_code("moved@example.org"), keep_session_key=None, meta=META
    )
    # when the holder asks for the phone change's first code again
    with pytest.raises(Conflict) as caught:
        changes.identifier_change_resend(account=account, kind="phone", meta=META)
    # then that change was cancelled at the email commit: nothing more goes to the address the
    # account gave up, and the phone flow starts over with the new login email
    assert caught.value.code == "no_pending_change"
    phone_change = IdentifierChange.objects.get(kind="phone")
    assert phone_change.state == ChangeState.CANCELLED
    assert start(account).current_target == "moved@example.org"


def test_restarting_or_cancelling_a_lost_phone_change_never_shortens_the_wait():
    # given a lost-phone change 23 hours into its waiting period
    account = AccountFactory(phone=OLD_PHONE)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        start(account, lost_phone=True)
        verify_current(account, latest_code(account.email))
        clock.shift(timedelta(hours=23))
        # when the holder cancels it and starts again (a normal change needs the lost phone's code)
        changes.identifier_change_cancel(account=account, kind="phone", meta=META)
        start(account, lost_phone=True)
        verify_current(account, latest_code(account.email))
        # then the new wait counts from now: an hour later (past the first wait) is still too early
        clock.shift(timedelta(hours=1, minutes=1))
        with pytest.raises(Conflict) as early:
            submit_new(account)
        assert early.value.code == "waiting_period"
        # and only a full 24 hours after the second proof is the new phone accepted
        clock.shift(timedelta(hours=23))
        submit_new(account)
    assert phone_of(account) == OLD_PHONE
