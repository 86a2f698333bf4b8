"""The sessions list (``selectors.settings.sessions_for_account``, one hand-written SELECT of five
columns) lists the same live sessions, in the same order, with the same values as the ORM query."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from billing_center.accounts.models import AccountSession
from billing_center.accounts.selectors.settings import (
    SessionRow,
    device_label,
    session_public_id,
    sessions_for_account,
)
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _session(account, key: str, *, expires_in: timedelta, seen_ago: timedelta, ip: str | None, agent: str) -> None:
    now = timezone.now()
    AccountSession.objects.create(
        session_key=key, session_data="x", expire_date=now + expires_in, account=account, ip=ip, user_agent=agent,
        created_at=now - timedelta(days=2), last_seen_at=now - seen_ago,
    )


def _by_orm(account, current: str | None) -> list[SessionRow]:
    """What the list was before the hand-written read: the ORM query, row by row."""
    rows = AccountSession.objects.filter(account=account, expire_date__gt=timezone.now()).order_by(
        "-last_seen_at", "session_key"
    )
    return [
        SessionRow(
            id=session_public_id(row.session_key), device=device_label(row.user_agent), ip=row.ip or "",
            created_at=row.created_at, last_seen_at=row.last_seen_at, is_current=row.session_key == current,
        )
        for row in rows
    ]


def test_the_same_live_sessions_in_the_same_order_with_the_same_values():
    # given live sessions (two seen at the same moment: the key breaks the tie; one without an IP),
    # an expired one, and another account's
    holder, other = AccountFactory(), AccountFactory()
    chrome = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36"
    _session(holder, "k" * 32, expires_in=timedelta(days=1), seen_ago=timedelta(minutes=5), ip="203.0.113.7",
             agent=chrome)
    _session(holder, "b" * 32, expires_in=timedelta(days=1), seen_ago=timedelta(minutes=5), ip=None, agent="")
    _session(holder, "z" * 32, expires_in=timedelta(hours=1), seen_ago=timedelta(seconds=1), ip="2001:db8::1",
             agent="curl/8.0")
    _session(holder, "e" * 32, expires_in=-timedelta(seconds=1), seen_ago=timedelta(0), ip="203.0.113.8",
             agent=chrome)
    _session(other, "o" * 32, expires_in=timedelta(days=1), seen_ago=timedelta(0), ip="203.0.113.9", agent=chrome)
    for current in ("z" * 32, "b" * 32, None):
        # when the list is read
        rows = sessions_for_account(account=holder, current_session_key=current)
        # then it is the ORM's list, value and type
        expected = _by_orm(holder, current)
        assert rows == expected
        assert [[type(value) for value in vars(row).values()] for row in rows] == [
            [type(value) for value in vars(row).values()] for row in expected
        ]
    assert [row.ip for row in rows] == ["2001:db8::1", "", "203.0.113.7"]
