"""Two accounts racing to link one subscription: exactly one link, the other gets the one 422.

PostgreSQL only (``DATABASE_URL=postgres://…``): SQLite serializes every writer, so the row lock under
test does not exist there.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from billing_center.cloud import linking
from billing_center.cloud.models import CloudAccount
from tests.cloud.factories import CloudAccountFactory
from tests.cloud.holder import logged_in, post_json
from tests.factories import AccountFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL-only concurrency test: SQLite has no row locks (run with DATABASE_URL=postgres://…)",
    ),
]


def test_two_accounts_racing_for_one_subscription_end_with_one_link(monkeypatch):
    # given one active subscription, two re-authenticated holders
    recorded = CloudAccountFactory(vendor_account_id="111", instance_id="i-race")
    holders = [AccountFactory(username=name, email=f"{name}@example.com") for name in ("alice", "bob")]
    clients = [logged_in(account, ip=f"198.51.100.{n}") for n, account in enumerate(holders, start=1)]
    # and the link holds the row a moment, so both requests are inside it at once
    real = linking._link_locked

    def slow(*args, **kwargs):
        time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(linking, "_link_locked", slow)
    barrier = threading.Barrier(2)
    results: dict[str, tuple[int, dict]] = {}

    def link(name: str, client) -> None:
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            response = post_json(
                client, "/api/v1/cloud-accounts/link", {"vendor": "aliyun", "account_id": "111", "instance_id": "i-race"}
            )
            results[name] = (response.status_code, response.json())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=link, args=(a.username, c)) for a, c in zip(holders, clients, strict=True)]
    # when both link at the same moment
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then exactly one linked it and the other got the one answer
    statuses = sorted(status for status, _body in results.values())
    assert statuses == [201, 422], results
    loser = next(body for status, body in results.values() if status == 422)
    assert loser["code"] == "cloud_account_not_found"
    winner = next(name for name, (status, _body) in results.items() if status == 201)
    assert CloudAccount.objects.get(pk=recorded.pk).account.username == winner
