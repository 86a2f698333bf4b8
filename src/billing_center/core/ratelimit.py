"""A rate-limit and cooldown store shared by every process and node.

Two stores with the same semantics, picked by ``settings.RATE_LIMIT_STORE``:

- ``database``: one ``core.RateCounter`` row per key, changed by a single atomic upsert
  (``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``) so concurrent processes never lose a count, on
  SQLite and PostgreSQL alike.
- ``redis``: one hash per key, changed by a Lua script (Redis runs scripts atomically).

Per-IP limits key on ``ip_bucket(ip)``: an IPv4 address as it is, an IPv6 address as its /64 (one
host or customer usually holds a whole /64, so per-address keys would give it 2^64 fresh budgets).

Every counter is a *fixed window* that opens at the first hit and lasts ``window_seconds``; hits after
the limit still count (so a client hammering a limit does not get a fresh window sooner). Window ends
are computed from ``django.utils.timezone.now()`` (not from Redis TTLs) so both stores behave the same
and tests can move time with time_machine; Redis TTLs only garbage-collect keys.

In the database store the upsert joins the caller's transaction: a caller that rolls back also rolls
back its hits. Callers that must keep a hit while failing (e.g. a refused request) raise *after* their
atomic block.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

if TYPE_CHECKING:
    import redis

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class LimitResult:
    allowed: bool
    count: int
    # Seconds until the current window ends (and the key is free again).
    retry_after: int


def ip_bucket(ip: str) -> str:
    """The unit per-IP limits count: IPv4 as is, IPv6 as its /64 (IPv4-mapped IPv6 as the IPv4)."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def network_of(ip: str) -> str:
    """The *network* of SPEC §2: an IPv4 /24 or an IPv6 /64 (IPv4-mapped IPv6 as its IPv4 /24).

    Failure locks and "known network" records key on it: a stranger's guesses lock only the
    stranger's network, and a holder moving inside their own network keeps it known."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return ip or "-"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is None:
            return str(ipaddress.IPv6Network((address, 64), strict=False))
        address = address.ipv4_mapped
    return str(ipaddress.IPv4Network((address, 24), strict=False))


def limit_hit(key: str, *, limit: int, window_seconds: int) -> LimitResult:
    """Count one hit on ``key``; allowed while the count in the live window is at most ``limit``."""
    _check_key(key)
    now = timezone.now()
    count, window_ends_at = _store().hit(key, now=now, window_seconds=window_seconds)
    return LimitResult(allowed=count <= limit, count=count, retry_after=_seconds_until(window_ends_at, now))


def limit_hit_and_cooldowns(
    key: str, *, limit: int, window_seconds: int, cooldown_keys: Sequence[str]
) -> tuple[LimitResult, int]:
    """``limit_hit(key, …)`` and the longest ``cooldown_remaining`` of ``cooldown_keys``, in one store
    round trip (one Redis script; on the database one upsert and one SELECT). The hit counts whatever
    the cooldowns say, exactly as the two calls one after the other would."""
    _check_key(key)
    for name in cooldown_keys:
        _check_key(name)
    now = timezone.now()
    (count, window_ends_at), states = _store().hit_and_read(
        key, now=now, window_seconds=window_seconds, read_keys=list(cooldown_keys)
    )
    result = LimitResult(allowed=count <= limit, count=count, retry_after=_seconds_until(window_ends_at, now))
    return result, _longest_remaining(states, now)


def cooldowns_remaining(keys: Sequence[str]) -> int:
    """The longest ``cooldown_remaining`` of ``keys`` (0 when all are free), in one store round trip."""
    for name in keys:
        _check_key(name)
    return _longest_remaining(_store().read_many(list(keys)), timezone.now())


def _longest_remaining(states: list[tuple[int, datetime] | None], now: datetime) -> int:
    return max((_seconds_until(state[1], now) for state in states if state is not None), default=0)


def limit_count(key: str) -> int:
    """The count in the live window of ``key``; 0 when there is none."""
    _check_key(key)
    state = _store().read(key)
    if state is None or state[1] <= timezone.now():
        return 0
    return state[0]


def limit_retry_after(key: str) -> int:
    """Seconds until the live window of ``key`` ends; 0 when there is none."""
    _check_key(key)
    state = _store().read(key)
    now = timezone.now()
    if state is None or state[1] <= now:
        return 0
    return _seconds_until(state[1], now)


def limit_reset(key: str) -> None:
    _check_key(key)
    _store().delete(key)


def cooldown_acquire(key: str, *, seconds: int) -> int:
    """Take the cooldown ``key`` for ``seconds``: 0 if taken now, else the seconds left on it.

    A refused attempt does not extend the cooldown.
    """
    result = limit_hit(key, limit=1, window_seconds=seconds)
    return 0 if result.allowed else result.retry_after


def cooldown_remaining(key: str) -> int:
    """Seconds left on the cooldown ``key`` (0 when free), without taking it."""
    return limit_retry_after(key)


def limits_clear_all_for_tests() -> None:
    """Forget every counter of this process's store (tests only: Redis state outlives a test)."""
    _store().clear_all()


