"""Contract list benchmark at a million contracts (PostgreSQL), SPEC §11 "Performance".

What it does, in one run:
1. creates a dedicated PostgreSQL database (default ``bc_bench``; never ``test`` or ``test_*``),
   migrates it and loads N contracts (default 1,000,000) for the demo account with the same loader as
   ``billing-center demo --contracts N`` (batched bulk inserts, progress bar);
2. starts the real server (granian, WSGI, 2 workers) on a free loopback port;
3. drives each endpoint with a few threads on keep-alive connections (bounded by a request count and a
   time limit) and reports p50/p99 latency and requests/s, each as a ratio to the bare ``/healthz``
   endpoint measured on the same server in the same run;
4. writes JSON + Markdown (with the SQL plans) to ``bench/results/`` and prints a table;
5. stops the server and drops the database (``--keep`` keeps it; ``--reuse`` skips the load when the
   database already has the contracts).

Usage: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/bc_bench .venv/bin/python bench/contracts_bench.py``
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bc_bench"


@dataclass
class Scenario:
    name: str
    path: str
    note: str = ""


@dataclass
class Result:
    name: str
    path: str
    note: str
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    p50_ratio: float = 0.0
    p99_ratio: float = 0.0
    rps_ratio: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_URL)
    parser.add_argument("--contracts", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--requests", type=int, default=3000, help="requests per scenario (upper bound)")
    parser.add_argument("--seconds", type=float, default=20.0, help="time limit per scenario")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing loaded database")
    return parser.parse_args()


def database_name(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        sys.exit("The benchmark needs a PostgreSQL DATABASE_URL")
    name = parts.path.lstrip("/")
    if not name or name == "test" or name.startswith("test_") or name in {"postgres", "template0", "template1"}:
        sys.exit(f"Refusing to use database {name!r}: give a dedicated name such as bc_bench")
    return name


def admin_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))


def recreate_database(url: str, *, reuse: bool) -> bool:
    """Drop and create the benchmark database; with ``reuse``, keep it if it exists. True if fresh."""
    import psycopg

    name = database_name(url)
    with psycopg.connect(admin_url(url), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reuse:
            return False
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return True


def drop_database(url: str) -> None:
    import psycopg

    name = database_name(url)
    with psycopg.connect(admin_url(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not come up")


def run_scenario(port: int, scenario: Scenario, cookie: str, *, threads: int, requests: int, seconds: float) -> Result:
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    issued = [0]
    deadline = time.monotonic() + seconds
    headers = {"Cookie": cookie, "Accept": "application/json"}

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local: list[float] = []
        local_status: dict[str, int] = {}
        while time.monotonic() < deadline:
            with lock:
                if issued[0] >= requests:
                    break
                issued[0] += 1
            started = time.perf_counter()
            try:
                connection.request("GET", scenario.path, headers=headers)
                response = connection.getresponse()
                response.read()
                status = str(response.status)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = "error"
            local.append(time.perf_counter() - started)
            local_status[status] = local_status.get(status, 0) + 1
        with lock:
            latencies.extend(local)
            for key, value in local_status.items():
                statuses[key] = statuses.get(key, 0) + value

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    wall = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    errors = sum(count for status, count in statuses.items() if status != "200")
    return Result(
        name=scenario.name,
        path=scenario.path,
        note=scenario.note,
        requests=len(latencies),
        errors=errors,
        seconds=round(wall, 2),
        rps=round(len(latencies) / wall, 1),
        p50_ms=round(statistics.median(latencies) * 1000, 2),
        p99_ms=round(cuts[98] * 1000, 2),
        statuses=statuses,
    )


def main() -> int:
    args = parse_args()
    url = args.database_url
    database_name(url)
    data_dir = Path(tempfile.mkdtemp(prefix="bc-bench-"))
    env = {
        "DATABASE_URL": url,
        "DATA_DIR": str(data_dir),
        "DEPLOYMENT": "embedded",
        "DEBUG": "false",
        "EMAIL_BACKEND": "outbox",
        "SMS_BACKEND": "outbox",
        "DELIVERY_WORKER_IN_SERVER": "false",
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "600",
    }
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "billing_center.settings")
    sys.path.insert(0, str(ROOT / "src"))
    fresh = recreate_database(url, reuse=args.reuse)
    server: subprocess.Popen[bytes] | None = None
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        load_seconds = 0.0
        if fresh:
            started = time.perf_counter()
            call_command("demo", contracts=args.contracts)
            load_seconds = time.perf_counter() - started
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE contracts_contract")
        scenarios, context = prepare(args)
        port = free_port()
        # The real server command, as `make run` and deployments start it (granian, WSGI).
        server = subprocess.Popen(
            [
                sys.executable, "-m", "billing_center.cli", "serve",
                "--no-worker",
                "--host", "127.0.0.1",
                "--port", str(port),
                "--workers", str(args.workers),
            ],
            env={**os.environ, **env},
            cwd=str(ROOT),
        )
        wait_until_up(port)
        results = []
        for scenario in scenarios:
            # Warm up: connections, caches, the plan cache of each worker.
            run_scenario(port, scenario, context["cookie"], threads=args.threads, requests=200, seconds=10)
            result = run_scenario(
                port, scenario, context["cookie"], threads=args.threads, requests=args.requests, seconds=args.seconds
            )
            results.append(result)
            print(f"  {result.name:<16} p50 {result.p50_ms:8.2f} ms  p99 {result.p99_ms:8.2f} ms  {result.rps:8.1f} req/s")
        bare = results[0]
        for result in results:
            result.p50_ratio = round(result.p50_ms / bare.p50_ms, 2)
            result.p99_ratio = round(result.p99_ms / bare.p99_ms, 2)
            result.rps_ratio = round(result.rps / bare.rps, 3)
        report(args, results, context, load_seconds=load_seconds)
        return 1 if any(result.errors for result in results) else 0
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(url)
        shutil.rmtree(data_dir, ignore_errors=True)


def prepare(args: argparse.Namespace) -> tuple[list[Scenario], dict[str, Any]]:
    """A logged-in session for the demo account, a deep cursor, and the scenarios with their SQL plans."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from billing_center.accounts.models import Account
    from billing_center.accounts.session_store import SessionStore
    from billing_center.contracts.models import Contract, StaffStatus
    from billing_center.contracts.selectors import ContractFilters, contracts_for_holder
    from billing_center.core.pagination import _encode

    account = Account.objects.get(username__iexact="demo")
    session = SessionStore()
    now = time.time()
    session[SESSION_KEY] = str(account.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = account.get_session_auth_hash()
    session["_bc_auth_at"] = session["_bc_reauth_at"] = session["_bc_seen"] = now
    session.create()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    visible = Contract.objects.filter(account=account).exclude(staff_status=StaffStatus.DRAFT)
    total = visible.count()
    depth = int(total * 0.9)
    deep = visible.order_by("-signed_on", "-id").values_list("signed_on", "id")[depth]
    deep_cursor = _encode(list(deep))
    sample = visible.order_by("-id").values_list("id", flat=True).first()
    prefix = f"DEMO-{account.pk}-00123"
    scenarios = [
        Scenario("healthz", "/healthz", "bare endpoint (no database)"),
        Scenario("first_page", "/api/v1/contracts?limit=20", "newest 20"),
        Scenario(
            "deep_page",
            "/api/v1/contracts?" + urlencode({"limit": 20, "cursor": deep_cursor}),
            f"cursor at row {depth:,} of {total:,}",
        ),
        Scenario(
            "filtered_search",
            "/api/v1/contracts?" + urlencode({"status": "active", "q": "analytics", "limit": 20}),
            "status=active & title contains 'analytics'",
        ),
        Scenario(
            "rare_search",
            "/api/v1/contracts?" + urlencode({"q": "profiling", "signed_from": "2018-01-01", "signed_to": "2018-03-31"}),
            "title contains 'profiling', signed in Q1 2018",
        ),
        Scenario("number_prefix", "/api/v1/contracts?" + urlencode({"q": prefix}), f"number starts with {prefix}"),
        Scenario("status_terminated", "/api/v1/contracts?status=terminated&limit=20", "3% of rows"),
        Scenario("detail", f"/api/v1/contracts/{sample}", "one contract with attachments"),
    ]
    plans: dict[str, str] = {}
    filters = {
        "first_page": ContractFilters(),
        "filtered_search": ContractFilters(status="active", q="analytics"),
        "rare_search": ContractFilters.build(
            q="profiling", signed_from=datetime(2018, 1, 1).date(), signed_to=datetime(2018, 3, 31).date()
        ),
        "number_prefix": ContractFilters(q=prefix),
        "status_terminated": ContractFilters(status="terminated"),
    }
    for name, chosen in filters.items():
        queryset = contracts_for_holder(account=account, filters=chosen).order_by("-signed_on", "-id")[:21]
        plans[name] = _explain(queryset)
    plain_keyset = contracts_for_holder(account=account, filters=ContractFilters()).filter(_after_q(deep))
    # What the endpoint runs (selectors.contract_page_for_holder adds the redundant date bound) ...
    plans["deep_page"] = _explain(plain_keyset.filter(signed_on__lte=deep[0]).order_by("-signed_on", "-id")[:21])
    # ... and, for comparison, the plain keyset condition without it.
    plans["deep_page_without_date_bound"] = _explain(plain_keyset.order_by("-signed_on", "-id")[:21])
    return scenarios, {"cookie": cookie, "total": total, "plans": plans, "account_id": account.pk}


def _explain(queryset: Any) -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        return str(queryset.explain(analyze=True, buffers=True))
    return str(queryset.explain())


def _after_q(key: tuple[Any, int]) -> Any:
    from django.db.models import Q

    signed_on, contract_id = key
    return Q(signed_on__lt=signed_on) | Q(signed_on=signed_on, id__lt=contract_id)


def report(args: argparse.Namespace, results: list[Result], context: dict[str, Any], *, load_seconds: float) -> None:
    from rich.console import Console
    from rich.table import Table

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {
        "contracts_loaded": args.contracts,
        "visible_contracts": context["total"],
        "load_seconds": round(load_seconds, 1),
        "threads": args.threads,
        "workers": args.workers,
        "requests_per_scenario": args.requests,
        "seconds_limit": args.seconds,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
    }
    (RESULTS / f"contracts-{stamp}.json").write_text(
        json.dumps({"meta": meta, "results": [asdict(r) for r in results], "plans": context["plans"]}, indent=2)
    )
    lines = [
        "| scenario | requests | errors | req/s | p50 ms | p99 ms | p50 x bare | p99 x bare | req/s / bare |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} ({r.note}) | {r.requests} | {r.errors} | {r.rps} | {r.p50_ms} | {r.p99_ms} | "
            f"{r.p50_ratio} | {r.p99_ratio} | {r.rps_ratio} |"
        )
    plans = "\n\n".join(f"### {name}\n\n```\n{plan}\n```" for name, plan in context["plans"].items())
    (RESULTS / f"contracts-{stamp}.md").write_text(
        f"# Contracts benchmark {stamp}\n\n{json.dumps(meta)}\n\n" + "\n".join(lines) + "\n\n## Plans\n\n" + plans + "\n"
    )
    table = Table(title=f"Contract list at {context['total']:,} visible contracts ({args.threads} threads)")
    for column in ("scenario", "req/s", "p50 ms", "p99 ms", "p50 x bare", "p99 x bare", "req/s / bare", "errors"):
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for r in results:
        table.add_row(
            r.name, str(r.rps), str(r.p50_ms), str(r.p99_ms), str(r.p50_ratio), str(r.p99_ratio), str(r.rps_ratio), str(r.errors)
        )
    console = Console(width=150)
    console.print(table)
    console.print(f"load: {meta['load_seconds']} s; results in {RESULTS}/contracts-{stamp}.{{json,md}}")


if __name__ == "__main__":
    raise SystemExit(main())
