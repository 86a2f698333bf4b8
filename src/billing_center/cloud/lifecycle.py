"""Effects of a cloud account's state on the workspaces it settles (SPEC §5), run by
``cloud_account_transition`` in the transaction of the marketplace event (actor ``marketplace``).

- → ``suspended``: each workspace it settles enters ``grace`` (data kept) for ``GRACE_DAYS`` days.
- ``suspended`` → ``active``: those workspaces are active again.
- → ``cancelled`` / ``released`` (the first of the two): Alibaba Cloud workspaces fall back to account
  settlement (and are active); AWS and Huawei Cloud workspaces are unbound from it (account settlement)
  and ``locked`` until the holder picks a settlement method, which unlocks them (``settlement``).

Each effect goes through the workspaces services (history + audit); the holder gets one email per event.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from billing_center.audit.services import RequestMeta
from billing_center.cloud.models import CloudAccount, CloudAccountState, Vendor
from billing_center.cloud.settlement import ENDED_LOCK_REASON
from billing_center.verification.services import notice_send
from billing_center.workspaces.models import Actor, LockState, SettlementMethod, Workspace
from billing_center.workspaces.services import workspace_lock_set, workspace_settlement_set

S = CloudAccountState
GRACE_DAYS = 15
# Stored as the workspace's lock reason (the history keeps it); English, like the console's own reasons.
SUSPENDED_REASON = "Its cloud account is suspended: renew or re-activate it in the marketplace."
ENDED = frozenset({S.CANCELLED, S.RELEASED})
FALLS_BACK_TO_ACCOUNT = frozenset({Vendor.ALIYUN})


def workspaces_follow(*, cloud_account: CloudAccount, from_state: str, to_state: str, meta: RequestMeta) -> None:
    """Apply the effect of ``from_state → to_state`` to the workspaces ``cloud_account`` settles."""
    workspaces = list(Workspace.objects.filter(cloud_account=cloud_account, settlement_method=SettlementMethod.CLOUD))
    if not workspaces or cloud_account.account is None:
        return
    if to_state == S.SUSPENDED:
        deadline = timezone.now() + timedelta(days=GRACE_DAYS)
        for workspace in workspaces:
            workspace_lock_set(
                workspace_id=workspace.pk,
                state=LockState.GRACE,
                reason=SUSPENDED_REASON,
                deadline=deadline,
                actor=Actor.MARKETPLACE,
                meta=meta,
            )
        _notify(cloud_account, workspaces, kind="suspended")
    elif to_state == S.ACTIVE and from_state == S.SUSPENDED:
        restored = [ws for ws in workspaces if ws.lock_state == LockState.GRACE and ws.lock_reason == SUSPENDED_REASON]
        for workspace in restored:
            workspace_lock_set(
                workspace_id=workspace.pk,
                state=LockState.ACTIVE,
                reason="cloud account active again",
                actor=Actor.MARKETPLACE,
                meta=meta,
            )
        if restored:
            _notify(cloud_account, restored, kind="restored")
    elif to_state in ENDED and from_state not in ENDED:
        falls_back = cloud_account.vendor in FALLS_BACK_TO_ACCOUNT
        for workspace in workspaces:
            workspace_settlement_set(
                workspace_id=workspace.pk,
                method=SettlementMethod.ACCOUNT,
                actor=Actor.MARKETPLACE,
                meta=meta,
                reason=f"cloud account {to_state}",
            )
            workspace_lock_set(
                workspace_id=workspace.pk,
                state=LockState.ACTIVE if falls_back else LockState.LOCKED,
                reason=f"cloud account {to_state}" if falls_back else ENDED_LOCK_REASON,
                actor=Actor.MARKETPLACE,
                meta=meta,
            )
        _notify(cloud_account, workspaces, kind="fell_back" if falls_back else "locked")


def _notify(cloud_account: CloudAccount, workspaces: list[Workspace], *, kind: str) -> None:
    account = cloud_account.account
    assert account is not None
    names = ", ".join(f"{workspace.name} ({workspace.pk})" for workspace in workspaces)
    values = {"vendor": Vendor(cloud_account.vendor).label, "instance": cloud_account.instance_id, "workspaces": names}
    with override(account.language):
        subject = _("Your cloud account %(instance)s changed state") % values
        if kind == "suspended":
            body = _(
                "The %(vendor)s subscription %(instance)s is suspended. These workspaces are in a grace period "
                "and keep their data: %(workspaces)s. Renew or re-activate the subscription to keep them active."
            ) % values
        elif kind == "restored":
            body = _("The %(vendor)s subscription %(instance)s is active again, and so are: %(workspaces)s.") % values
        elif kind == "fell_back":
            body = _(
                "The %(vendor)s subscription %(instance)s has ended. These workspaces are now settled by your "
                "Billing Center account: %(workspaces)s."
            ) % values
        else:
            body = _(
                "The %(vendor)s subscription %(instance)s has ended. These workspaces are locked (their data is "
                "kept) until you choose another settlement method for them: %(workspaces)s."
            ) % values
    notice_send(channel="email", target=account.email, subject=subject, body=body, account=account)