def _check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"Rate-limit keys are 1..{MAX_KEY_LENGTH} characters")


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(0, math.ceil((moment - now).total_seconds()))


class _DatabaseStore:
    def hit(self, key: str, *, now: datetime, window_seconds: int) -> tuple[int, datetime]:
        from billing_center.core.models import RateCounter

        table = connection.ops.quote_name(RateCounter._meta.db_table)
        key_column = connection.ops.quote_name("key")
        adapt = connection.ops.adapt_datetimefield_value
        now_value = adapt(now)
        # One statement, so the read-modify-write is atomic in every backend: a window that has ended
        # restarts at 1, a live one counts up. Expressions on the right see the row before the update.
        sql = (
            f"INSERT INTO {table} ({key_column}, count, window_ends_at, created_at, updated_at) "  # noqa: S608
            "VALUES (%s, 1, %s, %s, %s) "
            f"ON CONFLICT ({key_column}) DO UPDATE SET "
            f"count = CASE WHEN {table}.window_ends_at <= %s THEN 1 ELSE {table}.count + 1 END, "
            f"window_ends_at = CASE WHEN {table}.window_ends_at <= %s "
            f"THEN excluded.window_ends_at ELSE {table}.window_ends_at END, "
            "updated_at = excluded.updated_at "
            "RETURNING count, window_ends_at"
        )
        params = [
            key,
            adapt(now + timedelta(seconds=window_seconds)),
            now_value,
            now_value,
            now_value,
            now_value,
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            count, window_ends_at = cursor.fetchone()
        return int(count), _as_aware(window_ends_at)

    def read(self, key: str) -> tuple[int, datetime] | None:
        return self.read_many([key])[0]

    def read_many(self, keys: list[str]) -> list[tuple[int, datetime] | None]:
        """One hand-written SELECT on the unique key (building the ORM query cost more than running it; the
        code check reads its locks on every attempt)."""
        from billing_center.core.models import RateCounter

        if not keys:
            return []
        table = connection.ops.quote_name(RateCounter._meta.db_table)
        key_column = connection.ops.quote_name("key")
        marks = ", ".join(["%s"] * len(keys))
        sql = f"SELECT {key_column}, count, window_ends_at FROM {table} WHERE {key_column} IN ({marks})"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, list(keys))
            rows = {key: (int(count), _as_aware(ends)) for key, count, ends in cursor.fetchall()}
        return [rows.get(key) for key in keys]

    def hit_and_read(
        self, key: str, *, now: datetime, window_seconds: int, read_keys: list[str]
    ) -> tuple[tuple[int, datetime], list[tuple[int, datetime] | None]]:
        return self.hit(key, now=now, window_seconds=window_seconds), self.read_many(read_keys)

    def delete(self, key: str) -> None:
        from billing_center.core.models import RateCounter

        RateCounter.objects.filter(key=key).delete()

    def clear_all(self) -> None:
        from billing_center.core.models import RateCounter

        RateCounter.objects.all().delete()


def _as_aware(value: Any) -> datetime:
    if isinstance(value, str):  # SQLite returns the stored text
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValueError(f"Unreadable datetime from the rate-limit table: {value!r}")
        value = parsed
    stamp: datetime = value
    return stamp.replace(tzinfo=UTC) if timezone.is_naive(stamp) else stamp


# KEYS[1]: the hash; ARGV: now (ms since epoch), window (ms). Returns {count, window end (ms)}.
_HIT_SCRIPT = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'c', 'e')
local count = tonumber(state[1])
local ends = tonumber(state[2])
if (not count) or (not ends) or ends <= now then
  count = 1
  ends = now + window
else
  count = count + 1
