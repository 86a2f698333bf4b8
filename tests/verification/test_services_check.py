"""code_check: expiry, single use, 5 tries, binding, per-IP check cap, the 24 h purpose lock (SPEC §2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from billing_center.audit.models import AuditEvent
from billing_center.audit.services import RequestMeta
from billing_center.core.errors import RateLimited, ValidationFailed
from billing_center.verification.models import OneTimeCode
from billing_center.verification.services import code_check, code_send, code_state, codes_void
from tests.factories import AccountFactory
from tests.outbox import latest_code, outbox_messages
from tests.verification.conftest import START

pytestmark = pytest.mark.django_db

EMAIL = "ada@example.com"


def send(target: str = EMAIL, *, purpose: str = "login", flow: str = "", account=None) -> str:
    channel = "email" if "@" in target else "sms"
    code_send(purpose=purpose, channel=channel, target=target, flow=flow, account=account,
              meta=RequestMeta(ip="198.51.100.7"))
    return latest_code(target)


def check(code: str, target: str = EMAIL, *, purpose: str = "login", flow: str = "", account=None,
          ip: str = "198.51.100.7") -> OneTimeCode:
    return code_check(purpose=purpose, target=target, code=code, flow=flow, account=account,
                      meta=RequestMeta(ip=ip))


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_the_right_code_passes_once(clock):
    # given a code
    code = send()
    # when it is checked
    used = check(code)
    # then it passes and is consumed; a second use fails like a wrong code
    assert used.used_at is not None
    with pytest.raises(ValidationFailed) as again:
        check(code)
    assert again.value.code == "invalid_code"


def test_spaces_and_dashes_in_the_input_are_accepted(clock):
    # given a code / when it is typed with a space and a dash / then it passes
    code = send()
    assert check(f" {code[:3]} -{code[3:]} ").used_at is not None


def test_a_code_expires_after_10_minutes(clock):
    # given a code
    code = send()
    # when 10 minutes have passed
    clock.shift(600)
    # then it fails with the same message as a wrong code
    with pytest.raises(ValidationFailed) as expired:
        check(code)
    with pytest.raises(ValidationFailed) as mistyped:
        check(wrong(code))
    assert (expired.value.code, expired.value.message) == (mistyped.value.code, mistyped.value.message)


def test_a_code_still_passes_just_before_it_expires(clock):
    code = send()
    clock.shift(599)
    assert check(code).used_at is not None


def test_five_wrong_tries_kill_the_code(clock):
    # given a code and four wrong tries
    code = send()
    for _ in range(4):
        with pytest.raises(ValidationFailed):
            check(wrong(code))
    assert code_state(purpose="login", target=EMAIL).attempts_left == 1
    # when a fifth wrong try is made
    with pytest.raises(ValidationFailed):
        check(wrong(code))
    # then even the right code no longer passes
    with pytest.raises(ValidationFailed):
        check(code)
    assert code_state(purpose="login", target=EMAIL) is None
    assert OneTimeCode.objects.get().voided_at is not None


def test_four_wrong_tries_leave_the_right_code_usable(clock):
    code = send()
    for _ in range(4):
        with pytest.raises(ValidationFailed):
            check(wrong(code))
    assert check(code).used_at is not None


def test_a_new_code_voids_the_old_one(clock):
    # given a code, and a second one a minute later
    first = send()
    clock.shift(61)
    second = send()
    # when the first is entered / then it fails, the second passes
    if first != second:
        with pytest.raises(ValidationFailed):
            check(first)
    assert check(second).used_at is not None


@pytest.mark.parametrize(
    "other",
    [
        {"purpose": "password_reset"},
        {"flow": "another-flow"},
        {"target": "eve@example.com"},
    ],
    ids=["purpose", "flow", "target"],
)
def test_a_code_never_passes_for_another_purpose_flow_or_target(clock, other):
    # given a login code for one flow and address, and a live code for the other tuple too
    code = send(flow="flow-1")
    clock.shift(61)
    send(other.get("target", EMAIL), purpose=other.get("purpose", "login"), flow=other.get("flow", "flow-1"))
    # when the first code is entered for the other tuple
    tuple_of_other = {"purpose": "login", "flow": "flow-1", "target": EMAIL} | other
    # then it fails, and the first code still works for its own tuple
    if latest_code(tuple_of_other["target"]) != code:
        with pytest.raises(ValidationFailed):
            check(code, **tuple_of_other)
    assert check(code, flow="flow-1").purpose == "login"


def test_a_code_of_one_account_does_not_pass_for_another(clock):
    owner, stranger = AccountFactory(), AccountFactory()
    code = send(account=owner)
    with pytest.raises(ValidationFailed):
        check(code, account=stranger)
    assert check(code, account=owner).account == owner


def test_an_ip_may_check_30_codes_in_5_minutes(clock):
    # given 30 checks from one IP
    code = send()
    for number in range(30):
        with pytest.raises(ValidationFailed):
            check(code, target=f"nobody{number}@example.com")
    # when it checks a 31st time, even the right code
    with pytest.raises(RateLimited) as refused:
        check(code)
    # then it is refused until the 5 minutes are over; another IP is not affected
    assert refused.value.code == "rate_limited"
    assert 0 < refused.value.retry_after <= 300
    assert check(code, ip="203.0.113.1").used_at is not None


def fail_checks(count: int, account, clock) -> None:
    """``count`` failed login checks for ``account``: four wrong tries per code, one code an hour."""
    failures = 0
    while failures < count:
        code = send(account=account)
        for _ in range(min(4, count - failures)):
            with pytest.raises(ValidationFailed):
                check(wrong(code), account=account, ip=f"192.0.2.{failures}")
            failures += 1
        clock.shift(3600)


def test_20_failed_checks_lock_the_purpose_for_24_hours_and_notify_the_account(clock):
    # given an account with 20 failed login checks spread over the day (many IPs, new codes)
    account = AccountFactory(email=EMAIL, language="en")
    fail_checks(20, account, clock)
    # then the purpose is locked: checking and sending both refuse, for 24 hours
    with pytest.raises(RateLimited) as locked_check:
        check("123456", account=account, ip="192.0.2.200")
    assert locked_check.value.code == "purpose_locked"
    assert 0 < locked_check.value.retry_after <= 24 * 3600
    with pytest.raises(RateLimited) as locked_send:
        code_send(purpose="login", channel="email", target=EMAIL, account=account, meta=RequestMeta(ip="192.0.2.201"))
    assert locked_send.value.code == "purpose_locked"
    # and one notice went to the account's email, audited once
    notices = [message for message in outbox_messages(EMAIL) if "too many wrong" in message["subject"]]
    assert len(notices) == 1
    assert "24 hours" in notices[0]["body"]
    assert AuditEvent.objects.filter(event="code.locked", account=account).count() == 1
    # and other purposes still work
    assert check(send(purpose="password_reset", account=account), purpose="password_reset", account=account)
    # and after 24 hours the lock is gone
    clock.shift(24 * 3600)
    assert check(send(account=account), account=account).used_at is not None


def test_19_failed_checks_do_not_lock(clock):
    # given 19 failed checks / when the right code comes / then it passes
    account = AccountFactory(email=EMAIL)
    fail_checks(19, account, clock)
    assert check(send(account=account), account=account).used_at is not None


def test_checks_for_a_target_without_account_lock_that_target(clock):
    # given 20 failed sign-up checks for one address (no account yet)
    for number in range(20):
        with pytest.raises(ValidationFailed):
            check("000000", target="new@example.com", purpose="signup_email", ip=f"192.0.2.{number}")
    # when a code is asked for that address / then it is locked and the address got the notice
    with pytest.raises(RateLimited) as locked:
        code_send(purpose="signup_email", channel="email", target="new@example.com", meta=RequestMeta(ip="192.0.2.99"))
    assert locked.value.code == "purpose_locked"
    assert len(outbox_messages("new@example.com")) == 1


def test_failed_checks_are_audited_without_the_code(clock):
    # given a code / when a wrong one is entered
    code = send()
    with pytest.raises(ValidationFailed):
        check(wrong(code))
    # then the failure is audited with the masked address and no code at all
    event = AuditEvent.objects.get(event="code.check_failed")
    assert event.new == {"target": "a***@example.com"}
    assert event.detail == {"purpose": "login", "attempts_left": 4}
    assert code not in str(event.__dict__) and wrong(code) not in str(event.__dict__)


def test_code_check_refuses_to_run_inside_a_caller_transaction(clock):
    # given a caller that opened a transaction / when it checks a code inside / then it is told not to
    code = send()
    with pytest.raises(RuntimeError, match="outside"), transaction.atomic():
        check(code)


def test_code_state_tells_attempts_expiry_and_resend_time(clock):
    # given a code sent now and one wrong try 30 s later
    code = send()
    clock.shift(30)
    with pytest.raises(ValidationFailed):
        check(wrong(code))
    # when the state is read
    state = code_state(purpose="login", target=EMAIL, ip="198.51.100.7")
    # then it shows 4 tries left, the expiry and a resend in 30 s (for the caller's network)
    assert state is not None
    assert state.attempts_left == 4
    assert state.expires_at == START + timedelta(minutes=10)
    assert state.resend_available_at == START + timedelta(seconds=60)
    assert state.delivery == "sent"


def test_codes_void_kills_the_live_codes_of_an_account(clock):
    # given an account with codes for two purposes
    account = AccountFactory(email=EMAIL)
    login_code = send(account=account)
    reset_code = send(purpose="password_reset", account=account)
    # when its codes are voided (e.g. after an email change)
    assert codes_void(account=account) == 2
    # then neither passes anymore
    for code, purpose in ((login_code, "login"), (reset_code, "password_reset")):
        with pytest.raises(ValidationFailed):
            check(code, purpose=purpose, account=account)


def test_the_check_cap_counts_an_ipv6_64_prefix_as_one_address(clock):
    # given 30 checks from 30 addresses of one IPv6 /64
    code = send()
    for number in range(30):
        with pytest.raises(ValidationFailed):
            check(code, target=f"nobody{number}@example.com", ip=f"2001:db8:5:5::{number + 1:x}")
    # when another address of that /64 checks / then it is refused
    with pytest.raises(RateLimited):
        check(code, ip="2001:db8:5:5::ffff")
