"""Every write to a workspace: one service per change, each writing the history row and the audit row.

Who acts is an ``Actor`` (holder, operator, console, marketplace, system); an operator or holder also
names the account that acted. One module per concern: ``register`` (the console's register/update),
``binding`` (binding and moving, SPEC §4, §8), ``lock`` (the lock state), ``settlement`` (the
settlement method); ``common`` holds the row lock and ``_record`` they all write through. Every public
service is re-exported here: ``from billing_center.workspaces.services import workspace_bind``. Modules
of this package import each other by their module path, never through this package.
"""

from billing_center.workspaces.services.binding import (
    MoveRule,
    workspace_bind,
    workspace_bind_code_request,
    workspace_bind_with_code,
)
from billing_center.workspaces.services.common import REASON_MAX, WORKSPACE_ID_RE, workspace_id_valid
from billing_center.workspaces.services.lock import workspace_lock_set
from billing_center.workspaces.services.register import NAME_MAX, workspace_register
from billing_center.workspaces.services.settlement import workspace_settlement_set

__all__ = [
    "NAME_MAX",
    "REASON_MAX",
    "WORKSPACE_ID_RE",
    "MoveRule",
    "workspace_bind",
    "workspace_bind_code_request",
    "workspace_bind_with_code",
    "workspace_id_valid",
    "workspace_lock_set",
    "workspace_register",
    "workspace_settlement_set",
]
