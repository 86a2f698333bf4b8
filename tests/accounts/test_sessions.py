"""Session helpers (accounts/sessions.py): login stamps, re-auth freshness; ending sessions
(accounts/services/sessions.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import Client, RequestFactory
from django.utils import timezone

from billing_center.accounts import sessions
from billing_center.accounts.models import AccountSession
from billing_center.accounts.services import session_end, sessions_end_others
from billing_center.audit.models import AuditEvent
from billing_center.audit.services import RequestMeta
from billing_center.core.errors import NotFound
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _request(ip: str = "203.0.113.5", user_agent: str = "Safari/17 test"):
    request = RequestFactory().post("/login", REMOTE_ADDR=ip, HTTP_USER_AGENT=user_agent)
    request.client_ip = ip
    SessionMiddleware(lambda r: None).process_request(request)
    return request


def test_session_login_stamps_the_session_and_stores_the_device():
    # given a request from a device / when an account is logged in on it
    account = AccountFactory()
    request = _request()
    with time_machine.travel(timezone.now(), tick=False):
        sessions.session_login(request, account, method="password")
        request.session.save()
        now = timezone.now().timestamp()
    # then the session carries the lifetime stamps and the device, and its row names the account
    session = request.session
    assert session[sessions.AUTH_AT] == session[sessions.REAUTH_AT] == session[sessions.SEEN_AT] == now
    assert (session[sessions.IP], session[sessions.USER_AGENT]) == ("203.0.113.5", "Safari/17 test")
    row = AccountSession.objects.get(session_key=session.session_key)
    assert (row.account_id, row.ip, row.user_agent) == (account.pk, "203.0.113.5", "Safari/17 test")
    assert row.created_at.timestamp() == now


def test_session_row_keeps_its_creation_time_when_saved_again():
    # given a session created at login
    account = AccountFactory()
    request = _request()
    sessions.session_login(request, account, method="password")
    request.session.save()
    created = AccountSession.objects.get(session_key=request.session.session_key).created_at
    # when it is saved again an hour later with new activity
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        request.session[sessions.SEEN_AT] = timezone.now().timestamp()
        request.session.save()
    # then created_at is unchanged and last_seen_at moved
    row = AccountSession.objects.get(session_key=request.session.session_key)
    assert row.created_at == created
    assert row.last_seen_at - created >= timedelta(minutes=59)


def test_reauthentication_is_fresh_for_ten_minutes():
    account = AccountFactory()
    request = _request()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        # given a login 11 minutes ago
        sessions.session_login(request, account, method="password")
        clock.shift(timedelta(minutes=11))
        # then re-authentication is no longer fresh
        assert not sessions.reauth_is_fresh(request)
        # when the holder re-authenticates / then it is fresh, with a new session id, for 10 minutes
        old_key = request.session.session_key
        sessions.session_mark_reauthenticated(request)
        assert request.session.session_key != old_key
        assert sessions.reauth_is_fresh(request)
        clock.shift(timedelta(seconds=settings.REAUTH_WINDOW_SECONDS))
        assert sessions.reauth_is_fresh(request)
        clock.shift(timedelta(seconds=1))
        assert not sessions.reauth_is_fresh(request)


def test_an_anonymous_session_is_never_freshly_reauthenticated():
    assert not sessions.reauth_is_fresh(_request())


def test_end_other_sessions_keeps_the_current_one():
    # given one account with three browsers and another account with one
    account, other = AccountFactory(), AccountFactory()
    browsers = [Client() for _ in range(3)]
    for browser in browsers:
        browser.force_login(account)
    Client().force_login(other)
    current = browsers[0].cookies[settings.SESSION_COOKIE_NAME].value
    # when the holder ends the others
    ended = sessions_end_others(
        account=account, keep_session_key=current, meta=RequestMeta(ip="203.0.113.5")
    )
    # then two ended (audited), the current one and the other account's stay
    assert ended == 2
    assert list(AccountSession.objects.filter(account=account).values_list("session_key", flat=True)) == [
        current
    ]
    assert AccountSession.objects.filter(account=other).count() == 1
    assert AuditEvent.objects.get(event="sessions.ended").detail == {"count": 2}


def test_ending_a_session_of_another_account_is_not_found():
    # given two accounts with a session each
    account, other = AccountFactory(), AccountFactory()
    browser = Client()
    browser.force_login(other)
    foreign_key = browser.cookies[settings.SESSION_COOKIE_NAME].value
    # when one account tries to end the other's session / then NotFound, and the session lives on
    with pytest.raises(NotFound):
        session_end(account=account, session_key=foreign_key)
    assert AccountSession.objects.filter(session_key=foreign_key).exists()
    # and the owner can end it
    session_end(account=other, session_key=foreign_key)
    assert browser.get("/api/v1/account/me").status_code == 401


def test_ending_sessions_without_a_request_is_audited_too():
    # given an account with three browsers
    account = AccountFactory()
    browsers = [Client() for _ in range(3)]
    for browser in browsers:
        browser.force_login(account)
    keys = [browser.cookies[settings.SESSION_COOKIE_NAME].value for browser in browsers]
    # when the system (no request, meta None) ends one session, then every other but the first
    session_end(account=account, session_key=keys[2])
    ended = sessions_end_others(account=account, keep_session_key=keys[0])
    # then both endings wrote their audit row, without an address
    assert ended == 1
    one = AuditEvent.objects.get(event="session.ended")
    others = AuditEvent.objects.get(event="sessions.ended")
    assert (one.account, one.ip) == (account, None)
    assert (others.account, others.ip, others.detail) == (account, None, {"count": 1})
    assert list(AccountSession.objects.filter(account=account).values_list("session_key", flat=True)) == [
        keys[0]
    ]


def test_ending_no_other_session_writes_no_audit_row():
    # given an account with a single session
    account = AccountFactory()
    browser = Client()
    browser.force_login(account)
    current = browser.cookies[settings.SESSION_COOKIE_NAME].value
    # when the system ends the others / then none ended and nothing is recorded
    assert sessions_end_others(account=account, keep_session_key=current) == 0
    assert not AuditEvent.objects.filter(event="sessions.ended").exists()
