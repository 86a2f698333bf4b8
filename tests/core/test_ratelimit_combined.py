"""The combined rate-limit operations (one store round trip) give what the single calls give."""

from __future__ import annotations

from datetime import timedelta

import redis
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing_center.core.ratelimit import (
    cooldown_acquire,
    cooldown_remaining,
    cooldowns_remaining,
    limit_count,
    limit_hit,
    limit_hit_and_cooldowns,
)
from tests.core.test_ratelimit import store  # noqa: F401  (the per-store fixture)


def test_a_hit_with_cooldown_reads_counts_and_answers_like_the_single_calls(store):  # noqa: F811
    with time_machine.travel(timezone.now(), tick=False) as clock:
        # given one cooldown taken 20 s ago for 60 s, one for 300 s taken now, one never taken, one ended
        cooldown_acquire("lock:a", seconds=60)
        cooldown_acquire("lock:ended", seconds=10)
        clock.shift(timedelta(seconds=20))
        cooldown_acquire("lock:b", seconds=300)
        limit_hit("ip:x", limit=2, window_seconds=60)
        # when the limit is hit together with reading the cooldowns
        result, longest = limit_hit_and_cooldowns(
            "ip:x", limit=2, window_seconds=60, cooldown_keys=["lock:a", "lock:never", "lock:b", "lock:ended"]
        )
        # then the hit counted like limit_hit, and the longest remaining cooldown is the 300 s one
        assert (result.allowed, result.count, result.retry_after) == (True, 2, 60)
        assert limit_count("ip:x") == 2
        assert longest == 300 == max(cooldown_remaining(key) for key in ("lock:a", "lock:b", "lock:ended"))
        # and over the limit the hit is refused and still counted
        refused, _ = limit_hit_and_cooldowns("ip:x", limit=2, window_seconds=60, cooldown_keys=[])
        assert (refused.allowed, refused.count) == (False, 3)


def test_cooldowns_remaining_is_the_longest_and_zero_when_all_are_free(store):  # noqa: F811
    with time_machine.travel(timezone.now(), tick=False):
        # given two cooldowns / when their remaining time is read together / then it is the longest
        cooldown_acquire("c:1", seconds=30)
        cooldown_acquire("c:2", seconds=90)
        assert cooldowns_remaining(["c:1", "c:2", "c:free"]) == 90
        assert cooldowns_remaining(["c:free"]) == 0
        assert cooldowns_remaining([]) == 0


def test_a_hit_with_cooldowns_is_one_redis_command_or_two_sql_statements(store, monkeypatch):  # noqa: F811
    # given the store, warmed up (Redis scripts loaded), with every command or statement recorded
    limit_hit_and_cooldowns("warm", limit=9, window_seconds=60, cooldown_keys=["x"])
    calls: list[str] = []
    real = redis.Redis.execute_command

    def counting(self, *args, **options):
        calls.append(str(args[0]))
        return real(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counting)
    # when a hit with two cooldown reads runs
    with CaptureQueriesContext(connection) as statements:
        limit_hit_and_cooldowns("ip:y", limit=5, window_seconds=60, cooldown_keys=["lock:1", "lock:2"])
    # then Redis got one script call and no SQL, or the database one upsert and one SELECT
    if store == "redis":
        assert (calls, len(statements)) == (["EVALSHA"], 0)
    else:
        assert (calls, len(statements)) == ([], 2)
