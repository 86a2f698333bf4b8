"""Login by password (SPEC §1): identifiers, one answer for every failure, throttling, the account-wide
password-login lock, Argon2id and rehash on login."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.utils import timezone

from billing_center.accounts.models import Account
from billing_center.accounts.services import login_with_code, login_with_password
from billing_center.audit.models import AuditEvent
from billing_center.audit.services import RequestMeta
from billing_center.core.errors import RateLimited, ValidationFailed
from tests.factories import DEFAULT_PASSWORD, AccountFactory
from tests.outbox import latest_code, outbox_messages

pytestmark = pytest.mark.django_db(transaction=True)

META = RequestMeta(ip="198.51.100.7", user_agent="pytest")
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with older, weaker parameters: what a hash from an earlier configuration looks like."""

    time_cost = 1
    memory_cost = 8192


def _failure(identifier: str, password: str, meta: RequestMeta = META) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as failed:
        login_with_password(identifier=identifier, password=password, meta=meta)
    return failed.value


def _answer(error: ValidationFailed) -> tuple[int, str, str, str | None]:
    return error.status, error.code, error.message, error.field


@pytest.fixture
def fast_hashing(settings):
    # 100 password checks with Argon2 would take seconds; the lock rule does not depend on the hasher.
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def holder():
    return AccountFactory(username="alice", email="alice@example.com", phone="+8613800138000")


@pytest.mark.parametrize(
    "identifier", ["alice", "ALICE", "Alice@Example.com", "+8613800138000", "138 0013 8000"]
)
def test_login_with_username_email_or_phone(holder, identifier):
    # given a holder with username, email and phone / when logging in with any of them
    account = login_with_password(identifier=identifier, password=DEFAULT_PASSWORD, meta=META)
    # then it is that holder, and the login is audited
    assert account.pk == holder.pk
    event = AuditEvent.objects.get(event="login.succeeded")
    assert event.account_id == holder.pk
    assert event.detail == {"method": "password"}
    assert event.ip == META.ip


def test_unknown_identifier_and_wrong_password_give_the_same_answer(holder):
    # given a holder / when one login names nobody and another has a wrong password
    unknown = _failure("nobody@example.com", DEFAULT_PASSWORD)
    wrong = _failure("alice", "not the password at all")
    # then status, code, message and field are identical
    assert _answer(unknown) == _answer(wrong)
    assert unknown.code == "invalid_credentials"
    # and both are audited as failures (the reason stays internal)
    reasons = sorted(AuditEvent.objects.filter(event="login.failed").values_list("detail__reason", flat=True))
    assert reasons == ["unknown_identifier", "wrong_password"]


def test_disabled_and_password_less_accounts_give_the_same_answer(holder):
    # given a disabled account (correct password) and an account without a password
    AccountFactory(username="gone", email="gone@example.com", is_active=False)
    AccountFactory(username="codeonly", email="codeonly@example.com", password="")
    reference = _failure("nobody", DEFAULT_PASSWORD)
    # when they try a password login / then the answer is the generic failure
    assert _answer(_failure("gone", DEFAULT_PASSWORD)) == _answer(reference)
    assert _answer(_failure("codeonly", DEFAULT_PASSWORD)) == _answer(reference)


@pytest.mark.argon2
def test_every_failure_does_one_argon2_operation(holder, monkeypatch):
    # given a counter on Django's Argon2 hasher (encode = a dummy hash, verify = a real check)
    calls: list[str] = []
    real_encode, real_verify = Argon2PasswordHasher.encode, Argon2PasswordHasher.verify

    def counting_encode(self, password, salt):
        calls.append("encode")
        return real_encode(self, password, salt)

    def counting_verify(self, password, encoded):
        calls.append("verify")
        return real_verify(self, password, encoded)

    monkeypatch.setattr(Argon2PasswordHasher, "encode", counting_encode)
    monkeypatch.setattr(Argon2PasswordHasher, "verify", counting_verify)
    # when an unknown identifier and a wrong password are tried
    _failure("nobody", "whatever password 1")
    unknown_calls = list(calls)
    _failure("alice", "whatever password 2")
    # then each did exactly one Argon2 computation: a dummy hash for the unknown one, a verify for the other
    assert unknown_calls == ["encode"]
    assert calls == ["encode", "verify"]


