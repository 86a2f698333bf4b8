from __future__ import annotations

import pytest
from django.test import Client

from tests.accounts.two_factor_support import pass_second_factor
from tests.factories import AccountFactory


@pytest.fixture
def holder(db):
    return AccountFactory(username="alice", email="alice@example.com")


@pytest.fixture
def other_holder(db):
    return AccountFactory(username="bob", email="bob@example.com")


@pytest.fixture
def holder_client(holder) -> Client:
    client = Client()
    client.force_login(holder)
    return client


@pytest.fixture
def operator(db):
    return AccountFactory(username="operator1", is_staff=True, is_superuser=True)


@pytest.fixture
def operator_client(operator) -> Client:
    client = Client()
    client.force_login(operator)
    return pass_second_factor(client, operator)  # the back office needs two-factor


def many_workspaces(account, count: int, **fields) -> None:
    """``count`` workspaces of ``account`` in one insert (with varied sites and states)."""
    from django.utils import timezone

    from billing_center.workspaces.models import Workspace

    now = timezone.now()
    sites = ["cn1", "us1", "eu1", "cn4"]
    Workspace.objects.bulk_create(
        [
            Workspace(
                id=f"bulk-{account.pk}-{n:05d}",
                name=f"Bulk {n}",
                site=sites[n % len(sites)],
                account=account,
                bound_at=now,
                lock_state="locked" if n % 7 == 0 else "active",
                lock_reason="Unpaid" if n % 7 == 0 else "",
                **fields,
            )
            for n in range(count)
        ]
    )


@pytest.fixture(autouse=True)
def _language_reset():
    """Requests in Chinese leave their language active in this thread: do not leak it to later tests."""
    from django.utils import translation

    yield
    translation.deactivate()
