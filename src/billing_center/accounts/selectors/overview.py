"""Reads for the Overview page: the account at a glance.

The counts come from apps above ``accounts`` in the layer order (workspaces, cloud, contracts). They
are read through the app registry (``apps.get_model``) inside the functions, never imported at module
level, so ``accounts`` keeps no import-time dependency on them and each count is simply 0 while an app
has no rows (or is not installed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_center.accounts.models import Account
from billing_center.audit.models import AuditEvent
from billing_center.audit.selectors import security_events_for_account

RECENT_EVENTS = 5


@dataclass(frozen=True)
class OverviewCounts:
    workspaces: int
    cloud_accounts: int
    active_contracts: int


@dataclass(frozen=True)
class Overview:
    counts: OverviewCounts
    recent_events: list[AuditEvent] = field(default_factory=list)


def _model(app_label: str, model_name: str) -> type[Model] | None:
    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        return None


def _count_for(app_label: str, model_name: str, *, account: Account, **conditions: Any) -> int:
    model = _model(app_label, model_name)
    if model is None:
        return 0
    return model._default_manager.filter(account=account, **conditions).count()


def certification_state_label(*, account: Account) -> tuple[str, str]:
    """The account's enterprise-certification state and its label ("none" / "Not submitted" without a
    submission), read through the app registry like the counts."""
    model = _model("certification", "Certification")
    if model is None:
        return "none", str(_("Not submitted"))
    row = model._default_manager.filter(account=account).only("state").first()
    if row is None:
        return "none", str(_("Not submitted"))
    return str(row.state), str(row.get_state_display())  # type: ignore[attr-defined]


def active_contracts_count(*, account: Account) -> int:
    """Issued contracts whose term contains today (the holder's "active" status)."""
    today = timezone.localdate()
    return _count_for(
        "contracts", "Contract", account=account, staff_status="issued", starts_on__lte=today, ends_on__gte=today
    )


def overview_counts(*, account: Account) -> OverviewCounts:
    return OverviewCounts(
        workspaces=_count_for("workspaces", "Workspace", account=account),
        cloud_accounts=_count_for("cloud", "CloudAccount", account=account),
        active_contracts=active_contracts_count(account=account),
    )


def overview_for_account(*, account: Account) -> Overview:
    events = security_events_for_account(account=account, cursor=None, limit=RECENT_EVENTS)
    return Overview(counts=overview_counts(account=account), recent_events=list(events.items))
