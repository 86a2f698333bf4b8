"""Every declared audit event reads as a translated label where people see it: the holder's security
log (holder-visible events) and the back office's audit list (all events), in English and zh-Hans."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.utils import translation

from billing_center.audit.events import declared
from billing_center.audit.services import audit_record
from tests.accounts.settings_support import logged_in_client
from tests.accounts.two_factor_support import pass_second_factor
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "zh-hans")
_CELL = re.compile(r'<td class="event[^"]*">(.*?)</td>', re.S)
_ADMIN_CELL = re.compile(r'<td class="field-event_label">(.*?)</td>', re.S)
_NEXT = re.compile(r'href="\?cursor=([^"]+)" rel="next"')
_HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _language_restored():
    """A page request activates the reader's language for the thread; leave the next test as it was."""
    with translation.override(translation.get_language()):
        yield


def _label(name: str, language: str) -> str:
    with translation.override(language):
        return str(declared()[name].label)


def _security_log_labels(client: Client) -> list[str]:
    labels: list[str] = []
    path = "/settings/security-log"
    while path:
        page = client.get(path).content.decode()
        labels += [html.unescape(cell.strip()) for cell in _CELL.findall(page)]
        cursor = _NEXT.search(page)
        path = f"/settings/security-log?cursor={cursor.group(1)}" if cursor else ""
    return labels


def test_every_declared_label_is_readable_and_translated():
    # given every declared event
    for name in declared():
        english, chinese = _label(name, "en"), _label(name, "zh-hans")
        # then its label is words, not the stored key, and zh-Hans has its own translation
        assert english != name and "." not in english and "_" not in english, name
        assert chinese != english and _HAN.search(chinese), name


@pytest.mark.parametrize("language", LANGUAGES)
def test_security_log_shows_the_label_of_every_holder_visible_event(language):
    # given a holder with one row of every holder-visible event
    account = AccountFactory(language=language, password="")
    visible = sorted(name for name, event in declared().items() if event.holder_visible)
    for name in visible:
        audit_record(event=name, account=account)
    # when they read every page of their security log
    shown = _security_log_labels(logged_in_client(account))
    # then each row shows its translated label and no raw key
    assert sorted(shown) == sorted(_label(name, language) for name in visible)
    assert not set(shown) & set(declared())


@pytest.mark.parametrize("language", LANGUAGES)
def test_back_office_shows_the_label_of_every_event(language):
    # given one row of every declared event and an operator reading the audit list
    holder = AccountFactory(password="")
    for name in declared():
        audit_record(event=name, account=holder)
    operator = AccountFactory(is_staff=True, is_superuser=True, language=language, password="")
    client = Client()
    client.force_login(operator, backend="billing_center.accounts.backends.IdentifierBackend")
    pass_second_factor(client, operator)
    # when they open the audit list of that account (the operator's own two-factor enrolment is another row)
    page = client.get(f"/backoffice/audit/auditevent/?account__id__exact={holder.pk}")
    # then every row's event column and every filter choice is the translated label
    assert page.status_code == 200
    text = page.content.decode()
    shown = [html.unescape(cell.strip()) for cell in _ADMIN_CELL.findall(text)]
    assert sorted(shown) == sorted(_label(name, language) for name in declared())
    for name in declared():
        assert f">{html.escape(_label(name, language))}</a>" in text, name


def test_the_back_office_audit_list_is_read_only():
    # given an operator and one audit row
    row = audit_record(event="signup", account=AccountFactory(password=""))
    operator = AccountFactory(is_staff=True, is_superuser=True, password="")
    client = Client()
    client.force_login(operator, backend="billing_center.accounts.backends.IdentifierBackend")
    pass_second_factor(client, operator)
    # when they try to add or delete, then the back office refuses
    assert client.get("/backoffice/audit/auditevent/add/").status_code == 403
    assert client.post(f"/backoffice/audit/auditevent/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    # and the row's page shows its label
    assert "Account created" in client.get(f"/backoffice/audit/auditevent/{row.pk}/change/").content.decode()
