from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from billing_center.audit.services import audit_record
from tests.accounts.two_factor_support import pass_second_factor
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "label", "header"),
    [("en", "Language changed", "Billing Center back office"), ("zh-hans", "语言已切换", "费用中心管理后台")],
)
def test_the_back_office_log_shows_event_labels_not_raw_keys(language, label, header):
    # given an operator and a recorded language change
    operator = AccountFactory(is_staff=True, is_superuser=True, language=language)
    holder = AccountFactory()
    audit_record(event="account.language_changed", account=holder, old={"language": "en"}, new={"language": "zh-hans"})
    client = Client()
    client.force_login(operator)
    pass_second_factor(client, operator)
    # when they open the audit list, filtered by that event
    with translation.override("en"):  # the request activates the operator's language; do not leak it
        page = client.get("/backoffice/audit/auditevent/", {"event": "account.language_changed"}).content.decode()
    # then the row and the filter read the declared label, in the operator's language
    assert label in page and header in page
    assert ">account.language_changed<" not in page
    assert "account: language changed" not in page
