"""Back office: search and filters, the read-only history, binding by an operator (audited)."""

from __future__ import annotations

import pytest
from django.test import Client

from billing_center.audit.models import AuditEvent
from billing_center.audit.services import RequestMeta
from billing_center.workspaces.models import Workspace, WorkspaceHistory
from billing_center.workspaces.services import workspace_register
from tests.accounts.two_factor_support import pass_second_factor
from tests.factories import AccountFactory
from tests.workspaces.factories import BoundWorkspaceFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/backoffice/workspaces/workspace/"


def test_the_changelist_searches_and_filters(operator_client, holder):
    BoundWorkspaceFactory(id="ws-alpha", name="Alpha", account=holder, site="us1")
    WorkspaceFactory(id="ws-beta", name="Beta", site="cn4", lock_state="locked", lock_reason="x")
    cases = {
        "q=alice": ["ws-alpha"],
        "q=Beta": ["ws-beta"],
        "site=cn4": ["ws-beta"],
        "lock_state__exact=locked": ["ws-beta"],
        "settlement_method__exact=account": ["ws-alpha", "ws-beta"],
        "bound=yes": ["ws-alpha"],
        "bound=no": ["ws-beta"],
        f"account__id__exact={holder.pk}": ["ws-alpha"],
    }
    for query, expected in cases.items():
        response = operator_client.get(f"{CHANGELIST}?{query}")
        assert response.status_code == 200, query
        shown = sorted(obj.pk for obj in response.context["cl"].result_list)
        assert shown == expected, query


def test_the_change_page_shows_the_history_read_only(operator_client):
    workspace, _created = workspace_register(workspace_id="ws-1", name="Prod", site="cn1", language="en", meta=RequestMeta())
    response = operator_client.get(f"{CHANGELIST}ws-1/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "registered" in page
    assert "Bind to an account" in page
    # and nothing can be written through the form: every field is read-only
    before = Workspace.objects.get(pk="ws-1").name
    operator_client.post(f"{CHANGELIST}ws-1/change/", {"name": "Hacked", "history-TOTAL_FORMS": "0", "history-INITIAL_FORMS": "0"})
    assert Workspace.objects.get(pk="ws-1").name == before
    assert WorkspaceHistory.objects.filter(workspace=workspace).count() == 1
    # and workspaces are neither added nor deleted here
    assert operator_client.get(f"{CHANGELIST}add/").status_code == 403
    assert operator_client.get(f"{CHANGELIST}ws-1/delete/").status_code == 403


def test_an_operator_binds_a_workspace_to_an_account(operator_client, operator, holder):
    WorkspaceFactory(id="ws-1")
    response = operator_client.post(f"{CHANGELIST}ws-1/bind/", {"username": "ALICE", "reason": "Contract 42"})
    assert response.status_code == 302
    workspace = Workspace.objects.get(pk="ws-1")
    assert workspace.account == holder
    entry = WorkspaceHistory.objects.get(workspace=workspace, change="bound")
    assert (entry.actor, entry.actor_account, entry.reason) == ("operator", operator, "Contract 42")
    event = AuditEvent.objects.get(event="workspace.bound")
    assert (event.actor, event.account, event.actor_label) == (operator, holder, "")


def test_binding_an_already_bound_workspace_or_an_unknown_username_is_a_form_error(operator_client, holder, other_holder):
    BoundWorkspaceFactory(id="ws-1", account=other_holder)
    WorkspaceFactory(id="ws-2")
    bound = operator_client.post(f"{CHANGELIST}ws-1/bind/", {"username": "alice"})
    unknown = operator_client.post(f"{CHANGELIST}ws-2/bind/", {"username": "nobody"})
    assert bound.status_code == unknown.status_code == 200
    assert "already bound to another" in bound.content.decode()
    assert "No account has this username." in unknown.content.decode()
    assert Workspace.objects.get(pk="ws-1").account == other_holder
    assert Workspace.objects.get(pk="ws-2").account is None


def test_only_staff_reach_the_bind_page(holder):
    WorkspaceFactory(id="ws-1")
    client = Client()
    client.force_login(holder)
    response = client.post(f"{CHANGELIST}ws-1/bind/", {"username": "alice"})
    assert response.status_code == 302
    assert "/login" in response["Location"]
    staff_without_rights = AccountFactory(is_staff=True)
    client.force_login(staff_without_rights)
    pass_second_factor(client, staff_without_rights)
    assert client.post(f"{CHANGELIST}ws-1/bind/", {"username": "alice"}).status_code == 403
    assert Workspace.objects.get(pk="ws-1").account is None
