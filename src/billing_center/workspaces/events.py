"""Audit events of workspaces (every change also has a row in the workspace's own history)."""

from django.utils.translation import gettext_lazy as _

from billing_center.audit.events import event_type

WORKSPACE_REGISTERED = event_type("workspace.registered", _("Workspace registered"))
WORKSPACE_UPDATED = event_type("workspace.updated", _("Workspace updated"))
WORKSPACE_BIND_CODE_REQUESTED = event_type("workspace.bind_code_requested", _("Workspace binding code requested"))
WORKSPACE_BIND_REFUSED = event_type("workspace.bind_refused", _("Workspace binding refused"))
WORKSPACE_BOUND = event_type("workspace.bound", _("Workspace bound to the account"), holder_visible=True)
WORKSPACE_MOVED = event_type(
    "workspace.moved", _("Workspace moved between accounts of one certified enterprise"), holder_visible=True
)
WORKSPACE_LOCK_CHANGED = event_type("workspace.lock_changed", _("Workspace lock state changed"))
WORKSPACE_SETTLEMENT_CHANGED = event_type(
    "workspace.settlement_changed", _("Workspace settlement method changed"), holder_visible=True
)
WORKSPACE_DEMO_LOADED = event_type("workspace.demo_loaded", _("Demo workspaces loaded"))
