"""Demo data: linked cloud accounts of all three vendors in several states, with workspaces on them."""

from __future__ import annotations

import io

import pytest

from billing_center.cloud.demo import DEMO_CLOUD_ACCOUNTS, demo_cloud_accounts_load
from billing_center.cloud.models import CloudAccount
from billing_center.core.demo import demo_loaders
from billing_center.workspaces.demo import demo_workspaces_load
from billing_center.workspaces.models import Workspace
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_demo_cloud_accounts_cover_every_vendor_and_settle_workspaces():
    # given the demo account with its demo workspaces
    holder = AccountFactory(username="demo")
    out = io.StringIO()
    demo_workspaces_load(account=holder, stdout=out)
    # when the demo cloud accounts are loaded twice
    assert demo_cloud_accounts_load(account=holder, stdout=out) == len(DEMO_CLOUD_ACCOUNTS)
    assert demo_cloud_accounts_load(account=holder, stdout=out) == 0
    # then every vendor and several states are there, linked, with workspaces on them
    accounts = CloudAccount.objects.filter(account=holder)
    assert {a.vendor for a in accounts} == {"aws", "aliyun", "huawei"}
    assert {a.state for a in accounts} == {"active", "suspended", "cancelled"}
    assert Workspace.objects.get(pk="demo-cn1-prod").cloud_account.vendor == "aliyun"
    assert Workspace.objects.get(pk="demo-cn4-iot").lock_state == "grace"
    # and the loader runs after the workspaces one
    names = [loader.name for loader in demo_loaders()]
    assert names.index("workspaces_cloud") > names.index("workspaces")
