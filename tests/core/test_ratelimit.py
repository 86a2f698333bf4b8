"""The shared rate-limit store: fixed windows, cooldowns, resets, and exact counts under concurrency."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from billing_center.core.models import RateCounter
from billing_center.core.ratelimit import (
    cooldown_acquire,
    cooldown_remaining,
    ip_bucket,
    limit_count,
    limit_hit,
    limit_reset,
    limit_retry_after,
    limits_clear_all_for_tests,
)
from tests.verification.xproc import isolated_database_env

STORES = ["database"] + (["redis"] if os.environ.get("REDIS_URL") else [])


@pytest.fixture(params=STORES)
def store(request, settings, db):
    """Runs a test once per store: the database always, Redis when the run has REDIS_URL."""
    if request.param == "redis":
        settings.RATE_LIMIT_STORE = "redis"
        settings.REDIS_URL = os.environ["REDIS_URL"]
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": settings.REDIS_URL,
                "KEY_PREFIX": f"bc-test-rl-{uuid.uuid4().hex[:8]}",
            }
        }
    else:
        settings.RATE_LIMIT_STORE = "database"
    yield request.param
    limits_clear_all_for_tests()


def test_hits_are_allowed_up_to_the_limit_then_refused(store):
    # given a limit of 3 per minute
    # when the key is hit five times
    results = [limit_hit("login:ip:203.0.113.9", limit=3, window_seconds=60) for _ in range(5)]
    # then the first three pass, the rest are refused, and every hit is counted
    assert [result.allowed for result in results] == [True, True, True, False, False]
    assert [result.count for result in results] == [1, 2, 3, 4, 5]
    assert limit_count("login:ip:203.0.113.9") == 5
    assert all(0 < result.retry_after <= 60 for result in results)


def test_a_window_frees_when_it_ends_and_not_before(store):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        # given a key at its limit
        limit_hit("k", limit=1, window_seconds=60)
        refused = limit_hit("k", limit=1, window_seconds=60)
        assert not refused.allowed and refused.retry_after == 60
        # when 59 s pass, it is still refused, with 1 s left
        clock.shift(timedelta(seconds=59))
        assert limit_retry_after("k") == 1
        assert not limit_hit("k", limit=1, window_seconds=60).allowed
        # when the window has ended
        clock.shift(timedelta(seconds=1))
        # then the count is gone and a hit starts a new window at 1
        assert limit_count("k") == 0
        fresh = limit_hit("k", limit=1, window_seconds=60)
        assert fresh.allowed and fresh.count == 1


def test_keys_are_independent_and_reset_forgets_one(store):
    # given two keys with hits
    limit_hit("a", limit=5, window_seconds=60)
    limit_hit("a", limit=5, window_seconds=60)
    limit_hit("b", limit=5, window_seconds=60)
    # when one is reset
    limit_reset("a")
    # then only that one is back to zero
    assert limit_count("a") == 0
    assert limit_count("b") == 1
    assert limit_count("never-hit") == 0


def test_cooldown_is_taken_once_and_not_extended_by_refused_attempts(store):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        # given a cooldown of 60 s taken now
        assert cooldown_acquire("resend:x", seconds=60) == 0
        # when it is asked for again 20 s later
        clock.shift(timedelta(seconds=20))
        left = cooldown_acquire("resend:x", seconds=60)
        # then it is refused with the time left, and that refusal did not extend it
        assert left == 40
        assert cooldown_remaining("resend:x") == 40
        clock.shift(timedelta(seconds=40))
        assert cooldown_remaining("resend:x") == 0
        assert cooldown_acquire("resend:x", seconds=60) == 0


def test_clear_all_forgets_every_key(store):
    # given counters on several keys
    for key in ("one", "two", "three"):
        limit_hit(key, limit=1, window_seconds=60)
    # when the test helper clears the store
    limits_clear_all_for_tests()
    # then nothing is counted anymore
    assert [limit_count(key) for key in ("one", "two", "three")] == [0, 0, 0]


def test_keys_must_fit_the_store():
    # given / when a key longer than the column / then it is refused before touching the store
    with pytest.raises(ValueError):
        limit_hit("x" * 256, limit=1, window_seconds=1)


@pytest.mark.django_db
def test_database_store_keeps_one_row_per_key(settings):
    # given the database store
    settings.RATE_LIMIT_STORE = "database"
    # when one key is hit many times, across a window end
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(3):
            limit_hit("row", limit=10, window_seconds=5)
        clock.shift(timedelta(seconds=6))
        limit_hit("row", limit=10, window_seconds=5)
    # then one row holds the live window
    assert list(RateCounter.objects.values_list("key", "count")) == [("row", 1)]


HAMMER = """
import os, sys, time
import django
django.setup()
from billing_center.core.ratelimit import limit_hit
start_at = float(sys.argv[1])
time.sleep(max(0.0, start_at - time.time()))
allowed = sum(limit_hit("race", limit=int(sys.argv[3]), window_seconds=600).allowed for _ in range(int(sys.argv[2])))
print(allowed)
"""


@pytest.mark.slow
def test_concurrent_processes_count_exactly():
    # given a migrated shared database (PostgreSQL/Redis when the run has them, else SQLite in WAL mode)
    processes, hits_each, limit = 6, 40, 100
    with isolated_database_env() as env:
        # when six processes hit one key at the same moment
        start_at = time.time() + 4
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", HAMMER, str(start_at), str(hits_each), str(limit)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(processes)
        ]
        outputs = [worker.communicate(timeout=120) for worker in workers]
        assert all(worker.returncode == 0 for worker in workers), [err[-2000:] for _, err in outputs]
        allowed = sum(int(out.strip()) for out, _ in outputs)
        final = subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); "
             "from billing_center.core.ratelimit import limit_count; print(limit_count('race'))"],
            env=env, capture_output=True, text=True, check=True, timeout=60,
        )
    # then no hit was lost or doubled, and exactly `limit` were allowed
    assert int(final.stdout.strip()) == processes * hits_each
    assert allowed == limit


@pytest.mark.parametrize(
    ("address", "bucket"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::1", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("", ""),
        ("not an address", "not an address"),
    ],
)
def test_ip_bucket_groups_an_ipv6_host_by_its_64_prefix(address, bucket):
    # given a client address / when its rate-limit bucket is taken
    # then IPv4 stays as it is and IPv6 becomes its /64, which one host or customer usually holds whole
    assert ip_bucket(address) == bucket
