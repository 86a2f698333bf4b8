"""In-process profile of the hot endpoints: the WSGI application called directly (no server, no
network), production settings (DEBUG off), so the numbers are the app's own CPU per request.

    .venv/bin/python bench/profile_hot.py                       # embedded: SQLite in a temporary DATA_DIR
    DATABASE_URL=postgres://…/bc_hot REDIS_URL=redis://…/5 .venv/bin/python bench/profile_hot.py
    # options: --requests 2000 --only profile_page --profile (cProfile: the top functions of each endpoint)

The PostgreSQL database must be a dedicated one: it is migrated and the demo data is loaded into it.
Prints, per endpoint, CPU µs per request (process time) and wall µs, and with --profile the functions
that take the most cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--only", default="", help="comma-separated endpoint names")
    parser.add_argument("--profile", action="store_true", help="print the top functions (cProfile)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative, tottime, ncalls …")
    parser.add_argument("--contracts", type=int, default=10_000, help="contracts of the holder (0: no contract list)")
    parser.add_argument("--workspaces", type=int, default=60, help="workspaces of the holder on top of the demo's")
    parser.add_argument("--events", type=int, default=300, help="security events of the holder")
    return parser.parse_args()


def environ_for(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> Callable[[], dict[str, Any]]:
    base = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": headers.pop("Content-Type", ""),
    }
    for name, value in headers.items():
        base["HTTP_" + name.upper().replace("-", "_")] = value

    def build() -> dict[str, Any]:
        return {**base, "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr}

    return build


def main() -> int:
    args = parse_args()
    data_dir = tempfile.mkdtemp(prefix="bc-profile-")
    os.environ.update(
        {
            "DATA_DIR": data_dir, "DEBUG": "false", "EMAIL_BACKEND": "outbox", "SMS_BACKEND": "outbox",
            "DELIVERY_WORKER_IN_SERVER": "false", "LOG_LEVEL": "WARNING", "DB_CONN_MAX_AGE": "600",
            "CODE_CHECKS_PER_IP_PER_5_MINUTES": "1000000000", "CODE_PURPOSE_FAILURE_LIMIT": "1000000000",
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "billing_center.settings")
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()
    from common import holder_events_add, holder_session_cookie, holder_workspaces_add
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    from billing_center.accounts.models import Account

    call_command("migrate", verbosity=0)
    call_command("demo", verbosity=0)
    holder = Account.objects.get(username__lower_exact="demo")
    if args.contracts:
        call_command("demo", contracts=args.contracts, verbosity=0)
    holder_workspaces_add(holder, args.workspaces)
    holder_events_add(holder, args.events)
    cookie = holder_session_cookie(holder)
    csrf = secrets.token_hex(16)
    application = get_wsgi_application()
    run = secrets.token_hex(4)
    counter = iter(range(10**9))

    def code_body() -> bytes:
        return json.dumps({"identifier": f"nobody-{run}-{next(counter)}@example.com", "code": "000000"}).encode()

    posting = {"Cookie": f"csrftoken={csrf}", "X-CSRFToken": csrf, "Content-Type": "application/json"}
    endpoints: dict[str, tuple[str, str, dict[str, str], Callable[[], bytes] | None]] = {
        "healthz": ("GET", "/healthz", {}, None),
        "healthz_session": ("GET", "/healthz", {"Cookie": cookie}, None),
        "me": ("GET", "/api/v1/account/me", {"Cookie": cookie}, None),
        "profile": ("GET", "/api/v1/account/profile", {"Cookie": cookie}, None),
        "profile_page": ("GET", "/settings/profile", {"Cookie": cookie, "Accept": "text/html"}, None),
        "security_events": ("GET", "/api/v1/account/security-events", {"Cookie": cookie}, None),
        "sessions": ("GET", "/api/v1/account/sessions", {"Cookie": cookie}, None),
        "contract_list": ("GET", "/api/v1/contracts", {"Cookie": cookie}, None),
        "workspace_list": ("GET", "/api/v1/workspaces", {"Cookie": cookie}, None),
        "workspace_page": ("GET", "/workspaces/", {"Cookie": cookie, "Accept": "text/html"}, None),
        "contracts_page": ("GET", "/contracts/", {"Cookie": cookie, "Accept": "text/html"}, None),
        "overview_page": ("GET", "/overview", {"Cookie": cookie, "Accept": "text/html"}, None),
        "security_log_page": ("GET", "/settings/security-log", {"Cookie": cookie, "Accept": "text/html"}, None),
        "sessions_page": ("GET", "/settings/sessions", {"Cookie": cookie, "Accept": "text/html"}, None),
        "code_check": ("POST", "/api/v1/auth/login/code", posting, code_body),
    }
    wanted = [name.strip() for name in args.only.split(",") if name.strip()] or list(endpoints)
    statuses: list[str] = []

    def start_response(status: str, headers: list[Any], exc_info: Any = None) -> None:
        statuses.append(status)

    def call(method: str, path: str, headers: dict[str, str], body: Callable[[], bytes] | None) -> None:
        environ = environ_for(method, path, dict(headers), body() if body else b"")()
        response = application(environ, start_response)
        for _chunk in response:
            pass
        response.close()  # type: ignore[attr-defined]

    print(f"database: {django.db.connection.vendor}, {args.requests} requests per endpoint", flush=True)
    for name in wanted:
        method, path, headers, body = endpoints[name]
        for _ in range(50):
            call(method, path, headers, body)
        statuses.clear()
        profiler = cProfile.Profile() if args.profile else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for _ in range(args.requests):
            call(method, path, headers, body)
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        seen = sorted(set(statuses))
        print(f"{name:<16} cpu {cpu / args.requests * 1e6:8.0f} µs  wall {wall / args.requests * 1e6:8.0f} µs  {seen}")
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
