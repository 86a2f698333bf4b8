"""Shared pieces of the benchmarks (SPEC §11 "Performance"): the dedicated PostgreSQL database, the real
server command as a subprocess, the bounded load driver on keep-alive connections, ratios to the bare
``/healthz`` endpoint and the result tables.

Django is imported lazily (only inside the helpers that need it) so a script can set its environment
first.
"""

from __future__ import annotations

import http.client
import itertools
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
RESERVED_DATABASES = {"postgres", "template0", "template1"}


@dataclass
class Scenario:
    name: str
    path: str
    note: str = ""
    method: str = "GET"
    # Builds the request body from a sequence number unique within the scenario (warm-up included).
    body: Callable[[int], bytes] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # Statuses that count as a correct answer (a wrong code is *meant* to get a 422).
    expect: tuple[int, ...] = (200,)
    # For wrk: a Lua expression building the body from ``tid`` (wrk thread) and ``counter``.
    lua_body: str = ""
    sequence: Iterator[int] = field(default_factory=itertools.count, repr=False)


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
    method: str = "GET"
    p50_ratio: float = 0.0
    p99_ratio: float = 0.0
    rps_ratio: float = 0.0
    queries: int | None = None
    cpu_ms: float | None = None
    statuses: dict[str, int] = field(default_factory=dict)


# --- the dedicated PostgreSQL database ------------------------------------------------------------


def database_name(url: str) -> str:
    """The database of a PostgreSQL URL; exits for ``test``, ``test_*`` and the system databases."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        sys.exit("The benchmark needs a PostgreSQL DATABASE_URL")
    name = parts.path.lstrip("/")
    if not name or name == "test" or name.startswith("test_") or name in RESERVED_DATABASES:
        sys.exit(f"Refusing to use database {name!r}: give a dedicated name such as bc_bench")
    return name


def admin_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))


def recreate_database(url: str, *, reuse: bool = False) -> bool:
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


# --- the server -----------------------------------------------------------------------------------


def base_environment(data_dir: Path) -> dict[str, str]:
    """What every benchmark server runs with (outbox channels, no delivery worker, quiet logs)."""
    return {
        # The server imports this checkout's code, not whatever copy the virtualenv has installed.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])),
        "DATA_DIR": str(data_dir),
        "DEPLOYMENT": "embedded",
        "DEBUG": "false",
        "EMAIL_BACKEND": "outbox",
        "SMS_BACKEND": "outbox",
        "DELIVERY_WORKER_IN_SERVER": "false",
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "600",
    }


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


def server_start(
    port: int, *, workers: int, env: dict[str, str], threads: int | None = None
) -> subprocess.Popen[bytes]:
    """The real server command, as `make run` and deployments start it (granian, WSGI)."""
    server = subprocess.Popen(
        [
            sys.executable, "-m", "billing_center.cli", "serve",
            "--no-worker",
            "--host", "127.0.0.1",
            "--port", str(port),
            "--workers", str(workers),
            *(["--threads", str(threads)] if threads else []),
        ],
        env=env,
        cwd=str(ROOT),
    )
    wait_until_up(port)
    return server


def server_stop(server: subprocess.Popen[bytes] | None) -> None:
    if server is None:
        return
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()


def holder_session_cookie(account: Any) -> str:
    """A logged-in session for ``account``, created server-side (no login round trip), as a Cookie."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from billing_center.accounts.session_store import SessionStore

    session = SessionStore()
    now = time.time()
    session[SESSION_KEY] = str(account.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = account.get_session_auth_hash()
    session["_bc_auth_at"] = session["_bc_reauth_at"] = session["_bc_seen"] = now
    session["_bc_ip"] = "127.0.0.1"
    session["_bc_ua"] = "bench/1.0"
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


HOLDER_EVENTS = ("login.succeeded", "login.failed", "logout", "profile.updated", "code.check_failed",
                 "session.expired", "password.changed", "email.changed")
HIDDEN_EVENTS = ("contract.issued", "delivery.sent")
USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
)


