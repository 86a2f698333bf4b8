"""Hot endpoints other than the contract list, SPEC §11 "Performance".

Two configurations in one invocation, each on its own freshly started real server
(``billing-center serve --no-worker``, granian, 2 workers) and its own DATA_DIR:

- ``embedded``: the default deployment (SQLite in DATA_DIR, rate limits as database rows);
- ``postgres``: PostgreSQL (dedicated database ``bc_bench_hot``, created and dropped here; never ``test``
  or ``test_*``) + Redis (rate limits and cache under a unique CACHE_KEY_PREFIX whose keys are deleted
  at the end).

Each configuration gets the same data: the demo holder with 300 security events, 6 live sessions and
64 bound workspaces (the demo's 4 + 60, some settled by a cloud account, some in grace or locked),
20,000 other accounts (so identifier lookups run against a populated accounts table) and ``--contracts``
contracts of the holder. It measures each scenario with wrk (16 connections, 1 s warm-up, 4 s; or the
Python driver of ``common.py`` with ``--driver python``), as a ratio to the bare ``/healthz`` of the same
server in the same run, with the server's CPU time per request and each worker's RSS at the end:

- logged in as the holder (server-side session): ``GET /api/v1/account/me``, ``GET /api/v1/account/profile``,
  ``GET /settings/profile`` (console page), ``GET /api/v1/account/security-events``,
  ``GET /api/v1/account/sessions``, ``GET /api/v1/contracts``, ``GET /api/v1/workspaces`` and the console's
  ``GET /workspaces/`` (the first page of 20 of the holder's workspaces: the demo's plus ``--workspaces``);
- logged out, with the CSRF cookie and ``X-CSRFToken``: ``POST /api/v1/auth/login/code`` with a wrong code
  for an unknown email (a new one per request, so no per-target purpose lock), and
  ``POST /api/v1/auth/login`` with a wrong password for the holder (Argon2 verification).

The per-IP, per-pair and per-account limits on those two POSTs would answer 429 after a few dozen
requests from one address; the bench servers (only they) run with the limits in ``RAISED_LIMITS`` so
the full check path is measured. The limit counters are still hit on every request.

It also counts the SQL queries of one request to each endpoint (Django test client +
CaptureQueriesContext, outside the timed run). Results go to ``bench/results/hot-*.{json,md}``.

Usage: ``.venv/bin/python bench/hot_endpoints_bench.py [--configs embedded,postgres]``
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from common import (
    RESULTS,
    ROOT,
    USER_AGENTS,
    WORKSPACES_DEFAULT,
    Result,
    Scenario,
    base_environment,
    console_table,
    database_name,
    drop_database,
    free_port,
    holder_events_add,
    holder_session_cookie,
    holder_workspaces_add,
    machine,
    markdown_rows,
    measure,
    recreate_database,
    server_start,
    server_stop,
    worker_rss_mib,
    wrk_measure,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bc_bench_hot"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
CONFIGS = ("embedded", "postgres")
UNLIMITED = "1000000000"
# Raised for the bench servers only (see the module docstring); each still counts every hit.
RAISED_LIMITS = {
    "LOGIN_PER_IP_PER_MINUTE": UNLIMITED,
    "LOGIN_PAIR_DELAY_AFTER": UNLIMITED,
    "LOGIN_PAIR_BLOCK_AFTER": UNLIMITED,
    "LOGIN_ACCOUNT_UNLOCK_AFTER": UNLIMITED,
    "CODE_CHECKS_PER_IP_PER_5_MINUTES": UNLIMITED,
    "CODE_PURPOSE_FAILURE_LIMIT": UNLIMITED,
    "CODE_SENDS_PER_IP_PER_HOUR": UNLIMITED,
    "CODE_SENDS_PER_TARGET_PER_HOUR": UNLIMITED,
    "CODE_SENDS_PER_TARGET_PER_DAY": UNLIMITED,
    "CODE_SENDS_PER_ACCOUNT_PER_HOUR": UNLIMITED,
}
WRONG_PASSWORD = "not the password of this account"
def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated: embedded,postgres")
    parser.add_argument("--database-url", default=DEFAULT_URL, help="PostgreSQL database of the postgres run")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument(
        "--driver", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python",
        help="load generator: wrk (default when installed) or the Python threads of common.py",
    )
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--threads", type=int, default=8, help="client threads of the Python driver")
    parser.add_argument("--requests", type=int, default=1500, help="requests per scenario (Python driver)")
    parser.add_argument("--seconds", type=float, default=4.0, help="duration (wrk) or time limit per scenario")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server-threads", type=int, default=0, help="threads per worker (0: serve's default)")
    parser.add_argument("--contracts", type=int, default=1_000_000, help="contracts of the holder (0: no list)")
    parser.add_argument("--only", default="", help="comma-separated scenario names (bare /healthz always runs)")
    parser.add_argument("--events", type=int, default=300, help="security events of the holder")
    parser.add_argument("--sessions", type=int, default=5, help="other live sessions of the holder")
    parser.add_argument("--accounts", type=int, default=20_000, help="other accounts in the table")
    parser.add_argument(
        "--workspaces", type=int, default=WORKSPACES_DEFAULT, help="workspaces of the holder on top of the demo's"
    )
    parser.add_argument("--child", choices=CONFIGS, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    return parser.parse_args()


# --- the parent: one child process per configuration (Django settings are per process) -------------


def main() -> int:
    args = parse_args()
    if args.child:
        return child(args)
    configs = [name.strip() for name in args.configs.split(",") if name.strip()]
    unknown = set(configs) - set(CONFIGS)
    if unknown:
        sys.exit(f"Unknown configuration(s): {sorted(unknown)}")
    if "postgres" in configs:
        database_name(args.database_url)
    runs: dict[str, Any] = {}
    failed = False
    for name in configs:
        print(f"== {name}", flush=True)
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
            out = Path(handle.name)
        command = [sys.executable, str(Path(__file__).resolve()), *sys.argv[1:], "--child", name, "--out", str(out)]
        code = subprocess.call(command, cwd=str(ROOT))
        if code != 0 or not out.stat().st_size:
            print(f"   {name}: the run failed (exit {code})", flush=True)
            failed = True
        else:
            runs[name] = json.loads(out.read_text())
        out.unlink(missing_ok=True)
    if runs:
        report(args, runs)
    return 1 if failed or any(r["errors"] for run in runs.values() for r in run["results"]) else 0


def report(args: argparse.Namespace, runs: dict[str, Any]) -> None:
    from rich.console import Console

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {
        "driver": args.driver,
        "connections": args.connections if args.driver == "wrk" else args.threads,
        "workers": args.workers,
        "server_threads": args.server_threads or "serve default",
        "contracts": args.contracts,
        "seconds_per_scenario": args.seconds,
        "holder_events": args.events,
        "holder_sessions": args.sessions + 1,
        "other_accounts": args.accounts,
        "holder_workspaces_added": args.workspaces,
        "raised_limits": RAISED_LIMITS,
        **machine(),
    }
    (RESULTS / f"hot-{stamp}.json").write_text(json.dumps({"meta": meta, "runs": runs}, indent=2))
    console = Console(width=160)
    parts = [f"# Hot endpoints benchmark {stamp}\n\n{json.dumps(meta)}\n"]
    for name, run in runs.items():
        results = [Result(**row) for row in run["results"]]
        parts.append(
            f"## {name}: {run['description']}\n\nload average before: {run['load_average_before']}; "
            f"worker RSS after the run (MiB): {run.get('worker_rss_mib')}; "
            f"contracts loaded in {run.get('contracts_load_seconds')} s\n\n"
            + "\n".join(markdown_rows(results, with_queries=True))
        )
        if run.get("plans"):
            parts.append("\n\n".join(f"### {key}\n\n```\n{plan}\n```" for key, plan in run["plans"].items()))
        clients = f"{args.connections} wrk connections" if args.driver == "wrk" else f"{args.threads} client threads"
        threads = args.server_threads or "default"
        title = f"{name}: {run['description']} ({clients}; {args.workers} workers x {threads} threads)"
        console.print(console_table(title, results, with_queries=True))
        console.print(
            f"load average (1/5/15 min) before the {name} server started: {run['load_average_before']}; "
            f"worker RSS after the run (MiB): {run.get('worker_rss_mib')}"
        )
    (RESULTS / f"hot-{stamp}.md").write_text("\n\n".join(parts) + "\n")
    console.print(
        "Limits raised for the bench servers only (so the POST scenarios measure the check path, not 429s): "
        + ", ".join(f"{key}={value}" for key, value in RAISED_LIMITS.items())
    )
    console.print(f"results in {RESULTS}/hot-{stamp}.{{json,md}}")


# --- the child: one configuration -----------------------------------------------------------------


def child(args: argparse.Namespace) -> int:
    data_dir = Path(tempfile.mkdtemp(prefix="bc-bench-hot-"))
    env = {**base_environment(data_dir), **RAISED_LIMITS}
    for variable in ("DATABASE_URL", "REDIS_URL", "CACHE_KEY_PREFIX"):
        os.environ.pop(variable, None)
    prefix = ""
    if args.child == "postgres":
        prefix = f"bc-bench-hot-{uuid.uuid4().hex[:12]}"
        env.update({"DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url, "CACHE_KEY_PREFIX": prefix})
        recreate_database(args.database_url)
        description = "PostgreSQL + Redis (rate limits in Redis)"
    else:
        description = "embedded default: SQLite in DATA_DIR, rate limits in the database"
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "billing_center.settings")
    sys.path.insert(0, str(ROOT / "src"))
    server = None
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("demo", verbosity=0)
        started = time.monotonic()
        if args.contracts:
            call_command("demo", contracts=args.contracts, verbosity=0)
        contracts_load_seconds = round(time.monotonic() - started, 1)
        context = prepare(args)
        scenarios = scenarios_build(context)
        queries = queries_count(scenarios, context)
        plans = plans_explain(context)
        port = free_port()
        load_before = [round(value, 2) for value in os.getloadavg()]
        server = server_start(
            port, workers=args.workers, env={**os.environ, **env}, threads=args.server_threads or None
        )
        csrf_cookie, csrf_token = csrf_fetch(port)
        for scenario in scenarios:
            if scenario.method == "POST":
                scenario.headers.update(
                    {"Cookie": csrf_cookie, "X-CSRFToken": csrf_token, "Content-Type": "application/json"}
                )
        if args.driver == "wrk":
            results = wrk_measure(
                port, scenarios, seconds=args.seconds, connections=args.connections, server_pid=server.pid,
                label=f"{args.child}: ",
            )
        else:
            results = measure(
                port, scenarios, {}, threads=args.threads, requests=args.requests, seconds=args.seconds,
                label=f"{args.child}: ",
            )
        rss = worker_rss_mib(server.pid)
        for result in results:
            result.queries = queries.get(result.name)
        Path(args.out).write_text(
            json.dumps(
                {
                    "description": description,
                    "results": [asdict(result) for result in results],
                    "plans": plans,
                    "cache_key_prefix": prefix,
                    "load_average_before": load_before,
                    "worker_rss_mib": rss,
                    "contracts_load_seconds": contracts_load_seconds,
                }
            )
        )
        return 0
    finally:
        server_stop(server)
        from django.db import connections

        connections.close_all()
        if args.child == "postgres":
            drop_database(args.database_url)
            redis_keys_delete(args.redis_url, prefix)
        shutil.rmtree(data_dir, ignore_errors=True)


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    """The holder's events and sessions, the other accounts, and the holder's session cookie."""
    from django.db import connection

    from billing_center.accounts.models import Account
    from billing_center.workspaces.models import Workspace

    holder = Account.objects.get(username__lower_exact="demo")
    Account.objects.bulk_create(
        (
            Account(
                username=f"filler{i:06d}",
                email=f"filler{i:06d}@example.org",
                enterprise_name=f"Filler {i} Ltd.",
                password="!unusable",
            )
            for i in range(args.accounts)
        ),
        batch_size=2000,
    )
    holder_events_add(holder, args.events)
    holder_workspaces_add(holder, args.workspaces)
    for i in range(args.sessions):
        session_add(holder, user_agent=USER_AGENTS[i % len(USER_AGENTS)], ip=f"198.51.100.{i + 1}")
    cookie = holder_session_cookie(holder)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {
        "holder": holder, "cookie": cookie, "accounts": args.accounts, "contracts": args.contracts, "only": args.only,
        "workspaces": Workspace.objects.filter(account=holder).count(),
    }


def session_add(account: Any, *, user_agent: str, ip: str) -> None:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from billing_center.accounts.session_store import SessionStore

    session = SessionStore()
    now = time.time()
    session[SESSION_KEY] = str(account.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = account.get_session_auth_hash()
    session["_bc_auth_at"] = session["_bc_reauth_at"] = now - 3600
    session["_bc_seen"] = now - 120
    session["_bc_ip"] = ip
    session["_bc_ua"] = user_agent
    session.create()


def scenarios_build(context: dict[str, Any]) -> list[Scenario]:
    run = uuid.uuid4().hex[:8]

    def code_body(number: int) -> bytes:
        return json.dumps({"identifier": f"nobody-{run}-{number}@example.com", "code": "000000"}).encode()

    def login_body(number: int) -> bytes:
        # One account per request: concurrent attempts of one (identifier, IP) pair are refused by
        # design (the throttle holds the pair while an attempt is checked), which is not what this measures.
        identifier = f"filler{number % max(1, context['accounts']):06d}"
        return json.dumps({"identifier": identifier, "password": WRONG_PASSWORD}).encode()

    session = {"Cookie": context["cookie"]}
    code_lua = (
        "string.format('{\"identifier\": \"nobody-%s-%d-%d@example.com\", \"code\": \"000000\"}', "
        f"'{run}', tid, counter)"
    )
    login_lua = (
        "string.format('{\"identifier\": \"filler%06d\", \"password\": \"%s\"}', "
        f"(tid * 100000 + counter) % {max(1, context['accounts'])}, '{WRONG_PASSWORD}')"
    )
    contracts = []
    if context["contracts"]:
        contracts = [
            Scenario(
                "contract_list", "/api/v1/contracts", f"newest 20 of {context['contracts']:,} contracts",
                headers=dict(session),
            )
        ]
    chosen = [

        # No cookie: with a session cookie every request, /healthz included, loads the session and the
        # account (SessionLifetimeMiddleware); that is the next row.
        Scenario("healthz", "/healthz", "bare endpoint, no cookie, no database"),
        Scenario("healthz_session", "/healthz", "same, with the holder's session cookie", headers=dict(session)),
        Scenario("me", "/api/v1/account/me", "the logged-in account", headers=dict(session)),
        Scenario("profile", "/api/v1/account/profile", "profile read", headers=dict(session)),
        Scenario(
            "profile_page", "/settings/profile", "console page, HTML",
            headers={**session, "Accept": "text/html"},
        ),
        Scenario(
            "security_events", "/api/v1/account/security-events", "newest 20 of the security log",
            headers=dict(session),
        ),
        Scenario("sessions", "/api/v1/account/sessions", "the holder's live sessions", headers=dict(session)),
        *contracts,
        Scenario(
            "workspace_list", "/api/v1/workspaces",
            f"newest 20 of the holder's {context['workspaces']} workspaces", headers=dict(session),
        ),
        Scenario(
            "workspace_page", "/workspaces/", "console workspace list, HTML, first page of 20",
            headers={**session, "Accept": "text/html"},
        ),
        Scenario(
            "code_check", "/api/v1/auth/login/code", "wrong code, unknown email (new one per request)",
            method="POST", body=code_body, expect=(422,), lua_body=code_lua,
        ),
        Scenario(
            "login_wrong_password", "/api/v1/auth/login", "wrong password, another account per request (Argon2)",
            method="POST", body=login_body, expect=(400,), lua_body=login_lua,
        ),
    ]
    only = {name.strip() for name in context["only"].split(",") if name.strip()}
    return [scenario for index, scenario in enumerate(chosen) if index == 0 or not only or scenario.name in only]


def queries_count(scenarios: list[Scenario], context: dict[str, Any]) -> dict[str, int]:
    """SQL queries of one request to each endpoint (after one unmeasured request)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts: dict[str, int] = {}
    for scenario in scenarios:
        client = Client(REMOTE_ADDR="127.0.0.1")
        if "Cookie" in scenario.headers:
            name, value = scenario.headers["Cookie"].split("=", 1)
            client.cookies[name] = value
        for attempt in range(2):
            body = scenario.body(10_000_000 + attempt) if scenario.body is not None else None
            with CaptureQueriesContext(connection) as captured:
                if scenario.method == "POST":
                    response = client.post(scenario.path, data=body, content_type="application/json")
                else:
                    response = client.get(scenario.path, headers={"Accept": scenario.headers.get("Accept", "")})
            if response.status_code not in scenario.expect:
                raise RuntimeError(f"{scenario.name}: answered {response.status_code}")
        counts[scenario.name] = len(captured.captured_queries)
    return counts


