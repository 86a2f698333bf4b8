"""The per-request session path: the hand-written reads of the session row and the account are the
ORM's reads, cost a pinned number of queries, and every ending rule holds on the next request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from billing_center.accounts.models import AccountSession
from billing_center.accounts.services.password import password_change
from billing_center.accounts.session_store import session_account_take
from billing_center.audit.services import RequestMeta
from billing_center.core.rawread import row_by_pk
from tests.factories import DEFAULT_PASSWORD, AccountFactory

pytestmark = pytest.mark.django_db

META = RequestMeta(ip="198.51.100.9", user_agent="pytest")
NEW_PASSWORD = "a brand new passphrase 42"


def _logged_in(client, account):
    client.force_login(account, backend="billing_center.accounts.backends.IdentifierBackend")
    return client


def test_the_hand_written_account_read_equals_the_orm_read():
    # given an account with every kind of column set (text, NULL, booleans, integers, datetimes)
    account = AccountFactory(phone="+8613800138000", is_staff=True, failed_login_streak=3, language="zh-hans")
    Account = get_user_model()
    # when it is read by hand and by the ORM
    by_hand = row_by_pk(Account, str(account.pk))
    by_orm = Account.objects.get(pk=account.pk)
    # then every concrete field has the same value and type, and the instance is a saved one
    assert by_hand is not None
    for field in Account._meta.concrete_fields:
        hand, orm = getattr(by_hand, field.attname), getattr(by_orm, field.attname)
        assert (hand, type(hand)) == (orm, type(orm)), field.name
    assert by_hand.created_at.tzinfo is not None
    assert by_hand._state.adding is False
    assert by_hand.get_session_auth_hash() == by_orm.get_session_auth_hash()


@pytest.mark.parametrize("pk", ["999999", "not-a-number", "", None, "99999999999999999999", "-99999999999999999999"])
def test_the_hand_written_read_of_a_missing_or_malformed_key_is_none(pk):
    # given no such account / when it is read by hand / then there is none (and no error)
    assert row_by_pk(get_user_model(), pk) is None


def _session_of(client):
    from billing_center.accounts.session_store import SessionStore

    return SessionStore(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_the_account_the_session_read_brings_equals_the_orm_read(client):
    # given a logged-in account with every kind of column set
    account = AccountFactory(phone="+8613800138000", is_staff=True, failed_login_streak=3, language="zh-hans")
    _logged_in(client, account)
    # when its session is read (one SELECT joining the account)
    store = _session_of(client)
    assert store.load()["_auth_user_id"] == str(account.pk)
    brought = session_account_take(account.pk)
    # then the account it brought is the ORM's row, field by field
    by_orm = get_user_model().objects.get(pk=account.pk)
    assert brought is not None and brought._state.adding is False
    for field in get_user_model()._meta.concrete_fields:
        hand, orm = getattr(brought, field.attname), getattr(by_orm, field.attname)
        assert (hand, type(hand)) == (orm, type(orm)), field.name
    assert brought.get_session_auth_hash() == by_orm.get_session_auth_hash()


def test_the_brought_account_is_taken_once_only_by_its_own_id_and_never_past_the_request(client):
    # given a logged-in account and another one
    account, other = AccountFactory(), AccountFactory()
    _logged_in(client, account)
    # when its session is read, then only its own id takes the account, and only once
    _session_of(client).load()
    assert session_account_take(other.pk) is None
    _session_of(client).load()
    assert session_account_take(account.pk) == account
    assert session_account_take(account.pk) is None
    # and a session read whose request then ends (here: any request through the test client, which
    # sends request_finished; a probe reads no session of its own) leaves nothing behind
    _session_of(client).load()
    assert client.get("/healthz").status_code == 200
    assert session_account_take(account.pk) is None
    # and an ended (missing) session brings no account
    _session_of(client).load()
    AccountSession.objects.all().delete()
    assert _session_of(client).load() == {}
    assert session_account_take(account.pk) is None


def test_a_disabled_account_is_refused_even_though_the_session_read_brought_it(client):
    # given a logged-in holder whose account an operator then disables
    account = AccountFactory()
    _logged_in(client, account)
    assert client.get("/api/v1/account/me").status_code == 200
    type(account).objects.filter(pk=account.pk).update(is_active=False)
    # when the next request reads the session (and the disabled account with it)
    # then it is refused
    assert client.get("/api/v1/account/me").status_code == 401


def test_an_authenticated_api_read_costs_one_query(client, django_assert_num_queries):
    # given a logged-in holder (one request already made, so "last seen" is fresh)
    account = AccountFactory()
    _logged_in(client, account)
    # when the profile is read / then it costs one query: the session row with its account (joined)
    with django_assert_num_queries(1):
        response = client.get("/api/v1/account/profile")
    assert response.status_code == 200
    assert response.json()["username"] == account.username
    with django_assert_num_queries(1):
        assert client.get("/api/v1/account/me").status_code == 200


def test_probes_with_a_session_cookie_read_neither_row(client, django_assert_num_queries):
    # given a logged-in holder whose browser also calls the liveness probe
    _logged_in(client, AccountFactory())
    # when /healthz is called with the cookie / then neither the session nor the account is read
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert "bc_session" not in response.cookies


def test_an_ended_session_is_refused_on_its_next_request(client):
    # given a logged-in holder
    account = AccountFactory()
    _logged_in(client, account)
    assert client.get("/api/v1/account/me").status_code == 200
    # when the session row is deleted (ended from elsewhere)
    AccountSession.objects.filter(account=account).delete()
    # then the next request is refused
    assert client.get("/api/v1/account/me").status_code == 401


def test_an_expired_session_row_is_refused(client):
    # given a logged-in holder whose session row has passed its expiry date
    account = AccountFactory()
    _logged_in(client, account)
    AccountSession.objects.filter(account=account).update(expire_date=timezone.now() - timedelta(seconds=1))
    # when the next request comes / then it is refused
    assert client.get("/api/v1/account/me").status_code == 401


def test_a_disabled_account_is_refused_at_once(client):
    # given a logged-in holder
    account = AccountFactory()
    _logged_in(client, account)
    assert client.get("/api/v1/account/me").status_code == 200
    # when an operator disables the account
    get_user_model().objects.filter(pk=account.pk).update(is_active=False)
    # then the very next request is refused
    assert client.get("/api/v1/account/me").status_code == 401


def test_a_password_change_refuses_the_other_sessions_at_once(client, django_user_model):
    # given the holder signed in on two browsers
    from django.test import Client

    account = AccountFactory()
    other = _logged_in(Client(), account)
    _logged_in(client, account)
    keep = client.session.session_key
    # when the password is changed from the first one
    password_change(
        account=account, current_password=DEFAULT_PASSWORD, new_password=NEW_PASSWORD, keep_session_key=keep,
        meta=META,
    )
    # then the other browser's next request is refused
    assert other.get("/api/v1/account/me").status_code == 401


def test_a_changed_password_hash_alone_refuses_a_surviving_session_row(client):
    # given a logged-in holder whose session row survives a password change made outside the service
    account = AccountFactory()
    _logged_in(client, account)
    account.set_password(NEW_PASSWORD)
    account.save(update_fields=["password"])
    # when the next request comes / then the session hash no longer matches and it is refused
    assert client.get("/api/v1/account/me").status_code == 401
