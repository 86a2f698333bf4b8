"""The worker: runs every registered periodic job (sends due emails/SMS and retries failed ones; apps add
theirs in ``jobs.py``), until SIGTERM/SIGINT."""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils.module_loading import autodiscover_modules

from billing_center.core.jobs import JobClock, PeriodicJob, periodic_jobs


class Command(BaseCommand):
    help = (
        "Run the worker: every registered periodic job (sends queued emails/SMS and retries failures with "
        "backoff, and what other apps register)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run every job once and exit.")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Seconds between two ticks (default 5)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        autodiscover_modules("jobs")
        jobs = periodic_jobs()
        if options["once"]:
            for job in jobs:
                self.stdout.write(f"Processed {job.run()} {job.noun}.")
            return
        stopping = threading.Event()

        def stop(signum: int, frame: object) -> None:
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        names = ", ".join(job.name for job in jobs)
        self.stdout.write(f"Delivery worker running (every {options['interval']} s; jobs: {names}).")
        self.stdout.flush()
        clock = JobClock()
        while not stopping.is_set():
            for job in clock.due(jobs, time.monotonic()):
                self._run(job)
            stopping.wait(options["interval"])
        self.stdout.write("Delivery worker stopped.")

    def _run(self, job: PeriodicJob) -> None:
        try:
            job.run()
        except Exception as exc:  # a database hiccup must not end the loop (nor the other jobs)
            self.stderr.write(f"{job.name} tick failed: {exc.__class__.__name__}: {exc}")
        finally:
            close_old_connections()
