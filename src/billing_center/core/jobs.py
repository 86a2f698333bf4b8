"""Periodic jobs of ``billing-center worker``: each app registers its own in its ``jobs.py``.

``periodic_job("deliveries", run=deliveries_process_due, every_seconds=None)`` — ``run()`` does one pass
and returns how many items it handled; ``every_seconds=None`` means every worker tick (``--interval``).
The worker finds the registrations by autodiscovering every app's ``jobs`` module, so it imports no app
above the one it lives in. Next: marketplace inbox retries (cloud), grace-period expiry (workspaces).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    run: Callable[[], int]
    # None: every tick of the worker; else at most once per this many seconds.
    every_seconds: float | None = None
    # Shown by ``worker --once``: "Processed {count} {noun}."
    noun: str = "items"


_JOBS: dict[str, PeriodicJob] = {}


def periodic_job(
    name: str, *, run: Callable[[], int], every_seconds: float | None = None, noun: str = "items"
) -> PeriodicJob:
    """Register one job; registering a name again replaces it (a module imported twice stays one job)."""
    job = PeriodicJob(name=name, run=run, every_seconds=every_seconds, noun=noun)
    _JOBS[name] = job
    return job


def periodic_jobs() -> list[PeriodicJob]:
    return sorted(_JOBS.values(), key=lambda job: job.name)


class JobClock:
    """Which jobs are due at ``now`` (seconds, monotonic): every-tick jobs always, others once per period."""

    def __init__(self) -> None:
        self._last: dict[str, float] = {}

    def due(self, jobs: list[PeriodicJob], now: float) -> list[PeriodicJob]:
        ready = []
        for job in jobs:
            last = self._last.get(job.name)
            if job.every_seconds is None or last is None or now - last >= job.every_seconds:
                self._last[job.name] = now
                ready.append(job)
        return ready
