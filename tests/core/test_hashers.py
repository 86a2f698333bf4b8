"""The password hasher: Argon2id at the chosen parameters, bounded concurrency, rehash on login."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher, make_password

from billing_center.accounts.models import Account
from billing_center.accounts.services.login import login_with_password
from billing_center.audit.services import RequestMeta
from billing_center.core.errors import RateLimited
from billing_center.core.hashers import BoundedArgon2PasswordHasher, hashing_semaphore, hashing_slot
from tests.factories import DEFAULT_PASSWORD, AccountFactory

META = RequestMeta(ip="198.51.100.21", user_agent="pytest")


def _parameters(encoded: str) -> dict[str, object]:
    decoded = BoundedArgon2PasswordHasher().decode(encoded)
    return {key: decoded[key] for key in ("memory_cost", "time_cost", "parallelism")}


@pytest.mark.argon2
def test_new_hashes_are_argon2id_at_19_mib_two_passes_one_lane():
    # given the configured hashers / when a password is hashed
    encoded = make_password("quiet violet harbour lamps")
    # then it is Argon2id with m = 19 MiB, t = 2, p = 1, made by the bounded hasher
    assert encoded.startswith("argon2$argon2id$")
    assert _parameters(encoded) == {"memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}
    assert isinstance(identify_hasher(encoded), BoundedArgon2PasswordHasher)


@pytest.mark.argon2
@pytest.mark.django_db(transaction=True)
def test_a_hash_with_djangos_default_parameters_is_rehashed_at_login():
    # given a holder whose stored hash has Django's default Argon2 parameters (m = 100 MiB, p = 8)
    holder = AccountFactory(username="oldhash", email="oldhash@example.com")
    old_hash = Argon2PasswordHasher().encode(DEFAULT_PASSWORD, Argon2PasswordHasher().salt())
    Account.objects.filter(pk=holder.pk).update(password=old_hash)
    assert _parameters(old_hash)["memory_cost"] == 102400
    # when the holder logs in with the password
    login_with_password(identifier="oldhash", password=DEFAULT_PASSWORD, meta=META)
    # then the stored hash has the current parameters and still verifies
    stored = Account.objects.get(pk=holder.pk)
    assert _parameters(stored.password) == {"memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}
    assert stored.check_password(DEFAULT_PASSWORD)


def test_no_more_hashes_run_at_once_than_the_concurrency_allows(settings):
    # given a concurrency of 2 and a hasher instrumented to record how many run at the same time
    settings.PASSWORD_HASH_CONCURRENCY = 2
    hasher = BoundedArgon2PasswordHasher()
    encoded = hasher.encode("some long passphrase", hasher.salt())
    running, peak, lock = [0], [0], threading.Lock()
    real_verify = Argon2PasswordHasher.verify

    def slow_verify(self, password, encoded):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        try:
            return real_verify(self, password, encoded)
        finally:
            with lock:
                running[0] -= 1

    Argon2PasswordHasher.verify = slow_verify  # type: ignore[method-assign]
    try:
        # when eight threads check a password at once
        results: list[bool] = []
        threads = [
            threading.Thread(target=lambda: results.append(hasher.verify("some long passphrase", encoded)))
            for _ in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        Argon2PasswordHasher.verify = real_verify  # type: ignore[method-assign]
    # then every check succeeded, and never more than two hashed at the same time
    assert results == [True] * 8
    assert peak[0] == 2


def test_a_check_that_waits_too_long_for_a_slot_is_refused_with_429(settings):
    # given a concurrency of 1 whose only slot is held, and a 1 s wait limit
    settings.PASSWORD_HASH_CONCURRENCY = 1
    settings.PASSWORD_HASH_WAIT_SECONDS = 1
    semaphore = hashing_semaphore()
    assert semaphore.acquire(timeout=1)
    try:
        # when another check asks for a slot / then it is refused as busy, not left waiting
        started = time.monotonic()
        with pytest.raises(RateLimited) as refused, hashing_slot():
            pass
        assert 0.9 < time.monotonic() - started < 5
    finally:
        semaphore.release()
    assert refused.value.status == 429
    assert refused.value.code == "hashing_busy"
    # and once the slot is free the next check gets it
    with hashing_slot():
        pass