def holder_events_add(account: Any, count: int) -> int:
    """``count`` audit rows of ``account`` spread over the last weeks (one in four is bookkeeping the
    security log does not show)."""
    from datetime import timedelta

    from django.utils import timezone

    from billing_center.audit.models import AuditEvent

    now = timezone.now()
    events = []
    for i in range(count):
        name = HIDDEN_EVENTS[i % 2] if i % 4 == 3 else HOLDER_EVENTS[i % len(HOLDER_EVENTS)]
        events.append(
            AuditEvent(
                event=name, account=account, ip="203.0.113.7", user_agent=USER_AGENTS[i % len(USER_AGENTS)],
                new={"target": "d***@example.com"}, detail={"method": "password"},
            )
        )
    created = AuditEvent.objects.bulk_create(events, batch_size=1000)
    # created_at is auto_now_add: spread the rows over the last weeks, one statement per row is fine here.
    for i, row in enumerate(created):
        AuditEvent.objects.filter(pk=row.pk).update(created_at=now - timedelta(minutes=97 * (len(created) - i)))
    return count


WORKSPACES_DEFAULT = 60
WORKSPACE_SITES = ("cn1", "cn4", "us1", "eu1", "ap1")


def holder_workspaces_add(account: Any, count: int = WORKSPACES_DEFAULT) -> int:
    """``count`` more workspaces bound to ``account`` (on top of the demo's), in one insert: varied sites
    and languages, one in five settled by one of the holder's cloud accounts (when it has any), one in
    nine in grace, one in eleven locked, spread over the last two years (a page of 20 and a cursor)."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from billing_center.cloud.models import CloudAccount
    from billing_center.workspaces.models import Workspace

    now = timezone.now()
    sites = [site for site in WORKSPACE_SITES if site in settings.WORKSPACE_SITES] or list(settings.WORKSPACE_SITES)
    clouds = list(CloudAccount.objects.filter(account=account).order_by("pk"))
    rows = []
    for n in range(count):
        cloud = clouds[n % len(clouds)] if clouds and n % 5 == 1 else None
        state = "grace" if n % 9 == 4 else "locked" if n % 11 == 7 else "active"
        rows.append(
            Workspace(
                id=f"bench-{account.pk}-{n:05d}",
                name=f"Workspace {n} ({sites[n % len(sites)]})",
                site=sites[n % len(sites)],
                language="zh-hans" if n % 3 == 0 else "en",
                account=account,
                bound_at=now - timedelta(days=n * 11),
                settlement_method="cloud" if cloud else "account",
                cloud_account=cloud,
                lock_state=state,
                lock_reason={"grace": "Payment overdue", "locked": "Unpaid"}.get(state, ""),
                lock_deadline=now + timedelta(days=7) if state == "grace" else None,
                created_at=now - timedelta(days=n * 11, minutes=n),
            )
        )
    Workspace.objects.bulk_create(rows, batch_size=500)
    return count


# --- the load driver ------------------------------------------------------------------------------


def run_scenario(
    port: int,
    scenario: Scenario,
    headers: dict[str, str],
    *,
    threads: int,
    requests: int,
    seconds: float,
) -> Result:
    """Up to ``requests`` requests (or ``seconds``) from ``threads`` threads, each on one keep-alive
    connection; latency is measured per request from send to the last byte of the answer."""
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    issued = [0]
    deadline = time.monotonic() + seconds
    all_headers = {"Accept": "application/json", **headers, **scenario.headers}

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local: list[float] = []
        local_status: dict[str, int] = {}
        while time.monotonic() < deadline:
            with lock:
                if issued[0] >= requests:
                    break
                issued[0] += 1
                number = next(scenario.sequence)
            body = scenario.body(number) if scenario.body is not None else None
            started = time.perf_counter()
            try:
                connection.request(scenario.method, scenario.path, body=body, headers=all_headers)
                response = connection.getresponse()
                response.read()
                status = str(response.status)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = "error"
            local.append(time.perf_counter() - started)
            local_status[status] = local_status.get(status, 0) + 1
        connection.close()
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
    expected = {str(status) for status in scenario.expect}
    errors = sum(count for status, count in statuses.items() if status not in expected)
    return Result(
        name=scenario.name,
        path=scenario.path,
        note=scenario.note,
        method=scenario.method,
        requests=len(latencies),
        errors=errors,
        seconds=round(wall, 2),
        rps=round(len(latencies) / wall, 1),
        p50_ms=round(statistics.median(latencies) * 1000, 2),
        p99_ms=round(cuts[98] * 1000, 2),
        statuses=statuses,
    )


def measure(
    port: int,
    scenarios: list[Scenario],
    headers: dict[str, str],
    *,
    threads: int,
    requests: int,
    seconds: float,
    warmup: int = 200,
    label: str = "",
) -> list[Result]:
    """Each scenario after a warm-up (connections, caches, each worker's plan cache); the first scenario
    is the bare endpoint the others are divided by."""
    results = []
    for scenario in scenarios:
        run_scenario(port, scenario, headers, threads=threads, requests=warmup, seconds=10)
        result = run_scenario(port, scenario, headers, threads=threads, requests=requests, seconds=seconds)
        results.append(result)
        print(
            f"  {label}{result.name:<18} p50 {result.p50_ms:8.2f} ms  p99 {result.p99_ms:8.2f} ms  "
            f"{result.rps:8.1f} req/s  {result.statuses}",
            flush=True,
        )
    ratios_set(results)
    return results


def ratios_set(results: list[Result]) -> None:
    bare = results[0]
    for result in results:
        result.p50_ratio = round(result.p50_ms / bare.p50_ms, 2)
        result.p99_ratio = round(result.p99_ms / bare.p99_ms, 2)
        result.rps_ratio = round(result.rps / bare.rps, 3)


# --- reporting ------------------------------------------------------------------------------------


def markdown_rows(results: list[Result], *, with_queries: bool = False) -> list[str]:
    extra_head, extra_rule = (" server CPU ms/req | queries |", "---:|---:|") if with_queries else ("", "")
    lines = [
        f"| scenario | requests | errors | req/s | p50 ms | p99 ms | p50 x bare | p99 x bare | req/s / bare |{extra_head}",
        f"|---|---:|---:|---:|---:|---:|---:|---:|---:|{extra_rule}",
    ]
    for r in results:
        cpu = "" if r.cpu_ms is None else r.cpu_ms
        extra = f" {cpu} | {'' if r.queries is None else r.queries} |" if with_queries else ""
        lines.append(
            f"| {r.name} ({r.note}) | {r.requests} | {r.errors} | {r.rps} | {r.p50_ms} | {r.p99_ms} | "
            f"{r.p50_ratio} | {r.p99_ratio} | {r.rps_ratio} |{extra}"
        )
    return lines


def console_table(title: str, results: list[Result], *, with_queries: bool = False) -> Any:
    from rich.table import Table

    table = Table(title=title)
    columns = ["scenario", "req/s", "p50 ms", "p99 ms", "p50 x bare", "p99 x bare", "req/s / bare", "errors"]
    if with_queries:
        columns += ["server CPU ms/req", "queries"]
    for column in columns:
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for r in results:
        row = [
            r.name, str(r.rps), str(r.p50_ms), str(r.p99_ms), str(r.p50_ratio), str(r.p99_ratio), str(r.rps_ratio),
            str(r.errors),
        ]
        if with_queries:
            row += ["" if r.cpu_ms is None else str(r.cpu_ms), "" if r.queries is None else str(r.queries)]
        table.add_row(*row)
    return table


def machine() -> dict[str, Any]:
    return {"python": sys.version.split()[0], "cpus": os.cpu_count()}


# --- wrk (the load generator: C, 16 connections, short runs) -------------------------------

WRK_SCRIPT = """
local tid = 0
local made = 0
function setup(thread)
  made = made + 1
  thread:set("tid", made)
end
local counter = 0
request = function()
  counter = counter + 1
  local body = nil
  %(body)s
  return wrk.format(%(method)s, %(path)s, nil, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"p50_us\\": %%d, \\"p99_us\\": %%d, "
    .. "\\"socket_errors\\": %%d, \\"status_errors\\": %%d}\\n",
    summary.requests, summary.duration, latency:percentile(50.0), latency:percentile(99.0),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def _lua(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrk_run(
    port: int, scenario: Scenario, *, seconds: float, connections: int, threads: int = 2
) -> dict[str, Any]:
    """One wrk run of ``scenario``; latency percentiles from wrk's own histogram."""
    import json
    import shutil
    import tempfile

    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk); or pass --driver python")
    headers = {"Accept": "application/json", **scenario.headers}
    body = f"body = {scenario.lua_body}" if scenario.lua_body else ""
    script = WRK_SCRIPT % {"body": body, "method": _lua(scenario.method), "path": _lua(scenario.path)}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
        script_path = handle.name
    command = [wrk, "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s", "--timeout", "10s",
               "-s", script_path]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{scenario.path}")
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    finally:
        os.unlink(script_path)
    line = next((row for row in done.stdout.splitlines() if row.startswith("WRK ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary: {done.stdout[-500:]} {done.stderr[-500:]}")
    return dict(json.loads(line[4:]))


def wrk_measure(
    port: int,
    scenarios: list[Scenario],
    *,
    seconds: float,
    connections: int,
    server_pid: int,
    label: str = "",
) -> list[Result]:
    """Each scenario after a 1 s warm-up; the first is the bare endpoint the others are divided by.
    Also the server's CPU time per request (every process of the server, from /proc)."""
    results = []
    for scenario in scenarios:
        wrk_run(port, scenario, seconds=1, connections=connections)
        cpu_before = process_tree_cpu_seconds(server_pid)
        summary = wrk_run(port, scenario, seconds=seconds, connections=connections)
        cpu = process_tree_cpu_seconds(server_pid) - cpu_before
        requests = int(summary["requests"])
        wall = summary["duration_us"] / 1e6
        expects_success = all(200 <= status < 400 for status in scenario.expect)
        errors = int(summary["socket_errors"]) + (int(summary["status_errors"]) if expects_success else 0)
        result = Result(
            name=scenario.name, path=scenario.path, note=scenario.note, method=scenario.method,
            requests=requests, errors=errors, seconds=round(wall, 2), rps=round(requests / wall, 1),
            p50_ms=round(summary["p50_us"] / 1000, 2), p99_ms=round(summary["p99_us"] / 1000, 2),
            cpu_ms=round(cpu * 1000 / max(1, requests), 3),
        )
        results.append(result)
        print(
            f"  {label}{result.name:<22} p50 {result.p50_ms:8.2f} ms  p99 {result.p99_ms:8.2f} ms  "
            f"{result.rps:8.1f} req/s  cpu {result.cpu_ms:6.2f} ms/req  errors {errors}",
            flush=True,
        )
    ratios_set(results)
    return results


# --- the server's processes (/proc) ----------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def process_tree(pid: int) -> list[int]:
    tree, found, todo = _children(), [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(tree.get(current, []))
    return found


def process_tree_cpu_seconds(pid: int) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / ticks


def worker_rss_mib(pid: int) -> list[float]:
    """Resident memory of each worker process of the granian server started by ``pid`` (MiB)."""
    tree = _children()
    main = next((member for member in process_tree(pid) if "granian" in _cmdline(member)), None)
    sizes = []
    for worker in tree.get(main, []) if main is not None else []:
        try:
            status = Path(f"/proc/{worker}/status").read_text()
        except OSError:
            continue
        rss = next((line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")), "0")
        sizes.append(round(int(rss) / 1024, 1))
    return sorted(sizes, reverse=True)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
