"""Races on one workspace: two binds to two accounts end with one winner and a clean 409; two
registrations of one new id create it once.

Runs against PostgreSQL (``.ci/run`` runs the suite there): SQLite serializes every writer on the
whole database, so the row lock under test does not exist there.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from billing_center.workspaces.models import Workspace, WorkspaceHistory
from billing_center.workspaces.services import binding, register
from tests.outbox import latest_code
from tests.platform.conftest import ConsoleClient

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL-only concurrency test: SQLite has no row locks (run with DATABASE_URL=postgres://…)",
    ),
]


def _bind_in_thread(body: dict, barrier: threading.Barrier, results: dict, ip: str) -> None:
    from django.db import connections

    try:
        console = ConsoleClient(ip=ip)
        barrier.wait(timeout=10)
        response = console.post("/ws-race/binding", body)
        results[body["username"]] = (response.status_code, response.json())
    finally:
        connections.close_all()


def test_two_concurrent_binds_end_with_one_winner_and_a_clean_409(console, holder, other_holder, monkeypatch):
    # given a workspace and a valid code for each of two accounts
    assert console.register("ws-race").status_code == 201
    bodies = []
    for account in (holder, other_holder):
        body = {"username": account.username, "email": account.email}
        assert console.post("/ws-race/binding-code", body).status_code == 202
        bodies.append({**body, "code": latest_code(account.email)})
    # and the bind holds the row a little while, so both requests are inside it at once
    real_locked = binding._locked

    def slow_locked(workspace_id: str) -> Workspace:
        workspace = real_locked(workspace_id)
        time.sleep(0.3)
        return workspace

    monkeypatch.setattr(binding, "_locked", slow_locked)
    # when both binds run at the same moment
    barrier = threading.Barrier(2)
    results: dict[str, tuple[int, dict]] = {}
    threads = [
        threading.Thread(target=_bind_in_thread, args=(body, barrier, results, f"198.51.100.{n}"))
        for n, body in enumerate(bodies, start=1)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then exactly one won and the other got a clean 409 workspace_bound
    statuses = sorted(status for status, _body in results.values())
    assert statuses == [200, 409], results
    winner = next(name for name, (status, _body) in results.items() if status == 200)
    loser_body = next(body for status, body in results.values() if status == 409)
    assert loser_body["code"] == "workspace_bound"
    assert loser_body["status"] == 409
    # and the stored state is the winner's, with a single "bound" history row
    workspace = Workspace.objects.select_related("account").get(pk="ws-race")
    assert workspace.account.username == winner
    assert WorkspaceHistory.objects.filter(workspace=workspace, change="bound").count() == 1


def _put_in_thread(name: str, barrier: threading.Barrier, results: dict) -> None:
    from django.db import connections

    try:
        console = ConsoleClient()
        barrier.wait(timeout=10)
        response = console.register("ws-new", name=name)
        results[name] = response.status_code
    finally:
        connections.close_all()


def test_two_concurrent_registrations_of_one_new_id_create_it_once(console, monkeypatch):
    # given both PUTs look the id up before either has inserted it
    real_lookup = register._locked_or_none

    def slow_lookup(workspace_id: str) -> Workspace | None:
        found = real_lookup(workspace_id)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(register, "_locked_or_none", slow_lookup)
    barrier = threading.Barrier(2)
    results: dict[str, int] = {}
    threads = [threading.Thread(target=_put_in_thread, args=(name, barrier, results)) for name in ("First", "Second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then one created it (201) and the other updated it (200), never a 5xx
    assert sorted(results.values()) == [200, 201], results
    assert Workspace.objects.filter(pk="ws-new").count() == 1
    assert WorkspaceHistory.objects.filter(workspace_id="ws-new", change="registered").count() == 1
