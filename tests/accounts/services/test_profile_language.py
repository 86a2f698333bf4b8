"""account_language_set: the language the account's UI, emails and SMS use."""

from __future__ import annotations

import pytest

from billing_center.accounts.services.profile import account_language_set
from billing_center.audit.models import AuditEvent
from billing_center.audit.services import RequestMeta
from billing_center.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db
META = RequestMeta(ip="192.0.2.10", user_agent="pytest", request_id="req-language-1")


def test_language_set_stores_and_audits(account):
    # given an English account
    # when the holder switches to Simplified Chinese
    account_language_set(account=account, language="zh-hans", meta=META)
    # then the account keeps it and one audit row records old and new
    account.refresh_from_db()
    assert account.language == "zh-hans"
    event = AuditEvent.objects.get(event="account.language_changed")
    assert (event.old, event.new, event.ip) == ({"language": "en"}, {"language": "zh-hans"}, "192.0.2.10")


def test_language_set_to_the_same_value_writes_nothing(account):
    # given an English account / when English is chosen again
    account_language_set(account=account, language="en", meta=META)
    # then no audit row is written
    assert not AuditEvent.objects.filter(event="account.language_changed").exists()


def test_language_set_refuses_an_unsupported_language(account):
    # given an account / when an unknown language is chosen
    with pytest.raises(ValidationFailed) as raised:
        account_language_set(account=account, language="fr", meta=META)
    # then a stable error code says why and nothing changes
    assert raised.value.code == "invalid_language"
    account.refresh_from_db()
    assert account.language == "en"
