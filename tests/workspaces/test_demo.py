from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from billing_center.workspaces.demo import DEMO_WORKSPACES, demo_workspaces_load
from billing_center.workspaces.models import Workspace, WorkspaceHistory

pytestmark = pytest.mark.django_db


def test_demo_workspaces_cover_several_sites_and_every_lock_state(holder, settings):
    settings.PLATFORM_API_TOKEN = ""
    out = io.StringIO()
    # when the demo workspaces are loaded twice
    assert demo_workspaces_load(account=holder, stdout=out) == len(DEMO_WORKSPACES)
    assert demo_workspaces_load(account=holder, stdout=out) == 0
    # then they span several sites and each lock state, one is left for the binding flow
    workspaces = Workspace.objects.all()
    assert len({w.site for w in workspaces}) >= 4
    assert {w.lock_state for w in workspaces.filter(account=holder)} == {"active", "grace", "locked"}
    assert workspaces.filter(account__isnull=True).count() == 1
    assert all(w.lock_deadline for w in workspaces.filter(lock_state="grace"))
    # and each went through the services (a history of what happened)
    assert WorkspaceHistory.objects.filter(change="registered").count() == len(DEMO_WORKSPACES)
    # and the output tells how to switch the platform API on
    assert "export PLATFORM_API_TOKEN=" in out.getvalue()


def test_the_demo_command_loads_them_and_names_the_configured_token(settings):
    settings.PLATFORM_API_TOKEN = "demo-token-value"
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert Workspace.objects.filter(account__username="demo").count() == 4
    assert "enabled by PLATFORM_API_TOKEN" in out.getvalue()
