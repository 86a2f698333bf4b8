"""The delivery worker: sends due emails/SMS and retries failed ones, until SIGTERM/SIGINT."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from billing_center.verification.services import deliveries_process_due


class Command(BaseCommand):
    help = "Run the delivery worker: sends queued emails/SMS and retries failures with backoff."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Process the due deliveries once and exit.")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Seconds between two ticks (default 5)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            tried = deliveries_process_due()
            self.stdout.write(f"Processed {tried} due deliveries.")
            return
        stopping = threading.Event()

        def stop(signum: int, frame: object) -> None:
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"Delivery worker running (every {options['interval']} s).")
        self.stdout.flush()
        while not stopping.is_set():
            try:
                deliveries_process_due()
            except Exception as exc:  # a database hiccup must not end the loop
                self.stderr.write(f"Delivery tick failed: {exc.__class__.__name__}: {exc}")
            finally:
                close_old_connections()
            stopping.wait(options["interval"])
        self.stdout.write("Delivery worker stopped.")
