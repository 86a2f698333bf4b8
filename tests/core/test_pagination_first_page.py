"""``first_page_desc`` (hand-written first page) is ``paginate_desc``'s first page: rows, values, cursor."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from billing_center.audit.models import AuditEvent
from billing_center.audit.selectors import security_events_for_account
from billing_center.core.pagination import first_page_desc, first_page_values_desc, paginate_desc
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

KEYS = ("created_at", "id")


def _events(account, count: int) -> None:
    now = timezone.now()
    names = ["login.succeeded", "login.failed", "delivery.sent", "password.changed"]
    created = AuditEvent.objects.bulk_create(
        AuditEvent(event=names[i % len(names)], account=account, ip="203.0.113.9" if i % 2 else None,
                   user_agent=f"UA {i}", new={"n": i}, detail={"é": [i, None]})
        for i in range(count)
    )
    for i, row in enumerate(created):
        # pairs of rows share a timestamp: the id breaks the tie
        AuditEvent.objects.filter(pk=row.pk).update(created_at=now - dt.timedelta(minutes=i // 2))


@pytest.mark.parametrize("limit", [None, 1, 3, 20, 100])
def test_the_first_page_equals_the_orm_pages_first_page(limit):
    # given an account with events (some sharing a timestamp) and another account's
    account, other = AccountFactory(), AccountFactory()
    _events(account, 45)
    _events(other, 5)
    names = ["login.failed", "login.succeeded", "password.changed"]
    # when the first page is read by hand and through the ORM
    by_hand = first_page_desc(AuditEvent, [("event", "in", names), ("account", "=", account)], keys=KEYS, limit=limit)
    by_orm = paginate_desc(AuditEvent.objects.filter(event__in=names, account=account), keys=KEYS, cursor=None,
                           limit=limit)
    # then the same rows in the same order, the same values, the same next cursor
    assert [row.pk for row in by_hand.items] == [row.pk for row in by_orm.items]
    for hand, orm in zip(by_hand.items, by_orm.items, strict=True):
        for field in AuditEvent._meta.concrete_fields:
            assert (getattr(hand, field.attname), type(getattr(hand, field.attname))) == (
                getattr(orm, field.attname), type(getattr(orm, field.attname))), field.name
    assert by_hand.next_cursor == by_orm.next_cursor


def test_the_security_log_walks_every_visible_event_once_from_the_hand_written_first_page():
    account = AccountFactory()
    _events(account, 45)
    seen, cursor = [], None
    while True:
        page = security_events_for_account(account=account, cursor=cursor, limit=7)
        seen += [row.pk for row in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    visible = AuditEvent.objects.filter(account=account).exclude(event="delivery.sent").order_by("-created_at", "-id")
    assert seen == [row.pk for row in visible]


def test_an_empty_in_list_reads_nothing(django_assert_num_queries):
    account = AccountFactory()
    _events(account, 3)
    with django_assert_num_queries(0):
        page = first_page_desc(AuditEvent, [("event", "in", []), ("account", "=", account)], keys=KEYS, limit=5)
    assert page.items == [] and page.next_cursor is None


def test_a_first_page_with_a_joined_foreign_key_equals_select_related():
    # given workspaces of a holder, some settled by a cloud account, some not, and another holder's
    from billing_center.workspaces.models import Workspace
    from tests.cloud.factories import CloudAccountFactory
    from tests.workspaces.conftest import many_workspaces
    from tests.workspaces.factories import BoundWorkspaceFactory

    holder, other = AccountFactory(), AccountFactory()
    cloud = CloudAccountFactory(account=holder, linked_at=timezone.now())
    many_workspaces(holder, 7)
    for n in range(3):
        BoundWorkspaceFactory(id=f"ws-cloud-{n}", account=holder, settlement_method="cloud", cloud_account=cloud)
    many_workspaces(other, 2)
    for limit in (4, 20):
        # when the first page is read by hand (LEFT OUTER JOIN) and through select_related
        by_hand = first_page_desc(Workspace, [("account", "=", holder)], keys=KEYS, limit=limit,
                                  related=("cloud_account",))
        by_orm = paginate_desc(Workspace.objects.filter(account=holder).select_related("cloud_account"), keys=KEYS,
                               cursor=None, limit=limit)
        # then the same rows, values, cursor, and the same related rows already attached (no query)
        assert [row.pk for row in by_hand.items] == [row.pk for row in by_orm.items]
        assert by_hand.next_cursor == by_orm.next_cursor
        for hand, orm in zip(by_hand.items, by_orm.items, strict=True):
            for field in Workspace._meta.concrete_fields:
                assert getattr(hand, field.attname) == getattr(orm, field.attname), field.name
            assert Workspace.cloud_account.is_cached(hand)
            if orm.cloud_account is None:
                assert hand.cloud_account is None
            else:
                for field in type(orm.cloud_account)._meta.concrete_fields:
                    pair = getattr(hand.cloud_account, field.attname), getattr(orm.cloud_account, field.attname)
                    assert (pair[0], type(pair[0])) == (pair[1], type(pair[1])), field.name


FIELDS = ("id", "event", "created_at", "ip", "user_agent", "old", "new", "detail")


@pytest.mark.parametrize("limit", [None, 1, 3, 20, 100])
def test_the_values_first_page_equals_the_orm_pages_first_page_as_values_list(limit):
    # given an account with events (some sharing a timestamp, some without an IP) and another account's
    account, other = AccountFactory(), AccountFactory()
    _events(account, 45)
    _events(other, 5)
    names = ("login.failed", "login.succeeded", "password.changed")  # a tuple: prepared once (rawread)
    # when the first page is read by hand as tuples and through the ORM
    by_hand = first_page_values_desc(AuditEvent, FIELDS, [("event", "in", names), ("account", "=", account)],
                                     keys=KEYS, limit=limit)
    queryset = AuditEvent.objects.filter(event__in=names, account=account)
    by_orm = paginate_desc(queryset, keys=KEYS, cursor=None, limit=limit)
    orm_values = {row[0]: row for row in queryset.values_list(*FIELDS)}
    # then the same rows in the same order, each the ORM's values_list tuple (value and type), the same cursor
    assert [row[0] for row in by_hand.items] == [row.pk for row in by_orm.items]
    for hand in by_hand.items:
        assert [(value, type(value)) for value in hand] == [(value, type(value)) for value in orm_values[hand[0]]]
    assert by_hand.next_cursor == by_orm.next_cursor


def test_the_values_security_log_walks_the_same_pages_as_the_instance_one():
    from billing_center.audit.selectors import security_event_values_for_account

    account = AccountFactory()
    _events(account, 45)
    cursor = None
    while True:
        # when each page is read as tuples and as instances (the first hand-written, the rest via the ORM)
        values = security_event_values_for_account(account=account, fields=FIELDS, cursor=cursor, limit=7)
        rows = security_events_for_account(account=account, cursor=cursor, limit=7)
        # then the same rows, values and next cursor
        assert values.items == [tuple(getattr(row, name) for name in FIELDS) for row in rows.items]
        assert values.next_cursor == rows.next_cursor
        cursor = rows.next_cursor
        if cursor is None:
            break


def test_an_empty_in_list_reads_no_values(django_assert_num_queries):
    account = AccountFactory()
    _events(account, 3)
    with django_assert_num_queries(0):
        page = first_page_values_desc(AuditEvent, FIELDS, [("event", "in", []), ("account", "=", account)],
                                      keys=KEYS, limit=5)
    assert page.items == [] and page.next_cursor is None