end
redis.call('HSET', KEYS[1], 'c', count, 'e', ends)
redis.call('PEXPIRE', KEYS[1], math.max(ends - now, 1) + 60000)
return {count, ends}
"""


# KEYS[1]: the hash to hit, KEYS[2..]: hashes to read; ARGV as _HIT_SCRIPT. Returns {count, window end,
# then each read hash's count and window end (false when absent)}: one round trip for both.
_HIT_AND_READ_SCRIPT = (
    "local result = (function()\n"
    + _HIT_SCRIPT
    + "end)()\n"
    + """for i = 2, #KEYS do
  local state = redis.call('HMGET', KEYS[i], 'c', 'e')
  result[#result + 1] = state[1]
  result[#result + 1] = state[2]
end
return result
"""
)


class _RedisStore:
    def __init__(self, url: str, prefix: str) -> None:
        import redis as redis_lib

        self.client: redis.Redis = redis_lib.Redis.from_url(url)
        self.prefix = f"{prefix}:rl:"
        self.hit_script = self.client.register_script(_HIT_SCRIPT)
        self.hit_and_read_script = self.client.register_script(_HIT_AND_READ_SCRIPT)

    def _key(self, key: str) -> str:
        return self.prefix + key

    def hit(self, key: str, *, now: datetime, window_seconds: int) -> tuple[int, datetime]:
        count, ends_ms = self.hit_script(keys=[self._key(key)], args=[_ms(now), window_seconds * 1000])
        return int(count), datetime.fromtimestamp(int(ends_ms) / 1000, tz=UTC)

    def read(self, key: str) -> tuple[int, datetime] | None:
        count, ends_ms = cast("list[Any]", self.client.hmget(self._key(key), ["c", "e"]))
        if count is None or ends_ms is None:
            return None
        return int(count), datetime.fromtimestamp(int(ends_ms) / 1000, tz=UTC)

    def read_many(self, keys: list[str]) -> list[tuple[int, datetime] | None]:
        if not keys:
            return []
        pipeline = self.client.pipeline(transaction=False)
        for key in keys:
            pipeline.hmget(self._key(key), ["c", "e"])
        return [_state(count, ends_ms) for count, ends_ms in pipeline.execute()]

    def hit_and_read(
        self, key: str, *, now: datetime, window_seconds: int, read_keys: list[str]
    ) -> tuple[tuple[int, datetime], list[tuple[int, datetime] | None]]:
        names = [self._key(key), *(self._key(name) for name in read_keys)]
        values = self.hit_and_read_script(keys=names, args=[_ms(now), window_seconds * 1000])
        count, ends_ms = values[0], values[1]
        states = [_state(values[i], values[i + 1]) for i in range(2, len(values), 2)]
        return (int(count), datetime.fromtimestamp(int(ends_ms) / 1000, tz=UTC)), states

    def delete(self, key: str) -> None:
        self.client.delete(self._key(key))

    def clear_all(self) -> None:
        batch: list[Any] = []
        for name in self.client.scan_iter(match=self.prefix + "*", count=500):
            batch.append(name)
            if len(batch) >= 500:
                self.client.delete(*batch)
                batch = []
        if batch:
            self.client.delete(*batch)


def _state(count: Any, ends_ms: Any) -> tuple[int, datetime] | None:
    if count is None or ends_ms is None:
        return None
    return int(count), datetime.fromtimestamp(int(ends_ms) / 1000, tz=UTC)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _store() -> _DatabaseStore | _RedisStore:
    if settings.RATE_LIMIT_STORE == "redis":
        return _redis_store(settings.REDIS_URL, _key_prefix())
    return _DATABASE_STORE


def _key_prefix() -> str:
    prefix = settings.CACHES.get("default", {}).get("KEY_PREFIX")
    return str(prefix) if prefix else "bc"


@lru_cache(maxsize=4)
def _redis_store(url: str, prefix: str) -> _RedisStore:
    return _RedisStore(url, prefix)


_DATABASE_STORE = _DatabaseStore()


# --- known networks -----------------------------------------------------------------------------------

# How long a network stays "known" for an account after its last successful login from it.
KNOWN_NETWORK_SECONDS = 180 * 24 * 3600


def _known_network_key(account_id: int, ip: str) -> str:
    material = f"account:{account_id}\x00{network_of(ip)}"
    return "known:net:" + hashlib.sha256(material.encode()).hexdigest()[:40]


def known_network_note(*, account_id: int, ip: str) -> None:
    """Remember ``ip``'s network as one the account logged in from, for ``KNOWN_NETWORK_SECONDS`` from
    now (a fresh window on every success, so a network in use never expires)."""
    if not ip:
        return
    key = _known_network_key(account_id, ip)
    limit_reset(key)
    limit_hit(key, limit=1, window_seconds=KNOWN_NETWORK_SECONDS)


def known_network_is(*, account_id: int, ip: str) -> bool:
    """True when the account logged in successfully from ``ip``'s network within the known period."""
    return bool(ip) and limit_count(_known_network_key(account_id, ip)) > 0
