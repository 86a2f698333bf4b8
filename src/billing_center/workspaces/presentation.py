"""Labels for the console pages: a workspace's row and its history, in the page's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing_center.workspaces.models import Actor, LockState, SettlementMethod, Workspace, WorkspaceHistory
from billing_center.workspaces.sites import VENDOR_LABELS, site_label

CHANGE_LABELS = {
    "registered": gettext_lazy("Registered by the SaaS console"),
    "updated": gettext_lazy("Name, site or language changed"),
    "bound": gettext_lazy("Bound to the account"),
    "lock": gettext_lazy("Lock state changed"),
    "settlement": gettext_lazy("Settlement method changed"),
}


def method_label(workspace: Workspace) -> str:
    if workspace.settlement_method == SettlementMethod.CLOUD and workspace.cloud_account_id:
        vendor = VENDOR_LABELS.get(getattr(workspace.cloud_account, "vendor", ""), "")
        return _("Cloud account (%(vendor)s)") % {"vendor": vendor} if vendor else str(SettlementMethod.CLOUD.label)
    return str(SettlementMethod.ACCOUNT.label)


def unlock_hint(workspace: Workspace) -> str:
    """Why the workspace is not active and what would make it active again; "" when it is active."""
    if workspace.lock_state == LockState.GRACE:
        return _(
            "The workspace keeps working and its data is kept until the deadline. Resolve the reason above "
            "before then (for example renew or re-activate the cloud account that settles it, or choose "
            "another settlement method) and it becomes active again; otherwise it may be locked."
        )
    if workspace.lock_state == LockState.LOCKED:
        return _(
            "The workspace is locked; its data is kept. It is unlocked once the reason above is resolved: "
            "for example choose another settlement method if its cloud account ended, or settle what is "
            "due. Contact us if the reason is unclear."
        )
    return ""


def workspace_row(workspace: Workspace) -> dict[str, Any]:
    return {
        "workspace": workspace,
        "site_label": site_label(workspace.site),
        "method_label": method_label(workspace),
        "state_label": str(LockState(workspace.lock_state).label),
        "unlock_hint": unlock_hint(workspace),
    }


def _values(data: dict[str, Any]) -> str:
    return ", ".join(f"{key}: {'—' if value in (None, '') else value}" for key, value in data.items())


def history_rows(entries: list[WorkspaceHistory]) -> list[dict[str, Any]]:
    return [
        {
            "at": entry.at,
            "actor": str(Actor(entry.actor).label) if entry.actor in Actor.values else entry.actor,
            "change": str(CHANGE_LABELS.get(entry.change, entry.change)),
            "old": _values(entry.old),
            "new": _values(entry.new),
            "reason": entry.reason,
        }
        for entry in entries
    ]