@pytest.mark.argon2
def test_unknown_identifier_and_wrong_password_take_near_equal_time(holder):
    # given a holder (each attempt from its own IP so no throttle interferes)
    def timed(identifier: str, n: int) -> float:
        started = time.perf_counter()
        _failure(identifier, "some wrong password", RequestMeta(ip=f"203.0.113.{n}"))
        return time.perf_counter() - started

    # when both kinds of failure are timed, interleaved so machine load affects both alike
    unknown_times, wrong_times = [], []
    for n in range(1, 7):
        unknown_times.append(timed("nobody", n))
        wrong_times.append(timed("alice", n + 100))
    unknown, wrong = statistics.median(unknown_times), statistics.median(wrong_times)
    # then they are within a factor that no attacker can read through network jitter
    assert 0.5 < unknown / wrong < 2.0, (unknown, wrong)


def test_after_five_failures_the_pair_waits_with_retry_after(holder):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        # given five failures of (alice, IP)
        for _ in range(5):
            _failure("alice", "wrong password here")
        # when the right password comes at once / then 429 with Retry-After, no password check
        with pytest.raises(RateLimited) as refused:
            login_with_password(identifier="alice", password=DEFAULT_PASSWORD, meta=META)
        assert refused.value.status == 429
        assert refused.value.retry_after == 1
        # when the delay is over / then the right password logs in
        clock.shift(timedelta(seconds=1))
        assert login_with_password(identifier="alice", password=DEFAULT_PASSWORD, meta=META).pk == holder.pk


def test_after_ten_failures_the_pair_is_blocked_fifteen_minutes(fast_hashing, holder):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        # given ten failures, each after its delay has passed
        for n in range(10):
            _failure("alice", "wrong password here")
            clock.shift(timedelta(seconds=2**n))
        # when the right password comes within 15 min of the 10th failure / then it is refused
        clock.shift(timedelta(seconds=15 * 60 - 2**9 - 1))
        with pytest.raises(RateLimited):
            login_with_password(identifier="alice", password=DEFAULT_PASSWORD, meta=META)
        # but the same holder from another IP is not locked out
        other_ip = RequestMeta(ip="192.0.2.44")
        assert (
            login_with_password(identifier="alice", password=DEFAULT_PASSWORD, meta=other_ip).pk == holder.pk
        )
        # when 15 minutes have passed / then the pair logs in again
        clock.shift(timedelta(seconds=1))
        assert login_with_password(identifier="alice", password=DEFAULT_PASSWORD, meta=META).pk == holder.pk


def test_per_ip_limit_of_thirty_attempts_a_minute(fast_hashing, holder):
    with time_machine.travel(timezone.now(), tick=False):
        # given 30 attempts from one IP against 30 different identifiers
        for n in range(30):
            _failure(f"nobody{n}", "wrong password here")
        # when the holder's right password comes from that IP in the same minute / then 429
        with pytest.raises(RateLimited) as refused:
            login_with_password(identifier="alice", password=DEFAULT_PASSWORD, meta=META)
        assert 0 < refused.value.retry_after <= 60


def _hundred_failures(identifier: str) -> None:
    for n in range(100):
        _failure(identifier, f"guess number {n}", RequestMeta(ip=f"10.0.{n // 200}.{n % 200 + 1}"))


def test_hundred_consecutive_failures_lock_password_login(fast_hashing):
    # given a holder and 100 failures from many IPs (never the same pair twice in a row)
    holder = AccountFactory(username="target", email="target@example.com")
    _hundred_failures("target")
    # then password login is locked and the holder is told how to lift it
    holder.refresh_from_db()
    assert holder.password_login_locked
    assert holder.failed_login_streak == 100
    notice = outbox_messages("target@example.com")[0]["body"]
    assert "is paused" in notice
    assert "From a network you used before, your password works as usual" in notice
    # when the right password comes from a fresh IP / then it fails like any other failure
    reference = _failure("nobody", "x" * 12, RequestMeta(ip="192.0.2.1"))
    locked = _failure("target", DEFAULT_PASSWORD, RequestMeta(ip="192.0.2.2"))
    assert _answer(locked) == _answer(reference)


