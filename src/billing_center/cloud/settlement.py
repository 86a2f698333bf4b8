"""The holder's settlement changes (SPEC §4), judged here and written by ``workspace_settlement_set``.

Rules, each refusal with its SPEC §12 code (422 unless said):

- ``reauthentication_required`` (403): no re-authentication within the window.
- a workspace or a cloud account that is not the holder's: 404 (``workspace_not_found`` /
  ``cloud_account_not_found``), whether it exists or not.
- ``no_change``: the workspace is already settled that way.
- ``cloud_settlement_locked_in``: the workspace is on a cloud account that is neither cancelled nor
  released.
- ``method_not_allowed_for_site``: a cloud account of another vendor than the site's, unless the
  account's "any settlement method" flag is set.
- ``cloud_account_not_active``: the chosen cloud account is not ``active``.
- ``changed_this_month``: the holder already changed this workspace's settlement in this calendar
  month. The month is the holder's: Asia/Shanghai for sites whose code starts with ``cn``, UTC for the
  others. Only the holder's own changes count (a marketplace fallback or an operator's change does
  not use up the holder's change).

The workspace row is locked for the whole judgement, so of racing changes exactly one is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing_center.accounts.models import Account
from billing_center.audit.services import RequestMeta
from billing_center.cloud.models import CloudAccount, CloudAccountState
from billing_center.core.errors import ApplicationError, NotFound, ReauthenticationRequired, ValidationFailed
from billing_center.workspaces.models import Actor, LockState, SettlementMethod, Workspace, WorkspaceHistory
from billing_center.workspaces.selectors import workspace_not_found
from billing_center.workspaces.services import workspace_lock_set, workspace_settlement_set
from billing_center.workspaces.sites import site_vendor

ENDED_STATES = frozenset({CloudAccountState.CANCELLED, CloudAccountState.RELEASED})
CN_TIME_ZONE = ZoneInfo("Asia/Shanghai")
UTC_ZONE = ZoneInfo("UTC")
# The lock reason stored when a workspace is locked because its AWS / Huawei cloud account ended (§5);
# choosing a settlement method then unlocks it.
ENDED_LOCK_REASON = "Its cloud account ended: choose another settlement method to unlock it."


def month_zone(site: str) -> ZoneInfo:
    """The time zone of the holder's calendar month for a workspace on ``site``."""
    return CN_TIME_ZONE if site.startswith("cn") else UTC_ZONE


def same_month(first: datetime, second: datetime, zone: ZoneInfo) -> bool:
    a, b = first.astimezone(zone), second.astimezone(zone)
    return (a.year, a.month) == (b.year, b.month)


def _refuse(code: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, field="method")


def _cloud_account_not_found() -> NotFound:
    return NotFound(_("This cloud account is not known."), code="cloud_account_not_found")


def _last_holder_change(workspace: Workspace) -> datetime | None:
    entry = (
        WorkspaceHistory.objects.filter(workspace=workspace, change="settlement", actor=Actor.HOLDER)
        .order_by("-at", "-id")
        .only("at")
        .first()
    )
    return entry.at if entry is not None else None


def _judge(
    *, account: Account, workspace: Workspace, method: str, cloud_account: CloudAccount | None, now: datetime
) -> None:
    current = workspace.cloud_account if workspace.settlement_method == SettlementMethod.CLOUD else None
    wanted_id = cloud_account.pk if cloud_account is not None else None
    if workspace.settlement_method == method and (current.pk if current else None) == wanted_id:
        raise _refuse("no_change", _("The workspace is already settled this way; nothing to change."))
    if current is not None and current.state not in ENDED_STATES:
        raise _refuse(
            "cloud_settlement_locked_in",
            _(
                "The workspace is settled by a cloud account and stays on it until that subscription is "
                "cancelled or released in the marketplace."
            ),
        )
    if cloud_account is not None:
        if not account.any_settlement_method and cloud_account.vendor != site_vendor(workspace.site):
            raise _refuse(
                "method_not_allowed_for_site",
                _(
                    "A workspace on this site can be settled only by its account or by a cloud account of "
                    "the site's own cloud vendor. Choose another cloud account."
                ),
            )
        if cloud_account.state != CloudAccountState.ACTIVE:
            raise _refuse(
                "cloud_account_not_active",
                _("This cloud account is not active. Renew or re-activate it in the marketplace, or choose another."),
            )
    last = _last_holder_change(workspace)
    if last is not None and same_month(last, now, month_zone(workspace.site)):
        raise _refuse(
            "changed_this_month",
            _("The settlement of this workspace was already changed this month; change it again next month."),
        )


