"""The password hasher: Argon2id with parameters chosen by measurement, and a bound on how many hashes
one process computes at once.

Parameters (OWASP password-storage guidance, first option): m = 19 MiB, t = 2, p = 1. Measured on the
project's 2-vCPU machine (``bench/README.md``): 24-25 ms of CPU per hash, against 230-240 ms for
Django's default (m = 100 MiB, t = 2, p = 8) — which also needs 100 MiB per concurrent check.
The algorithm name stays ``argon2``, so hashes made with other parameters still verify, and Django's
``check_password`` re-hashes them at the next successful login (``must_update`` compares parameters).

Every encode and verify takes a slot of a per-process semaphore (``PASSWORD_HASH_CONCURRENCY``): a
burst of password checks queues instead of multiplying the hashing memory by the number of request
threads. A check that cannot get a slot within ``PASSWORD_HASH_WAIT_SECONDS`` is refused with a 429
(``RateLimited``, code ``hashing_busy``) rather than holding its request thread any longer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.utils.translation import gettext as _

from billing_center.core.errors import RateLimited

MEMORY_COST_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1

_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}


def hashing_semaphore() -> threading.BoundedSemaphore:
    """This process's semaphore for the configured concurrency (a new one if the setting changes)."""
    size = int(settings.PASSWORD_HASH_CONCURRENCY)
    with _lock:
        semaphore = _slots.get(size)
        if semaphore is None:
            semaphore = _slots[size] = threading.BoundedSemaphore(size)
        return semaphore


@contextmanager
def hashing_slot() -> Iterator[None]:
    semaphore = hashing_semaphore()
    if not semaphore.acquire(timeout=float(settings.PASSWORD_HASH_WAIT_SECONDS)):
        raise RateLimited(
            _("Too many passwords are being checked right now. Try again in a few seconds."),
            code="hashing_busy",
            retry_after=1,
        )
    try:
        yield
    finally:
        semaphore.release()


class BoundedArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at m = 19 MiB, t = 2, p = 1, at most PASSWORD_HASH_CONCURRENCY at once per process."""

    time_cost = TIME_COST
    memory_cost = MEMORY_COST_KIB
    parallelism = PARALLELISM

    def encode(self, password: str, salt: str) -> str:
        with hashing_slot():
            return str(super().encode(password, salt))

    def verify(self, password: str, encoded: str) -> bool:
        with hashing_slot():
            return bool(super().verify(password, encoded))
