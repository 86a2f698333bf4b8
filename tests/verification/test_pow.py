"""The sign-up SMS proof of work: asked for only while the sign-up SMS budget runs low, verified
server-side, fresh and single use (issue 7, docs/security.md)."""

from __future__ import annotations

import hashlib
import itertools

import pytest
from django.utils import timezone

from billing_center.audit.services import RequestMeta
from billing_center.core.errors import ValidationFailed
from billing_center.verification.services import POW_PREFIX, code_send, pow_verify

pytestmark = pytest.mark.django_db


def solve(bits: int, *, stamp: int | None = None) -> str:
    stamp = int(timezone.now().timestamp()) if stamp is None else stamp
    for counter in itertools.count():
        candidate = f"{stamp}:n{counter}"
        digest = int.from_bytes(hashlib.sha256((POW_PREFIX + candidate).encode()).digest(), "big")
        if digest >> (256 - bits) == 0:
            return candidate
    raise AssertionError("unreachable")


def signup_sms(number: int, *, pow: str | None = None):
    return code_send(
        purpose="signup_phone",
        channel="sms",
        target=f"+861380013{number:04d}",
        meta=RequestMeta(ip=f"192.0.2.{number + 1}"),
        pow=pow,
    )


@pytest.fixture
def low_budget(settings, clock):
    settings.SMS_SIGNUP_CHALLENGE_AFTER = 2
    settings.SMS_SIGNUP_POW_BITS = 8


def test_no_puzzle_while_the_budget_is_calm(low_budget):
    # given / when the first two sign-up SMS of the hour are asked for / then they go out without a pow
    assert signup_sms(0).delivery == "sent"
    assert signup_sms(1).delivery == "sent"


def test_a_puzzle_is_required_once_the_budget_runs_low_and_a_solution_is_single_use(low_budget):
    # given the calm part of the budget spent
    signup_sms(0)
    signup_sms(1)
    # when the next sign-up SMS comes without a pow / then it is refused and told what to solve
    with pytest.raises(ValidationFailed) as required:
        signup_sms(2)
    assert (required.value.code, required.value.field) == ("pow_required", "pow")
    assert required.value.extra["pow"] == {"prefix": POW_PREFIX, "bits": 8}
    # when it carries a solution / then it goes out
    solution = solve(8)
    assert signup_sms(2, pow=solution).delivery == "sent"
    # and the same solution does not buy a second SMS
    with pytest.raises(ValidationFailed) as replayed:
        signup_sms(3, pow=solution)
    assert replayed.value.code == "pow_invalid"


def test_stale_insufficient_and_malformed_solutions_are_refused(low_budget, settings):
    stale = solve(8, stamp=int(timezone.now().timestamp()) - 3600)
    assert not pow_verify(stale)
    settings.SMS_SIGNUP_POW_BITS = 30
    assert not pow_verify(solve(8))
    for garbage in ("", "abc", "1:2:3", "12:" + "x" * 65, "١٢:abc", "12:ab-c"):
        assert not pow_verify(garbage)


def test_a_refused_puzzle_spends_no_budget_or_cooldown(low_budget):
    # given the calm budget spent, and a refused request for a number
    signup_sms(0)
    signup_sms(1)
    with pytest.raises(ValidationFailed):
        signup_sms(2)
    # when the same number asks again with a solution / then it goes out at once (no cooldown taken)
    assert signup_sms(2, pow=solve(8)).delivery == "sent"