def settlement_change(
    *,
    account: Account,
    workspace_id: str,
    method: str,
    cloud_account_id: int | None,
    reauthenticated: bool,
    meta: RequestMeta,
    now: datetime | None = None,
) -> Workspace:
    """The holder moves one of their workspaces to ``method`` (``account`` or ``cloud`` + a cloud account)."""
    if not reauthenticated:
        raise ReauthenticationRequired(_("Confirm it is you (password or a code) before changing the settlement."))
    if method not in SettlementMethod.values:
        raise ValidationFailed(_("Choose a settlement method."), field="method", code="invalid_method")
    if method == SettlementMethod.CLOUD and cloud_account_id is None:
        raise ValidationFailed(_("Choose a cloud account."), field="cloud_account_id", code="cloud_account_required")
    return _change(
        account=account,
        workspace_id=workspace_id,
        method=method,
        cloud_account_id=cloud_account_id if method == SettlementMethod.CLOUD else None,
        meta=meta,
        now=now,
    )


@transaction.atomic
def _change(
    *,
    account: Account,
    workspace_id: str,
    method: str,
    cloud_account_id: int | None,
    meta: RequestMeta,
    now: datetime | None,
) -> Workspace:
    now = now or timezone.now()
    # Locked alone, then its cloud account read after the lock: a join read while waiting for the
    # lock could show the cloud account as it was before the other change.
    workspace = Workspace.objects.select_for_update().filter(pk=workspace_id, account=account).first()
    if workspace is None:
        raise workspace_not_found()
    cloud_account: CloudAccount | None = None
    if cloud_account_id is not None:
        cloud_account = CloudAccount.objects.filter(pk=cloud_account_id, account=account).first()
        if cloud_account is None:
            raise _cloud_account_not_found()
    was_locked_by_ended = workspace.lock_state == LockState.LOCKED and workspace.lock_reason == ENDED_LOCK_REASON
    if was_locked_by_ended and method == SettlementMethod.ACCOUNT == workspace.settlement_method:
        # Unbound from its ended cloud account: confirming account settlement is the holder's pick.
        return _unlock(workspace, account=account, meta=meta)
    _judge(account=account, workspace=workspace, method=method, cloud_account=cloud_account, now=now)
    updated = workspace_settlement_set(
        workspace_id=workspace.pk,
        method=method,
        cloud_account=cloud_account,
        actor=Actor.HOLDER,
        actor_account=account,
        meta=meta,
        any_vendor=account.any_settlement_method,
    )
    if was_locked_by_ended:
        updated = _unlock(updated, account=account, meta=meta)
    return updated


def _unlock(workspace: Workspace, *, account: Account, meta: RequestMeta) -> Workspace:
    """SPEC §5: a workspace locked because its cloud account ended is unlocked by picking a method."""
    return workspace_lock_set(
        workspace_id=workspace.pk,
        state=LockState.ACTIVE,
        reason="settlement method chosen",
        actor=Actor.HOLDER,
        actor_account=account,
        meta=meta,
    )


REFUSAL_TEXTS = {
    "no_change": gettext_lazy("it is already settled this way"),
    "cloud_settlement_locked_in": gettext_lazy("it stays on its cloud account until that one is cancelled or released"),
    "method_not_allowed_for_site": gettext_lazy("its site cannot be settled by this cloud vendor"),
    "cloud_account_not_active": gettext_lazy("this cloud account is not active"),
    "changed_this_month": gettext_lazy("its settlement was already changed this month"),
    "workspace_not_found": gettext_lazy("it is not one of your workspaces"),
}


def refusal_text(code: str) -> str:
    """A short reason for a refusal ``code`` (the page's list of results)."""
    return str(REFUSAL_TEXTS.get(code, gettext_lazy("it cannot be changed now")))


@dataclass(frozen=True)
class BindResult:
    workspace_id: str
    ok: bool
    code: str | None = None


def cloud_account_workspaces_bind(
    *,
    account: Account,
    cloud_account_id: int,
    workspace_ids: list[str],
    reauthenticated: bool,
    meta: RequestMeta,
) -> list[BindResult]:
    """Settle several workspaces on one cloud account; each is judged alone (one refusal undoes no other)."""
    if not reauthenticated:
        raise ReauthenticationRequired(_("Confirm it is you (password or a code) before changing the settlement."))
    if not CloudAccount.objects.filter(pk=cloud_account_id, account=account).exists():
        raise _cloud_account_not_found()
    results: list[BindResult] = []
    for workspace_id in dict.fromkeys(workspace_ids):
        try:
            settlement_change(
                account=account,
                workspace_id=workspace_id,
                method=SettlementMethod.CLOUD,
                cloud_account_id=cloud_account_id,
                reauthenticated=True,
                meta=meta,
            )
        except ApplicationError as refusal:
            results.append(BindResult(workspace_id=workspace_id, ok=False, code=refusal.code))
        else:
            results.append(BindResult(workspace_id=workspace_id, ok=True))
    return results
