"""What every workspace service shares: the id and reason rules, the row lock, and ``_record``, which
writes one change with its history and audit rows."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from billing_center.accounts.models import Account
from billing_center.audit.events import EventType
from billing_center.audit.services import RequestMeta, audit_record
from billing_center.core.errors import ValidationFailed
from billing_center.workspaces.models import Actor, Workspace, WorkspaceHistory
from billing_center.workspaces.selectors import workspace_not_found

WORKSPACE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$")
REASON_MAX = 200

# The audit log's actor label for actors that are not a person.
_ACTOR_LABELS = {Actor.CONSOLE: "console", Actor.MARKETPLACE: "marketplace", Actor.SYSTEM: "system"}


def workspace_id_valid(workspace_id: str) -> bool:
    return bool(WORKSPACE_ID_RE.match(workspace_id or ""))


def _require_reason(reason: str) -> str:
    cleaned = (reason or "").strip()
    if len(cleaned) > REASON_MAX:
        raise ValidationFailed(
            _("A reason has at most %(max)d characters.") % {"max": REASON_MAX}, field="reason", code="invalid_reason"
        )
    return cleaned


def _actor_label(actor: str, actor_account: Account | None) -> str:
    """The audit row's actor label when no person acted (console, marketplace, system)."""
    return "" if actor_account is not None else _ACTOR_LABELS.get(Actor(actor), actor)


def _record(
    *,
    workspace: Workspace,
    event: EventType,
    change: str,
    actor: str,
    actor_account: Account | None,
    meta: RequestMeta,
    old: dict[str, Any],
    new: dict[str, Any],
    reason: str = "",
    save: dict[str, Any] | None = None,
) -> None:
    """Write one change: save the ``save`` fields on the (locked) row, then its history and audit rows."""
    if save:
        for name, value in save.items():
            setattr(workspace, name, value)
        workspace.save(update_fields=[*save, "updated_at"])
    WorkspaceHistory.objects.create(
        workspace=workspace,
        actor=actor,
        actor_account=actor_account,
        change=change,
        old=old,
        new=new,
        reason=reason,
    )
    audit_record(
        event=event,
        meta=meta,
        account=workspace.account,
        actor=actor_account,
        actor_label=_actor_label(actor, actor_account),
        target=workspace,
        old=old,
        new=new,
        detail={"actor": actor, "reason": reason} if reason else {"actor": actor},
    )


def _locked_or_none(workspace_id: str) -> Workspace | None:
    """The workspace row, locked for the rest of the transaction (concurrent writers queue up)."""
    return Workspace.objects.select_for_update().filter(pk=workspace_id).first()


def _locked(workspace_id: str) -> Workspace:
    workspace = _locked_or_none(workspace_id)
    if workspace is None:
        raise workspace_not_found()
    return workspace