def plans_explain(context: dict[str, Any]) -> dict[str, str]:
    """Plans of the identifier lookups the two POSTs start with (PostgreSQL only)."""
    from django.db import connection

    from billing_center.accounts.models import Account

    if connection.vendor != "postgresql":
        return {}
    return {
        "account_by_email (email__lower_exact)": str(
            Account.objects.filter(email__lower_exact="nobody@example.com").explain(analyze=True)
        ),
        "account_by_username (username__lower_exact)": str(
            Account.objects.filter(username__lower_exact="demo").explain(analyze=True)
        ),
    }


def csrf_fetch(port: int) -> tuple[str, str]:
    """The CSRF cookie (as a Cookie header) and token from ``GET /api/v1/auth/csrf``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/api/v1/auth/csrf", headers={"Accept": "application/json"})
    response = connection.getresponse()
    token = json.loads(response.read())["csrf_token"]
    cookie = next(
        header.split(";", 1)[0]
        for key, header in response.getheaders()
        if key.lower() == "set-cookie" and header.startswith("csrftoken=")
    )
    connection.close()
    return cookie, token


def redis_keys_delete(url: str, prefix: str) -> None:
    """Every key this run wrote (cache and rate limits) lives under its unique prefix."""
    if not prefix:
        return
    import redis

    client = redis.Redis.from_url(url)
    names = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    for start in range(0, len(names), 500):
        client.delete(*names[start : start + 500])
    print(f"  postgres: deleted {len(names)} Redis keys under {prefix}:", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
