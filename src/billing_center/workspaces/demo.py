"""Demo workspaces for the demo account: several sites, each lock state, one left unbound for the
console's binding flow. Idempotent: a workspace that exists is left as it is."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from billing_center.audit.services import SYSTEM, audit_record
from billing_center.core.demo import demo_loader_register
from billing_center.workspaces import events
from billing_center.workspaces.models import Actor, LockState, Workspace
from billing_center.workspaces.services import workspace_bind, workspace_lock_set, workspace_register

# (id, name, site, language, bound to the demo account, lock state, reason)
DEMO_WORKSPACES: list[tuple[str, str, str, str, bool, str, str]] = [
    ("demo-cn1-prod", "Production (Hangzhou)", "cn1", "zh-hans", True, LockState.ACTIVE, ""),
    ("demo-cn4-iot", "IoT fleet (Guangzhou)", "cn4", "zh-hans", True, LockState.ACTIVE, ""),
    ("demo-us1-shop", "Web shop (Oregon)", "us1", "en", True, LockState.GRACE, "Payment overdue"),
    (
        "demo-eu1-analytics",
        "Analytics (Frankfurt)",
        "eu1",
        "en",
        True,
        LockState.LOCKED,
        "Its cloud account was cancelled: choose another settlement method",
    ),
    ("demo-ap1-trial", "Trial (Singapore)", "ap1", "en", False, LockState.ACTIVE, ""),
]


def demo_workspaces_load(*, account: Any, stdout: Any) -> int:
    """Create the demo workspaces that do not exist yet; returns how many were created."""
    created = 0
    for workspace_id, name, site, language, bound, state, reason in DEMO_WORKSPACES:
        if Workspace.objects.filter(pk=workspace_id).exists() or site not in settings.WORKSPACE_SITES:
            continue
        workspace_register(
            workspace_id=workspace_id, name=name, site=site, language=language, meta=SYSTEM, actor=Actor.SYSTEM
        )
        if bound:
            workspace_bind(workspace_id=workspace_id, account=account, actor=Actor.SYSTEM, meta=SYSTEM)
        if state != LockState.ACTIVE:
            deadline = timezone.now() + timedelta(days=7) if state == LockState.GRACE else None
            workspace_lock_set(
                workspace_id=workspace_id, state=state, reason=reason, deadline=deadline, meta=SYSTEM, actor=Actor.SYSTEM
            )
        created += 1
    if created:
        audit_record(event=events.WORKSPACE_DEMO_LOADED, account=account, actor_label="system", detail={"created": created})
        stdout.write(f"Demo workspaces created: {created} (sites, lock states, one unbound: demo-ap1-trial).\n")
    else:
        stdout.write("Demo workspaces already exist.\n")
    _platform_token_hint(stdout)
    return created


def _platform_token_hint(stdout: Any) -> None:
    if settings.PLATFORM_API_TOKEN:
        stdout.write(
            "  Platform API (/api/v1/platform/): enabled by PLATFORM_API_TOKEN; "
            "send it as 'Authorization: Bearer <token>' (docs/platform-api.md).\n"
        )
        return
    stdout.write(
        "  Platform API (/api/v1/platform/): off (every path answers 404) until a token is configured, e.g.\n"
        f"    export PLATFORM_API_TOKEN={secrets.token_urlsafe(32)}\n"
        "  then restart the server and call it with 'Authorization: Bearer $PLATFORM_API_TOKEN' "
        "(docs/platform-api.md).\n"
    )


def _demo_workspaces_loader(*, account: Any, count: int, stdout: Any) -> int:
    return demo_workspaces_load(account=account, stdout=stdout)


demo_loader_register(
    "workspaces", help="demo workspaces on several sites and lock states", load=_demo_workspaces_loader, always=True
)