def test_login_by_code_lifts_the_password_login_lock(fast_hashing):
    # given a locked holder
    holder = AccountFactory(username="target", email="target@example.com")
    _hundred_failures("target")
    # when they log in with a code sent to their email
    from billing_center.accounts.services import login_code_request

    login_code_request(identifier="target@example.com", language="en", meta=META)
    login_with_code(identifier="target@example.com", code=latest_code("target@example.com"), meta=META)
    # then the lock and the streak are gone, and the password logs in again
    holder.refresh_from_db()
    assert not holder.password_login_locked
    assert holder.failed_login_streak == 0
    assert login_with_password(identifier="target", password=DEFAULT_PASSWORD, meta=META).pk == holder.pk


def test_success_resets_the_consecutive_failure_streak(holder):
    # given a few failures
    for n in range(3):
        _failure("alice", "wrong password here", RequestMeta(ip=f"192.0.2.{n + 1}"))
    # when the holder logs in / then the streak restarts at zero
    login_with_password(identifier="alice", password=DEFAULT_PASSWORD, meta=META)
    holder.refresh_from_db()
    assert holder.failed_login_streak == 0


@pytest.mark.argon2
def test_password_is_rehashed_on_login_when_argon2_parameters_change(settings):
    # given a holder whose hash was made with older, cheaper Argon2id parameters
    settings.PASSWORD_HASHERS = [f"{__name__}.CheapArgon2PasswordHasher"]
    holder = AccountFactory(username="legacy", email="legacy@example.com")
    old_hash = Account.objects.get(pk=holder.pk).password
    assert old_hash.startswith("argon2$argon2id$") and "t=1" in old_hash
    # when the configuration moves to the current parameters and the holder logs in
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    login_with_password(identifier="legacy", password=DEFAULT_PASSWORD, meta=META)
    # then the stored hash uses the current parameters and still verifies
    new_hash = Account.objects.get(pk=holder.pk).password
    assert new_hash != old_hash
    assert new_hash.startswith("argon2$argon2id$")
    assert f"t={Argon2PasswordHasher.time_cost}" in new_hash
    assert Account.objects.get(pk=holder.pk).check_password(DEFAULT_PASSWORD)


def test_back_office_login_form_goes_through_the_throttled_service(holder):
    # given the Django authenticate() path used by the back-office login form
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    request = RequestFactory().post("/backoffice/login/", REMOTE_ADDR=META.ip)
    request.client_ip = META.ip
    # when it fails five times / then the sixth (right) attempt is throttled like any other
    for _ in range(5):
        assert authenticate(request, username="alice", password="wrong password here") is None
    assert authenticate(request, username="alice", password=DEFAULT_PASSWORD) is None
    assert AuditEvent.objects.filter(event="login.failed").count() == 5


def test_a_login_arriving_while_another_of_the_pair_is_checked_is_refused(holder, monkeypatch):
    # given alice's wrong-password login whose password check is in progress, and a second login of
    # the same (identifier, IP) pair arriving exactly then (what concurrent requests do)
    inner: list[str] = []
    original_check = Account.check_password

    def check_while_another_arrives(self: Account, raw_password: str) -> bool:
        if not inner:
            inner.append("pending")
            try:
                login_with_password(identifier="ALICE", password="another wrong guess", meta=META)
            except RateLimited as refused:
                inner[0] = refused.code
            except ValidationFailed as failed:
                inner[0] = failed.code
        return original_check(self, raw_password)

    monkeypatch.setattr(Account, "check_password", check_while_another_arrives)
    # when both run
    failure = _failure("alice", "wrong password guess")
    # then the second was refused before any password check, and only the first counted as a failure
    assert failure.code == "invalid_credentials"
    assert inner == ["too_many_attempts"]
    holder.refresh_from_db()
    assert holder.failed_login_streak == 1
