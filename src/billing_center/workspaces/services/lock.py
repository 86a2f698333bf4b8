"""The lock state of a workspace: active, grace (until a deadline) or locked."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_center.accounts.models import Account
from billing_center.audit.services import RequestMeta
from billing_center.core.errors import ValidationFailed
from billing_center.core.updates import json_value
from billing_center.workspaces import events
from billing_center.workspaces.models import Actor, LockState, Workspace
from billing_center.workspaces.services.common import _locked, _record, _require_reason


@transaction.atomic
def workspace_lock_set(
    *,
    workspace_id: str,
    state: str,
    reason: str = "",
    deadline: datetime | None = None,
    meta: RequestMeta,
    actor: str = Actor.CONSOLE,
    actor_account: Account | None = None,
) -> Workspace:
    """Set ``active``, ``grace`` (with a future deadline) or ``locked``, with the reason for it."""
    if state not in LockState.values:
        raise ValidationFailed(_("Choose active, grace or locked."), field="state", code="invalid_lock_state")
    reason = _require_reason(reason)
    if state == LockState.GRACE:
        if deadline is None:
            raise ValidationFailed(
                _("A grace period needs a deadline."), field="deadline", code="deadline_required"
            )
        if timezone.is_naive(deadline):
            raise ValidationFailed(
                _("Give the deadline with its time zone."), field="deadline", code="invalid_deadline"
            )
        if deadline <= timezone.now():
            raise ValidationFailed(
                _("The deadline must be in the future."), field="deadline", code="invalid_deadline"
            )
    else:
        deadline = None
    # An active workspace has nothing to explain; the history keeps why it was unlocked.
    stored_reason = "" if state == LockState.ACTIVE else reason
    workspace = _locked(workspace_id)
    old = {"state": workspace.lock_state, "reason": workspace.lock_reason, "deadline": json_value(workspace.lock_deadline)}
    new = {"state": state, "reason": stored_reason, "deadline": json_value(deadline)}
    if old == new:
        return workspace
    _record(
        workspace=workspace,
        save={"lock_state": state, "lock_reason": stored_reason, "lock_deadline": deadline},
        event=events.WORKSPACE_LOCK_CHANGED,
        change="lock",
        actor=actor,
        actor_account=actor_account,
        meta=meta,
        old=old,
        new=new,
        reason=reason,
    )
    return workspace
