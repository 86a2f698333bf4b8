from __future__ import annotations

import pytest
from django.test import Client

from billing_center.accounts.models import Account
from billing_center.accounts.services.profile import account_language_adopt, account_language_set
from billing_center.audit.models import AuditEvent
from billing_center.audit.services import SYSTEM, audit_record
from tests.factories import DEFAULT_PASSWORD, AccountFactory

pytestmark = pytest.mark.django_db


def _log_in(client: Client, username: str) -> None:
    response = client.post("/login", {"identifier": username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def test_an_account_that_never_chose_keeps_the_language_chosen_before_login():
    # given an operator-made account (English by default) and a visitor who switched to Chinese
    account = AccountFactory(username="newbie", language="en")
    client = Client()
    client.post("/language", {"language": "zh-hans", "next": "/login"})
    # when they log in
    _log_in(client, "newbie")
    # then the account takes Chinese, audited, and the console stays in Chinese
    account.refresh_from_db()
    assert account.language == "zh-hans"
    assert AuditEvent.objects.filter(account=account, event="account.language_changed").count() == 1
    assert '<html lang="zh-hans">' in client.get("/overview").content.decode()


def test_an_account_that_chose_keeps_its_own_language():
    # given an account that switched to English once, and a browser whose cookie says Chinese
    account = AccountFactory(username="decided", language="zh-hans")
    account_language_set(account=account, language="en", meta=SYSTEM)
    client = Client()
    client.post("/language", {"language": "zh-hans", "next": "/login"})
    # when they log in, then the account's own choice wins
    _log_in(client, "decided")
    account.refresh_from_db()
    assert account.language == "en"


def test_a_signed_up_account_chose_at_sign_up_and_no_cookie_changes_nothing():
    signed_up = AccountFactory(language="en")
    audit_record(event="signup", account=signed_up)
    assert account_language_adopt(account=signed_up, language="zh-hans", meta=SYSTEM) is False
    untouched = AccountFactory(username="nocookie", language="en")
    _log_in(Client(), "nocookie")
    assert Account.objects.get(pk=untouched.pk).language == "en"
    assert account_language_adopt(account=untouched, language="klingon", meta=SYSTEM) is False
