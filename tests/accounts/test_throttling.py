"""Login throttle mechanics (SPEC §1) on the shared rate-limit store, with time moved by time_machine."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from billing_center.accounts import throttling
from billing_center.core.errors import RateLimited

pytestmark = pytest.mark.django_db

IP = "198.51.100.7"


def _fail(times: int, identifier: str = "alice", ip: str = IP) -> int:
    failures = 0
    for _ in range(times):
        failures = throttling.failure_note(identifier=identifier, ip=ip)
    return failures


def test_delay_schedule_starts_after_five_doubles_and_blocks_at_ten():
    # given the default settings / when the delay after n failures is computed
    delays = [throttling.delay_after_failures(n) for n in range(1, 11)]
    # then nothing before the 5th, 1 s doubling from the 5th, and a 15 min block at the 10th
    assert delays == [0, 0, 0, 0, 1, 2, 4, 8, 16, 15 * 60]


def test_delay_is_capped_at_sixty_seconds(settings):
    # given a block threshold high enough for the delay to keep doubling
    settings.LOGIN_PAIR_BLOCK_AFTER = 50
    # when the delay after many failures is computed / then it never exceeds 60 s
    assert throttling.delay_after_failures(11) == 60
    assert throttling.delay_after_failures(40) == 60


def test_four_failures_do_not_delay_the_next_attempt():
    # given four failures of a pair
    _fail(4)
    # when the next attempt comes at once / then it is admitted
    throttling.attempt_admit(identifier="alice", ip=IP)


def test_fifth_failure_closes_the_gate_for_one_second():
    with time_machine.travel(timezone.now(), tick=False) as clock:
        # given five failures
        _fail(5)
        # when the next attempt comes at once / then it is refused with Retry-After 1
        with pytest.raises(RateLimited) as refused:
            throttling.attempt_admit(identifier="alice", ip=IP)
        assert refused.value.retry_after == 1
        # when one second has passed / then it is admitted
        clock.shift(timedelta(seconds=1))
        throttling.attempt_admit(identifier="alice", ip=IP)


def test_ninth_failure_waits_sixteen_seconds():
    with time_machine.travel(timezone.now(), tick=False) as clock:
        # given nine failures
        _fail(9)
        # when attempting 15 s later / then still refused
        clock.shift(timedelta(seconds=15))
        with pytest.raises(RateLimited) as refused:
            throttling.attempt_admit(identifier="alice", ip=IP)
        assert refused.value.retry_after == 1
        # when 16 s have passed / then admitted
        clock.shift(timedelta(seconds=1))
        throttling.attempt_admit(identifier="alice", ip=IP)


def test_tenth_failure_blocks_the_pair_for_fifteen_minutes():
    with time_machine.travel(timezone.now(), tick=False) as clock:
        # given ten failures
        _fail(10)
        # when attempting 14 min 59 s later / then refused
        clock.shift(timedelta(minutes=14, seconds=59))
        with pytest.raises(RateLimited) as refused:
            throttling.attempt_admit(identifier="alice", ip=IP)
        assert refused.value.retry_after == 1
        # when 15 min have passed / then admitted
        clock.shift(timedelta(seconds=1))
        throttling.attempt_admit(identifier="alice", ip=IP)


def test_block_is_per_pair_never_global():
    # given a blocked (alice, IP) pair
    _fail(10)
    # when alice tries from another IP, or someone else from the same IP / then both are admitted
    throttling.attempt_admit(identifier="alice", ip="203.0.113.9")
    throttling.attempt_admit(identifier="bob", ip=IP)


def test_identifier_spellings_share_one_pair():
    # given failures under differently cased/spaced spellings of one identifier
    _fail(5, identifier="Alice")
    # when the canonical spelling attempts / then it is gated too
    with pytest.raises(RateLimited):
        throttling.attempt_admit(identifier="  alice ", ip=IP)


def test_success_clears_the_pair():
    # given a gated pair
    _fail(7)
    # when a success is noted / then the next attempt is admitted and the count restarts
    throttling.success_note(identifier="alice", ip=IP)
    throttling.attempt_admit(identifier="alice", ip=IP)
    assert _fail(1) == 1


def test_per_ip_limit_is_thirty_attempts_a_minute():
    with time_machine.travel(timezone.now(), tick=False) as clock:
        # given 30 attempts from one IP for different identifiers
        for n in range(30):
            throttling.attempt_admit(identifier=f"user{n}", ip=IP)
        # when the 31st comes within the minute / then it is refused
        with pytest.raises(RateLimited) as refused:
            throttling.attempt_admit(identifier="user31", ip=IP)
        assert 0 < refused.value.retry_after <= 60
        # when the minute is over / then attempts are admitted again
        clock.shift(timedelta(seconds=61))
        throttling.attempt_admit(identifier="user31", ip=IP)


def test_canonical_identifier_merges_phone_and_email_spellings():
    # given different spellings of one phone and one email / when canonicalized / then they match
    assert throttling.identifier_canonical("138 0013 8000") == throttling.identifier_canonical(
        "+8613800138000"
    )
    assert throttling.identifier_canonical("A@Example.com") == throttling.identifier_canonical(
        "a@example.COM"
    )


def test_an_attempt_in_progress_holds_the_pair_until_its_outcome_is_noted():
    # given an admitted attempt of (alice, IP) whose password check is still running
    throttling.attempt_admit(identifier="alice", ip=IP)
    # when a second attempt of the same pair arrives before the first is noted
    # then it is refused: concurrent attempts cannot slip past the delay and the block
    with pytest.raises(RateLimited) as refused:
        throttling.attempt_admit(identifier="ALICE ", ip=IP)
    assert refused.value.code == "too_many_attempts"
    # and other pairs are not held
    throttling.attempt_admit(identifier="alice", ip="203.0.113.9")
    throttling.attempt_admit(identifier="bob", ip=IP)
    # when the first attempt's failure is noted / then the pair is free again
    throttling.failure_note(identifier="alice", ip=IP)
    throttling.attempt_admit(identifier="alice", ip=IP)


def test_a_success_also_frees_the_pair():
    # given an admitted attempt that succeeds
    throttling.attempt_admit(identifier="alice", ip=IP)
    throttling.success_note(identifier="alice", ip=IP)
    # when the next attempt comes / then it is admitted
    throttling.attempt_admit(identifier="alice", ip=IP)


def test_an_attempt_that_never_reports_frees_the_pair_after_a_short_while():
    with time_machine.travel(timezone.now(), tick=False) as clock:
        # given an admitted attempt whose worker died before noting its outcome
        throttling.attempt_admit(identifier="alice", ip=IP)
        # when the turn's lifetime has passed / then the pair is admitted again
        clock.shift(timedelta(seconds=throttling.ATTEMPT_TURN_SECONDS))
        throttling.attempt_admit(identifier="alice", ip=IP)


def test_per_ip_limit_counts_an_ipv6_64_prefix_as_one_address():
    # given 30 attempts from 30 different addresses of one IPv6 /64
    for n in range(30):
        throttling.attempt_admit(identifier=f"user{n}", ip=f"2001:db8:7:7::{n + 1:x}")
    # when a 31st comes from yet another address of that /64 / then it is refused
    with pytest.raises(RateLimited):
        throttling.attempt_admit(identifier="user31", ip="2001:db8:7:7:ffff::1")
    # and another /64 is not affected
    throttling.attempt_admit(identifier="user31", ip="2001:db8:7:8::1")


def test_a_blocked_pair_is_not_escaped_by_hopping_addresses_within_an_ipv6_64():
    # given alice blocked from one address of a /64
    _fail(10, ip="2001:db8:7:7::1")
    # when alice tries from another address of the same /64 / then she is still blocked
    with pytest.raises(RateLimited):
        throttling.attempt_admit(identifier="alice", ip="2001:db8:7:7::2")
