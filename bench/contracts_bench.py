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
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from common import (
    RESULTS,
    ROOT,
    Result,
    Scenario,
    base_environment,
    console_table,
    database_name,
    drop_database,
    free_port,
    holder_session_cookie,
    machine,
    markdown_rows,
    measure,
    recreate_database,
    server_start,
    server_stop,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bc_bench"


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


def main() -> int:
    args = parse_args()
    url = args.database_url
    database_name(url)
    data_dir = Path(tempfile.mkdtemp(prefix="bc-bench-"))
    env = {"DATABASE_URL": url, **base_environment(data_dir)}
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "billing_center.settings")
    sys.path.insert(0, str(ROOT / "src"))
    fresh = recreate_database(url, reuse=args.reuse)
    server = None
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
        server = server_start(port, workers=args.workers, env={**os.environ, **env})
        results = measure(
            port,
            scenarios,
            {"Cookie": context["cookie"]},
            threads=args.threads,
            requests=args.requests,
            seconds=args.seconds,
        )
        report(args, results, context, load_seconds=load_seconds)
        return 1 if any(result.errors for result in results) else 0
    finally:
        server_stop(server)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(url)
        shutil.rmtree(data_dir, ignore_errors=True)


def prepare(args: argparse.Namespace) -> tuple[list[Scenario], dict[str, Any]]:
    """A logged-in session for the demo account, a deep cursor, and the scenarios with their SQL plans."""
    from billing_center.accounts.models import Account
    from billing_center.contracts.models import Contract, StaffStatus
    from billing_center.contracts.selectors import ContractFilters, contracts_for_holder
    from billing_center.core.pagination import _encode

    account = Account.objects.get(username__iexact="demo")
    cookie = holder_session_cookie(account)

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
        **machine(),
    }
    (RESULTS / f"contracts-{stamp}.json").write_text(
        json.dumps({"meta": meta, "results": [asdict(r) for r in results], "plans": context["plans"]}, indent=2)
    )
    lines = markdown_rows(results)
    plans = "\n\n".join(f"### {name}\n\n```\n{plan}\n```" for name, plan in context["plans"].items())
    (RESULTS / f"contracts-{stamp}.md").write_text(
        f"# Contracts benchmark {stamp}\n\n{json.dumps(meta)}\n\n" + "\n".join(lines) + "\n\n## Plans\n\n" + plans + "\n"
    )
    title = f"Contract list at {context['total']:,} visible contracts ({args.threads} threads)"
    console = Console(width=150)
    console.print(console_table(title, results))
    console.print(f"load: {meta['load_seconds']} s; results in {RESULTS}/contracts-{stamp}.{{json,md}}")


if __name__ == "__main__":
    raise SystemExit(main())
