"""Console > Workspaces: list with site, method and state; filters; detail with history and unlock hint."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from billing_center.audit.services import RequestMeta
from billing_center.workspaces.services import workspace_lock_set
from tests.workspaces.conftest import many_workspaces
from tests.workspaces.factories import BoundWorkspaceFactory

pytestmark = pytest.mark.django_db

LIST = "/workspaces/"


def test_the_list_shows_site_method_and_state(holder_client, holder, other_holder):
    BoundWorkspaceFactory(id="ws-1", name="Production", account=holder, site="us1")
    BoundWorkspaceFactory(id="ws-bob", name="Bobs", account=other_holder)
    response = holder_client.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Production" in page
    assert "us1 · Oregon (AWS)" in page
    assert "Billing Center account" in page
    assert "active" in page
    assert "Bobs" not in page


def test_filters_narrow_the_list_and_bad_ones_are_form_errors(holder_client, holder):
    BoundWorkspaceFactory(id="ws-1", name="Alpha", account=holder, site="cn1")
    BoundWorkspaceFactory(id="ws-2", name="Beta", account=holder, site="eu1", lock_state="locked", lock_reason="x")
    page = holder_client.get(LIST, {"lock_state": "locked"}).content.decode()
    assert "Beta" in page and "Alpha" not in page
    page = holder_client.get(LIST, {"site": "cn1"}).content.decode()
    assert "Alpha" in page and "Beta" not in page
    assert holder_client.get(LIST, {"site": "mars1"}).status_code == 400
    assert holder_client.get(LIST, {"cursor": "forged"}).status_code == 400


@pytest.mark.parametrize("count", [1, 500])
def test_the_page_runs_a_constant_number_of_queries(holder_client, holder, django_assert_num_queries, count):
    many_workspaces(holder, count)
    # the session with its account, one query for the page
    with django_assert_num_queries(2):
        response = holder_client.get(LIST)
    assert response.status_code == 200


def test_pages_follow_the_cursor(holder_client, holder):
    many_workspaces(holder, 25)
    first = holder_client.get(LIST)
    next_url = first.context["next_url"]
    assert next_url
    second = holder_client.get(LIST + next_url)
    assert len(first.context["rows"]) == 20
    assert len(second.context["rows"]) == 5


def test_the_detail_shows_history_and_why_it_is_in_grace(holder_client, holder):
    BoundWorkspaceFactory(id="ws-1", name="Production", account=holder)
    deadline = timezone.now() + dt.timedelta(days=3)
    workspace_lock_set(workspace_id="ws-1", state="grace", reason="Cloud account suspended", deadline=deadline, meta=RequestMeta())
    page = holder_client.get(LIST + "ws-1/").content.decode()
    assert "Cloud account suspended" in page
    assert "grace period" in page
    assert "becomes active again" in page
    assert "Lock state changed" in page


def test_the_detail_of_a_locked_workspace_says_what_unlocks_it(holder_client, holder):
    BoundWorkspaceFactory(id="ws-1", account=holder)
    workspace_lock_set(workspace_id="ws-1", state="locked", reason="Unpaid invoice", meta=RequestMeta())
    page = holder_client.get(LIST + "ws-1/").content.decode()
    assert "Unpaid invoice" in page
    assert "It is unlocked once the reason above is resolved" in page


def test_another_accounts_workspace_is_not_found(holder_client, other_holder):
    BoundWorkspaceFactory(id="ws-bob", account=other_holder)
    assert holder_client.get(LIST + "ws-bob/").status_code == 404
    assert holder_client.get(LIST + "ws-none/").status_code == 404


def test_the_pages_need_a_login():
    response = Client().get(LIST)
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_the_page_is_in_chinese_for_a_chinese_account(holder_client, holder):
    holder.language = "zh-hans"
    holder.save()
    BoundWorkspaceFactory(id="ws-1", account=holder, site="cn1")
    page = holder_client.get(LIST, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "工作空间" in page
    assert "杭州" in page
