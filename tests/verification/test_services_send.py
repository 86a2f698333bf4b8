"""code_send: cooldown, every send cap, voiding, decoys, audit and delivery status (SPEC §2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from billing_center.audit.models import AuditEvent
from billing_center.audit.services import RequestMeta
from billing_center.core.errors import RateLimited
from billing_center.core.masking import mask_email
from billing_center.verification.models import Delivery, OneTimeCode
from billing_center.verification.services import CodeSent, code_send, delivery_status
from tests.factories import AccountFactory
from tests.outbox import latest_code, outbox_messages
from tests.verification.conftest import START

pytestmark = pytest.mark.django_db

EMAIL = "ada@example.com"


def send(target: str = EMAIL, *, purpose: str = "signup_email", channel: str = "email", **kwargs) -> CodeSent:
    kwargs.setdefault("meta", RequestMeta(ip="198.51.100.7"))
    return code_send(purpose=purpose, channel=channel, target=target, **kwargs)


def test_a_code_goes_out_at_once_and_the_answer_says_when_to_resend(clock):
    # given nothing sent yet / when a sign-up code is asked for
    sent = send()
    # then it is delivered to the outbox, valid 10 min, resend possible after 60 s, address masked
    assert sent.delivery == "sent"
    assert sent.target_masked == mask_email(EMAIL) == "a***@example.com"
    assert sent.expires_at == START + timedelta(minutes=10)
    assert sent.resend_available_at == START + timedelta(seconds=60)
    assert len(latest_code(EMAIL)) == 6
    assert Delivery.objects.get().status == "sent"


def test_resend_within_60_seconds_is_refused_with_the_time_left(clock):
    # given a code sent now
    send()
    # when another is asked for 45 s later
    clock.shift(45)
    with pytest.raises(RateLimited) as refused:
        send()
    # then it is refused as "too soon", with 15 s to wait, and only one message went out
    assert refused.value.code == "resend_too_soon"
    assert refused.value.retry_after == 15
    assert len(outbox_messages(EMAIL)) == 1
    # and at 60 s it is accepted
    clock.shift(15)
    assert send().delivery == "sent"


def test_the_cooldown_is_per_purpose_and_target(clock):
    # given a sign-up code to one address
    send()
    # when codes for another purpose, or to another address, follow at once
    send(purpose="login")
    send("grace@example.com")
    # then both are accepted
    assert len(outbox_messages()) == 3


def test_a_target_gets_at_most_5_codes_an_hour(clock):
    # given five codes to one address, one a minute (the cooldown)
    for _ in range(5):
        send(meta=RequestMeta(ip="198.51.100.8"))
        clock.shift(61)
    # when a sixth is asked for within the hour, even from another IP
    with pytest.raises(RateLimited) as refused:
        send(meta=RequestMeta(ip="203.0.113.50"))
    # then it is refused, and allowed again when the hour has passed
    assert refused.value.code == "rate_limited"
    assert 0 < refused.value.retry_after <= 3600
    clock.shift(refused.value.retry_after)
    assert send().delivery == "sent"


def test_a_target_gets_at_most_10_codes_a_day(clock):
    # given two hours with five codes each to one address
    for _hour in range(2):
        for _ in range(5):
            send()
            clock.shift(61)
        clock.shift(3600)
    # when an eleventh is asked for, in a fresh hour
    with pytest.raises(RateLimited) as refused:
        send()
    # then the day cap refuses it until the day is over
    assert refused.value.code == "rate_limited"
    assert refused.value.retry_after > 3600
    assert len(outbox_messages(EMAIL)) == 10


def test_an_account_gets_at_most_10_codes_an_hour(clock):
    # given an account that asked for ten codes to ten different addresses
    account = AccountFactory()
    for number in range(10):
        send(f"new{number}@example.com", purpose="email_change_new", account=account)
    # when it asks for an eleventh
    with pytest.raises(RateLimited) as refused:
        send("new10@example.com", purpose="email_change_new", account=account)
    # then it is refused; another account is not affected
    assert refused.value.code == "rate_limited"
    send("other@example.com", purpose="email_change_new", account=AccountFactory())


def test_an_ip_gets_at_most_20_codes_an_hour(clock):
    # given twenty codes from one IP to twenty addresses
    meta = RequestMeta(ip="192.0.2.20")
    for number in range(20):
        send(f"user{number}@example.com", meta=meta)
    # when the IP asks for a 21st
    with pytest.raises(RateLimited) as refused:
        send("user20@example.com", meta=meta)
    # then it is refused; another IP still gets its code
    assert refused.value.code == "rate_limited"
    send("user21@example.com", meta=RequestMeta(ip="192.0.2.21"))


def test_the_send_cap_counts_an_ipv6_64_prefix_as_one_address(clock):
    # given twenty codes from twenty addresses of one IPv6 /64
    for number in range(20):
        send(f"user{number}@example.com", meta=RequestMeta(ip=f"2001:db8:9:9::{number + 1:x}"))
    # when yet another address of that /64 asks / then it is refused
    with pytest.raises(RateLimited) as refused:
        send("user20@example.com", meta=RequestMeta(ip="2001:db8:9:9::ffff"))
    assert refused.value.code == "rate_limited"


def test_the_signup_sms_budget_caps_signup_sms_per_hour_but_not_email(clock, settings):
    # given a sign-up budget of 3 SMS an hour, used up by three numbers from three IPs
    settings.SMS_SIGNUP_BUDGET_PER_HOUR = 3
    for number in range(3):
        send(f"+861380000000{number}", purpose="signup_phone", channel="sms",
             meta=RequestMeta(ip=f"192.0.2.{number + 1}"))
    # when a fourth SMS is asked for
    with pytest.raises(RateLimited) as refused:
        send("+8613800000009", purpose="signup_phone", channel="sms", meta=RequestMeta(ip="192.0.2.99"))
    # then it is refused, while email still flows
    assert refused.value.code == "rate_limited"
    assert send(meta=RequestMeta(ip="192.0.2.99")).delivery == "sent"
    # and the next hour has a fresh budget
    clock.shift(3601)
    send("+8613800000009", purpose="signup_phone", channel="sms", meta=RequestMeta(ip="192.0.2.99"))


def test_a_new_code_voids_the_previous_one_for_the_same_tuple(clock):
    # given a code for one (purpose, target, flow)
    send(flow="f1")
    clock.shift(61)
    # when a new one is sent for the same tuple, and one for another flow
    send(flow="f1")
    clock.shift(61)
    send(flow="f2")
    # then only the older code of flow f1 is void
    codes = list(OneTimeCode.objects.order_by("created_at", "id").values_list("flow", "voided_at"))
    assert codes[0][0] == "f1" and codes[0][1] is not None
    assert [voided is None for _flow, voided in codes[1:]] == [True, True]


def test_refused_sends_are_audited_and_counted(clock):
    # given a code just sent
    send()
    # when another is refused
    with pytest.raises(RateLimited):
        send()
    # then both the send and the refusal are audited, with the address masked
    events = list(AuditEvent.objects.order_by("id").values_list("event", "new", "detail"))
    assert [event for event, _new, _detail in events] == ["code.sent", "code.send_refused"]
    assert all(new == {"target": "a***@example.com"} for _event, new, _detail in events)
    assert events[1][2]["reason"] == "resend_too_soon"


def test_a_decoy_is_indistinguishable_and_delivers_the_notice_instead(clock):
    # given one real sign-up code and one to an address that is taken (notice instead)
    real = send("free@example.com")
    decoy = send("taken@example.com", decoy_notice=("Someone tried to sign up", "Ignore this if it was not you."))
    # then the answers have the same shape and values (but the address)
    assert (decoy.delivery, decoy.expires_at, decoy.resend_available_at) == (
        real.delivery, real.expires_at, real.resend_available_at
    )
    # and the same rows and audit exist, but the taken address got only the notice
    assert OneTimeCode.objects.count() == 2 and Delivery.objects.count() == 2
    notice = outbox_messages("taken@example.com")
    assert [message["subject"] for message in notice] == ["Someone tried to sign up"]
    with pytest.raises(AssertionError):
        latest_code("taken@example.com")
    audit = AuditEvent.objects.filter(event="code.sent").values_list("detail", flat=True)
    assert len(set(map(str, audit))) == 1
    # and it counts on the limits like a real code
    with pytest.raises(RateLimited):
        send("taken@example.com", decoy_notice=("s", "b"))


def test_inside_a_caller_transaction_the_message_waits_for_the_commit(django_capture_on_commit_callbacks):
    # given a caller's own transaction
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        sent = send()
        # when code_send returns inside it, nothing went out yet
        assert sent.delivery == "queued"
        assert outbox_messages() == []
    # then the message goes out when the caller commits
    assert len(callbacks) == 1
    assert delivery_status(sent.delivery_id) == "sent"
    assert len(outbox_messages(EMAIL)) == 1


def test_unknown_purpose_or_channel_is_a_programming_error(meta):
    # given / when / then: a typo in a caller is loud, not a silent code
    with pytest.raises(ValueError):
        code_send(purpose="signup", channel="email", target=EMAIL, meta=meta)
    with pytest.raises(ValueError):
        code_send(purpose="login", channel="fax", target=EMAIL, meta=meta)
