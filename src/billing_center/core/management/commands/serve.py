"""Serve with granian (WSGI) — measured here at about 1.8x gunicorn's throughput on the same view."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


def _malloc_env() -> dict[str, str]:
    """glibc tuning for the workers' memory (bench/README.md), each overridable from the environment.

    Every password check allocates Argon2's 19 MiB and frees it. By default glibc raises its mmap
    threshold to the size of the last freed block, so from the second check on those blocks come from
    the heap and stay resident, one per arena a hashing thread used: a worker sat at ~180 MB after a
    burst of wrong passwords. Pinning the threshold at glibc's own starting value (128 KiB) keeps large
    blocks on mmap, returned at free: ~120-135 MB, for ~5 ms more CPU per password check (the fresh
    pages are faulted in each time). Two arenas bound the rest of the per-thread growth.
    """
    return {
        "MALLOC_ARENA_MAX": os.environ.get("MALLOC_ARENA_MAX", "2"),
        "MALLOC_MMAP_THRESHOLD_": os.environ.get("MALLOC_MMAP_THRESHOLD_", str(128 * 1024)),
    }


class Command(BaseCommand):
    help = "Run the production WSGI server (granian) and, unless disabled, the delivery worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument(
            "--threads",
            type=int,
            # 4, chosen by measurement on 2 vCPUs (bench/README.md): 8 threads only add GIL contention
            # and latency; 2 would let two password checks (PASSWORD_HASH_CONCURRENCY) or one slow delivery
            # attempt stall a worker, 4 leaves two threads for everything else.
            default=int(os.environ.get("WEB_THREADS", "4")),
            help="Request threads per worker process; each may hold one database connection.",
        )
        parser.add_argument("--no-worker", action="store_true", help="Do not start the delivery worker.")
        # Off by default (ACCESS_LOG): granian's line per request cost more server CPU than a whole API
        # read (bench/README.md); a proxy in front usually logs each request anyway.
        access_log = parser.add_mutually_exclusive_group()
        access_log.add_argument(
            "--access-log",
            dest="access_log",
            action="store_true",
            default=None,
            help="Print one line per request to the terminal (default: the ACCESS_LOG setting, off).",
        )
        access_log.add_argument(
            "--no-access-log", dest="access_log", action="store_false", help="Do not print a line per request."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        access_log = settings.ACCESS_LOG if options["access_log"] is None else options["access_log"]
        children: list[subprocess.Popen[bytes]] = []
        if settings.DELIVERY_WORKER_IN_SERVER and not options["no_worker"]:
            children.append(subprocess.Popen([sys.executable, "-m", "billing_center.cli", "worker"]))
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable, "-m", "granian",
                "--interface", "wsgi",
                "--host", options["host"],
                "--port", str(options["port"]),
                "--workers", str(options["workers"]),
                "--blocking-threads", str(options["threads"]),
                "--no-ws",
                "--access-log" if access_log else "--no-access-log",
                "billing_center.wsgi:application",
            ],
            env={**os.environ, **_malloc_env()},
        )
        children.append(server)

        def stop(signum: int, frame: object) -> None:
            for child in children:
                child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        base = f"http://{options['host']}:{options['port']}"
        self.stdout.write(f"Billing Center: {base}/  (back office: {base}/backoffice/, API docs: {base}/api/v1/docs)")
        if settings.OUTBOX_ENABLED:
            self.stdout.write(
                f"Emails and SMS (with one-time codes) go to the outbox: {base}/dev/outbox "
                f"(JSON: {base}/dev/outbox.json; file: {settings.OUTBOX_PATH})"
            )
        code = server.wait()
        for child in children:
            if child.poll() is None:
                child.terminate()
                child.wait(timeout=10)
        raise SystemExit(code)
