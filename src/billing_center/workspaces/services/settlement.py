"""The settlement method of a workspace (offered to holders by ``cloud.settlement``, which applies the
rules of SPEC §4)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_center.accounts.models import Account
from billing_center.audit.services import RequestMeta
from billing_center.core.errors import NotFound, ValidationFailed
from billing_center.workspaces import events
from billing_center.workspaces.models import SettlementMethod, Workspace
from billing_center.workspaces.services.common import _locked, _record, _require_reason
from billing_center.workspaces.sites import site_vendor

if TYPE_CHECKING:
    from django.db.models import Model


@transaction.atomic
def workspace_settlement_set(
    *,
    workspace_id: str,
    method: str,
    cloud_account: Model | None = None,
    actor: str,
    meta: RequestMeta,
    actor_account: Account | None = None,
    reason: str = "",
    any_vendor: bool = False,
) -> Workspace:
    """Settle the workspace on its account or on one cloud account, recording the change.

    ``any_vendor``: the account's "any settlement method" flag lets a cloud account of another vendor
    than the site's settle it.

    Checks what the data model needs (a bound workspace; a cloud account of the same Billing Center
    account and of the site's vendor). The product rules of SPEC §4 (allowed methods per site, once per
    month, the cloud lock-in, only active cloud accounts) belong to the caller that offers the change.
    """
    reason = _require_reason(reason)
    if method not in SettlementMethod.values:
        raise ValidationFailed(_("Choose a settlement method."), field="method", code="invalid_method")
    workspace = _locked(workspace_id)
    if workspace.account_id is None:
        raise ValidationFailed(
            _("Bind the workspace to an account first."), field="method", code="workspace_not_bound"
        )
    if method == SettlementMethod.CLOUD:
        if cloud_account is None:
            raise ValidationFailed(_("Choose a cloud account."), field="cloud_account_id", code="cloud_account_required")
        if getattr(cloud_account, "account_id", None) != workspace.account_id:
            raise NotFound(_("This cloud account is not known."), code="cloud_account_not_found")
        if not any_vendor and getattr(cloud_account, "vendor", "") != site_vendor(workspace.site):
            raise ValidationFailed(
                _("This site cannot be settled through this cloud vendor."),
                field="cloud_account_id",
                code="method_not_allowed_for_site",
            )
    else:
        cloud_account = None
    old = {"method": workspace.settlement_method, "cloud_account_id": workspace.cloud_account_id}
    new = {"method": method, "cloud_account_id": cloud_account.pk if cloud_account is not None else None}
    if old == new:
        raise ValidationFailed(_("This is already the settlement method."), field="method", code="no_change")
    _record(
        workspace=workspace,
        save={"settlement_method": method, "cloud_account": cloud_account, "settlement_changed_at": timezone.now()},
        event=events.WORKSPACE_SETTLEMENT_CHANGED,
        change="settlement",
        actor=actor,
        actor_account=actor_account,
        meta=meta,
        old=old,
        new=new,
        reason=reason,
    )
    return workspace
