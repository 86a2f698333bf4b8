"""Send and check limits a stranger cannot turn on the holder (SPEC §2, docs/security.md)."""

from __future__ import annotations

import pytest

from billing_center.audit.services import RequestMeta
from billing_center.core.errors import RateLimited, ValidationFailed
from billing_center.core.ratelimit import known_network_note, network_of
from billing_center.verification.services import code_check, code_send
from tests.factories import AccountFactory
from tests.outbox import latest_code, outbox_messages

pytestmark = pytest.mark.django_db

EMAIL = "ada@example.com"


def send(target: str = EMAIL, *, purpose: str = "login", ip: str = "198.51.100.7", account=None):
    channel = "email" if "@" in target else "sms"
    return code_send(
        purpose=purpose, channel=channel, target=target, account=account, meta=RequestMeta(ip=ip)
    )


def test_networks_are_ipv4_slash_24_and_ipv6_slash_64():
    assert network_of("198.51.100.7") == "198.51.100.0/24"
    assert network_of("::ffff:198.51.100.7") == "198.51.100.0/24"
    assert network_of("2001:db8:1:2:3::9") == "2001:db8:1:2::/64"


def test_a_refused_send_does_not_take_the_resend_cooldown(clock, settings):
    # given a per-IP cap of one send, spent on another address
    settings.CODE_SENDS_PER_IP_PER_HOUR = 1
    send("other@example.com", ip="198.51.100.7")
    # when a send for EMAIL is refused by that cap
    with pytest.raises(RateLimited) as refused:
        send(ip="198.51.100.7")
    assert refused.value.code == "rate_limited"
    # then a send for EMAIL from the next address of the same network goes out at once (no cooldown kept)
    send(ip="198.51.100.8")
    assert outbox_messages(EMAIL)


def test_a_strangers_resends_do_not_keep_the_holders_cooldown_waiting(clock):
    # given a stranger who just asked for a login code for EMAIL
    send(ip="192.0.2.1")
    # when the holder asks from another network in the same minute / then it goes out
    send(ip="203.0.113.5")
    # and the stranger's own network still waits
    with pytest.raises(RateLimited) as waiting:
        send(ip="192.0.2.1")
    assert waiting.value.code == "resend_too_soon"


def test_a_known_network_keeps_its_own_budget_when_strangers_spent_the_address(clock):
    # given an account known on 203.0.113.0/24 and strangers who spent the address-wide cap of 5 an hour
    account = AccountFactory(email=EMAIL)
    known_network_note(account_id=account.pk, ip="203.0.113.5")
    for n in range(5):
        send(ip=f"192.0.{n}.1", account=account)
    with pytest.raises(RateLimited):
        send(ip="192.0.9.1", account=account)
    # when the holder asks from the known network / then the code goes out
    send(ip="203.0.113.77", account=account)
    assert (
        code_check(
            purpose="login",
            target=EMAIL,
            code=latest_code(EMAIL),
            account=account,
            meta=RequestMeta(ip="203.0.113.77"),
        ).used_at
        is not None
    )


def test_one_lock_notice_per_address_however_many_networks_lock(clock, settings):
    # given a failure limit of 2
    settings.CODE_PURPOSE_FAILURE_LIMIT = 2
    account = AccountFactory(email=EMAIL)
    # when three networks each lock themselves with wrong codes
    for n in range(3):
        for _ in range(2):
            with pytest.raises(ValidationFailed):
                code_check(
                    purpose="login",
                    target=EMAIL,
                    code="000000",
                    account=account,
                    meta=RequestMeta(ip=f"192.0.{n}.1"),
                )
        with pytest.raises(RateLimited) as locked:
            code_check(
                purpose="login",
                target=EMAIL,
                code="000000",
                account=account,
                meta=RequestMeta(ip=f"192.0.{n}.1"),
            )
        assert locked.value.code == "purpose_locked"
    # then the holder got exactly one notice
    notices = [m for m in outbox_messages(EMAIL) if "too many wrong" in m["subject"]]
    assert len(notices) == 1
