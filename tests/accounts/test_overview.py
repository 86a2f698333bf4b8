from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from billing_center.accounts.selectors.overview import overview_for_account
from billing_center.cloud.models import CloudAccount
from billing_center.workspaces.models import Workspace
from tests.factories import AccountFactory, ContractFactory

pytestmark = pytest.mark.django_db


def _days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def _figures(account) -> dict[str, int | str]:
    return {figure.key: figure.value for figure in overview_for_account(account=account).figures}


def test_counts_are_zero_while_the_apps_are_empty():
    account = AccountFactory()
    assert _figures(account) == {
        "workspaces": 0,
        "cloud-accounts": 0,
        "active-contracts": 0,
        "certification-state": "Not submitted",
    }


def test_the_certification_state_is_the_accounts_own():
    # given a holder whose certification was approved, and another who never submitted
    from billing_center.certification.services import certification_approve, certification_submit
    from tests.certification.conftest import VALID_USCC, png_bytes, upload

    account, other = AccountFactory(), AccountFactory()
    submitted = certification_submit(
        account=account, licence_name="Acme Ltd", taxpayer_id=VALID_USCC, upload=upload(png_bytes(), "l.png")
    )
    certification_approve(certification=submitted, operator=AccountFactory(is_staff=True))
    # then the Overview reads each one's own state
    assert _figures(account)["certification-state"] == "Verified"
    assert _figures(other)["certification-state"] == "Not submitted"
    page = Client()
    page.force_login(account)
    assert "Verified" in page.get("/overview").content.decode()


def test_counts_are_the_accounts_own_and_only_active_contracts(django_assert_num_queries):
    # given a holder with two workspaces, a linked cloud account and contracts in every state
    account, other = AccountFactory(), AccountFactory()
    Workspace.objects.create(id="w1", name="One", site="cn", account=account)
    Workspace.objects.create(id="w2", name="Two", site="cn", account=account)
    Workspace.objects.create(id="w3", name="Theirs", site="cn", account=other)
    CloudAccount.objects.create(vendor="aws", instance_id="arn-1", account=account, linked_at=timezone.now())
    CloudAccount.objects.create(vendor="aws", instance_id="arn-2")
    ContractFactory(account=account)  # active
    ContractFactory(account=account, starts_on=_days(5), ends_on=_days(50))  # pending
    ContractFactory(account=account, signed_on=_days(-900), starts_on=_days(-900), ends_on=_days(-1))  # expired
    ContractFactory(account=account, staff_status="draft")
    ContractFactory(account=account, staff_status="terminated", terminated_on=_days(-1))
    ContractFactory(account=other)
    # when the Overview reads them, then in five queries (three counts, the certification, the recent
    # events: the certification read was the view's own before the figures came from a registry)
    with django_assert_num_queries(5):
        overview = overview_for_account(account=account)
    assert [(figure.key, figure.value) for figure in overview.figures] == [
        ("workspaces", 2),
        ("cloud-accounts", 1),
        ("active-contracts", 1),
        ("certification-state", "Not submitted"),
    ]


def test_the_overview_page_and_the_landing():
    # given a visitor and a holder
    account = AccountFactory(enterprise_name="Acme Glance")
    holder = Client()
    holder.force_login(account)
    # then a visitor gets the landing (not a redirect) and the Overview asks them to log in
    visitor = Client()
    landing = visitor.get("/")
    assert landing.status_code == 200 and 'href="/signup"' in landing.content.decode()
    assert visitor.get("/overview").status_code == 302
    # and the holder goes from / to the Overview, which names their enterprise
    assert holder.get("/")["Location"] == "/overview"
    page = holder.get("/overview").content.decode()
    assert "Acme Glance" in page and "Not submitted" in page
