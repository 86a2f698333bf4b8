"""``rawread.first_where`` reads the same row, with the same values, as the ORM query it replaces."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing_center.core.rawread import first_where
from billing_center.verification.models import OneTimeCode
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _code(**fields) -> OneTimeCode:
    values = {
        "purpose": "login", "channel": "email", "target": "a@example.com", "flow": "", "code_hmac": "0" * 64,
        "expires_at": timezone.now() + dt.timedelta(minutes=10), **fields,
    }
    return OneTimeCode.objects.create(**values)


def _orm(now, account=None, **where):
    queryset = OneTimeCode.objects.filter(
        used_at__isnull=True, voided_at__isnull=True, expires_at__gt=now, **where
    ).order_by("-created_at", "-id")
    if account is not None:
        queryset = queryset.filter(account=account)
    return queryset.first()


def _hand(now, account=None, **where):
    conditions = [(name, "=", value) for name, value in where.items()]
    conditions += [("used_at", "is null", None), ("voided_at", "is null", None), ("expires_at", ">", now)]
    if account is not None:
        conditions.append(("account", "=", account))
    return first_where(OneTimeCode, conditions, order_by=("-created_at", "-id"), for_update=True)


def test_the_same_row_and_values_as_the_orm_in_every_case():
    # given codes that are used, voided, expired, of another flow or account, and two live ones
    holder, other = AccountFactory(), AccountFactory()
    now = timezone.now()
    _code(used_at=now)
    _code(voided_at=now)
    _code(expires_at=now - dt.timedelta(seconds=1), created_at=now - dt.timedelta(minutes=10))
    _code(flow="other")
    _code(account=other, created_at=now - dt.timedelta(minutes=1), flow="other")
    older = _code(account=holder, created_at=now - dt.timedelta(minutes=5), attempts=2)
    newest_anonymous = _code(created_at=now - dt.timedelta(minutes=2), is_decoy=True)
    cases = [
        {"purpose": "login", "target": "a@example.com", "flow": ""},
        {"purpose": "login", "target": "a@example.com", "flow": "", "account": holder},
        {"purpose": "login", "target": "a@example.com", "flow": "other"},
        {"purpose": "signup", "target": "a@example.com", "flow": ""},
        {"purpose": "login", "target": "nobody@example.com", "flow": ""},
    ]
    found = []
    for case in cases:
        # when read both ways (inside a transaction, as the code check reads it)
        with transaction.atomic():
            by_orm, by_hand = _orm(now, **case), _hand(now, **case)
        # then the same row, every concrete field equal in value and type, a saved instance
        assert (by_hand and by_hand.pk) == (by_orm and by_orm.pk), case
        if by_orm is not None:
            for field in OneTimeCode._meta.concrete_fields:
                hand, orm = getattr(by_hand, field.attname), getattr(by_orm, field.attname)
                assert (hand, type(hand)) == (orm, type(orm)), field.name
            assert by_hand._state.adding is False
        found.append(by_orm and by_orm.pk)
    # (the cases found different rows, and none: the comparison covered each branch)
    assert older.pk in found and newest_anonymous.pk in found and None in found


def test_it_locks_the_row_where_the_database_can():
    _code()
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        _hand(timezone.now(), purpose="login", target="a@example.com", flow="")
    sql = captured.captured_queries[-1]["sql"]
    assert sql.endswith("LIMIT 1 FOR UPDATE") == bool(connection.features.has_select_for_update)


@pytest.mark.parametrize("email", ["Mixed.Case@Example.com", "mixed.case@example.com", "nobody@example.com"])
def test_lower_equals_is_the_lower_exact_lookup(email):
    from django.contrib.auth import get_user_model

    Account = get_user_model()
    AccountFactory(email="mixed.case@example.com")
    AccountFactory(email="other@example.com")
    by_orm = Account.objects.filter(email__lower_exact=email).first()
    by_hand = first_where(Account, [("email", "lower =", email)], order_by=("-created_at", "-id"))
    assert (by_hand and by_hand.pk) == (by_orm and by_orm.pk)
    if by_orm is not None:
        for field in Account._meta.concrete_fields:
            hand, orm = getattr(by_hand, field.attname), getattr(by_orm, field.attname)
            assert (hand, type(hand)) == (orm, type(orm)), field.name


def test_values_where_is_values_list_with_the_same_values_and_types():
    from billing_center.core.rawread import values_where

    # given codes of two accounts, with NULL and non-NULL values
    holder, other = AccountFactory(), AccountFactory()
    now = timezone.now()
    for minutes in range(4):
        _code(account=holder, created_at=now - dt.timedelta(minutes=minutes), used_at=now if minutes % 2 else None)
    _code(account=other)
    fields = ("id", "created_at", "used_at", "attempts", "is_decoy", "account")
    for limit in (None, 2):
        # when read as tuples by hand and through values_list
        by_hand = values_where(OneTimeCode, fields, [("account", "=", holder), ("expires_at", ">", now)],
                               order_by=("-created_at", "id"), limit=limit)
        queryset = OneTimeCode.objects.filter(account=holder, expires_at__gt=now).order_by("-created_at", "id")
        by_orm = list(queryset.values_list(*fields)[:limit] if limit else queryset.values_list(*fields))
        # then the same tuples, value and type
        assert [[(v, type(v)) for v in row] for row in by_hand] == [[(v, type(v)) for v in row] for row in by_orm]
    assert len(by_orm) == 2


@pytest.mark.parametrize(
    "texts",
    [
        ['{"a": [1, 2.5, null]}', "{}", '"é \\u00e9"', "null", "true", "12345678901234567890"],
        ['{"a": 1}', None, "{}"],  # a NULL
        ['{"a": 1}', "[1, 2]", "[3"],  # one value short
        ['{"a": 1}', "not json", "{}"],  # from_db_value hands undecodable text back as it is
    ],
)
def test_json_columns_decoded_a_page_at_a_time_equal_from_db_value_on_each(texts):
    from billing_center.audit.models import AuditEvent
    from billing_center.core.rawread import _json_decoded

    field = AuditEvent._meta.get_field("detail")
    rows = [[index, text] for index, text in enumerate(texts)]
    _json_decoded(rows, [(1, field)], connection)
    expected = [field.from_db_value(text, field.get_col(AuditEvent._meta.db_table), connection) for text in texts]
    assert [row[1] for row in rows] == expected
    assert [row[0] for row in rows] == list(range(len(texts)))
