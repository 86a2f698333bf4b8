"""Racing settlement changes on one workspace: exactly one change, the others get a clean 422.

PostgreSQL only (``DATABASE_URL=postgres://…``): SQLite serializes every writer, so the row lock under
test does not exist there.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from billing_center.cloud import settlement
from billing_center.workspaces.models import Workspace, WorkspaceHistory
from tests.cloud.factories import CloudAccountFactory
from tests.cloud.holder import logged_in, post_json
from tests.factories import AccountFactory
from tests.workspaces.factories import BoundWorkspaceFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL-only concurrency test: SQLite has no row locks (run with DATABASE_URL=postgres://…)",
    ),
]


def test_racing_changes_on_one_workspace_make_exactly_one_change(monkeypatch):
    # given one workspace and two active cloud accounts of its holder
    alice = AccountFactory(username="alice", email="alice@example.com")
    clouds = [CloudAccountFactory(account=alice, linked_at=timezone.now()) for _n in range(2)]
    BoundWorkspaceFactory(id="ws-race", account=alice, site="cn1")
    clients = [logged_in(alice, ip=f"198.51.100.{n}") for n in (1, 2)]
    # and the judgement takes a moment, so both requests are inside it at once
    real = settlement._judge

    def slow(**kwargs):
        time.sleep(0.3)
        return real(**kwargs)

    monkeypatch.setattr(settlement, "_judge", slow)
    barrier = threading.Barrier(2)
    results: list[tuple[int, dict]] = []

    def change(client, cloud_id: int) -> None:
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            response = post_json(
                client, "/api/v1/workspaces/ws-race/settlement", {"method": "cloud", "cloud_account_id": cloud_id}
            )
            results.append((response.status_code, response.json()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=change, args=(c, cloud.pk)) for c, cloud in zip(clients, clouds, strict=True)]
    # when both change it at the same moment
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then one change was made; the other was judged after it and refused (locked in)
    assert sorted(status for status, _body in results) == [200, 422], results
    loser = next(body for status, body in results if status == 422)
    assert loser["code"] == "cloud_settlement_locked_in"
    assert WorkspaceHistory.objects.filter(workspace_id="ws-race", change="settlement").count() == 1
    assert Workspace.objects.get(pk="ws-race").cloud_account_id in {cloud.pk for cloud in clouds}
