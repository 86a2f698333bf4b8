"""core.jobs: apps register periodic jobs; the worker runs each when it is due."""

from __future__ import annotations

import sys
from io import StringIO

import pytest
from django.core.management import call_command

from billing_center.core import jobs
from billing_center.core.jobs import JobClock, PeriodicJob, periodic_job, periodic_jobs

APP_JOBS = "billing_center.verification.jobs"


@pytest.fixture
def registry(monkeypatch):
    """A registry with only what the test and the worker's autodiscovery put in it; afterwards the app's
    jobs module is imported afresh, so it registers again in the restored registry."""
    monkeypatch.setattr(jobs, "_JOBS", {})
    monkeypatch.delitem(sys.modules, APP_JOBS, raising=False)
    yield jobs._JOBS
    sys.modules.pop(APP_JOBS, None)


def test_every_tick_jobs_run_each_time_and_periodic_ones_once_per_period():
    # given a job of every tick and one of every 60 s
    each = PeriodicJob(name="deliveries", run=lambda: 0)
    hourly = PeriodicJob(name="grace", run=lambda: 0, every_seconds=60)
    clock = JobClock()
    # when ticks come at 0, 5, 59 and 61 s
    due = [[job.name for job in clock.due([each, hourly], now)] for now in (0, 5, 59, 61)]
    # then the periodic job ran at the first tick and again after its period
    assert due == [["deliveries", "grace"], ["deliveries"], ["deliveries"], ["deliveries", "grace"]]


@pytest.mark.django_db
def test_worker_once_runs_every_registered_job(registry):
    # given an app's job next to the deliveries (registered by verification/jobs.py on discovery)
    periodic_job("inbox_retries", run=lambda: 3, noun="inbox events")
    # when the worker runs once
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    # then both jobs ran and reported
    assert [job.name for job in periodic_jobs()] == ["deliveries", "inbox_retries"]
    assert "Processed 0 due deliveries." in out.getvalue()
    assert "Processed 3 inbox events." in out.getvalue()
