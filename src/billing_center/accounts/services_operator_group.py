"""The "Operators" group: what a non-superuser operator needs for the operator's work in the back
office (SPEC: accounts' flags, contracts and their PDFs, certification review, workspaces, the
marketplace side, the audit and delivery logs to read)."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from billing_center.accounts.models import Account

OPERATORS_GROUP = "Operators"
# (app label, model, actions): the back office's own admin classes narrow further (read-only logs).
OPERATOR_PERMISSIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("accounts", "account", ("view", "change")),
    ("contracts", "contract", ("view", "add", "change")),
    ("contracts", "contractattachment", ("view", "add", "change", "delete")),
    ("audit", "auditevent", ("view",)),
    ("verification", "delivery", ("view",)),
    # Certification review (approve / reject need change), workspaces (bind needs change), the
    # marketplace side read-only (re-running a failed inbox row is an action open to any operator).
    ("certification", "certification", ("view", "change")),
    ("workspaces", "workspace", ("view", "change")),
    ("workspaces", "workspacehistory", ("view",)),
    ("cloud", "cloudaccount", ("view",)),
    ("cloud", "inboxevent", ("view",)),
)


@transaction.atomic
def operators_group_ensure() -> Group:
    """Create (or bring up to date) the Operators group with exactly ``OPERATOR_PERMISSIONS``."""
    group, _created = Group.objects.get_or_create(name=OPERATORS_GROUP)
    wanted = Q(pk__in=[])
    for app_label, model, actions in OPERATOR_PERMISSIONS:
        codenames = [f"{action}_{model}" for action in actions]
        wanted |= Q(content_type__app_label=app_label, content_type__model=model, codename__in=codenames)
    group.permissions.set(Permission.objects.filter(wanted))
    return group


def operator_group_join(*, account: Account) -> None:
    account.groups.add(operators_group_ensure())
