"""The console registers a workspace, or updates its name, site and language."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from billing_center.audit.services import RequestMeta
from billing_center.core.errors import ValidationFailed
from billing_center.workspaces import events
from billing_center.workspaces.models import Actor, SettlementMethod, Workspace
from billing_center.workspaces.services.common import _locked, _locked_or_none, _record, workspace_id_valid
from billing_center.workspaces.sites import site_require, site_vendor

NAME_MAX = 200


def _require_id(workspace_id: str) -> str:
    if not workspace_id_valid(workspace_id):
        raise ValidationFailed(
            _("A workspace id has 1 to 64 characters: letters, digits, '.', '_', ':' or '-'."),
            field="workspace_id",
            code="invalid_workspace_id",
        )
    return workspace_id


def _require_name(name: str) -> str:
    cleaned = (name or "").strip()
    if not cleaned or len(cleaned) > NAME_MAX:
        raise ValidationFailed(
            _("A workspace name has 1 to %(max)d characters.") % {"max": NAME_MAX},
            field="name",
            code="invalid_name",
        )
    return cleaned


def _require_language(language: str) -> str:
    wanted = (language or "").strip().lower()
    for code, _name in settings.LANGUAGES:
        if code.lower() == wanted:
            return code
    raise ValidationFailed(_("Choose English or Simplified Chinese."), field="language", code="unknown_language")


@transaction.atomic
def workspace_register(
    *,
    workspace_id: str,
    name: str,
    site: str,
    language: str,
    meta: RequestMeta,
    actor: str = Actor.CONSOLE,
) -> tuple[Workspace, bool]:
    """Create the workspace, or update its name, site and language. Returns (workspace, created)."""
    _require_id(workspace_id)
    fields = {"name": _require_name(name), "site": site_require(site), "language": _require_language(language)}
    workspace = _locked_or_none(workspace_id)
    if workspace is None:
        try:
            with transaction.atomic():
                workspace = Workspace.objects.create(id=workspace_id, **fields)
        except IntegrityError:
            # A concurrent PUT registered it first: this one is an update of that row.
            workspace = _locked(workspace_id)
        else:
            _record(
                workspace=workspace,
                event=events.WORKSPACE_REGISTERED,
                change="registered",
                actor=actor,
                actor_account=None,
                meta=meta,
                old={},
                new=fields,
            )
            return workspace, True
    old = {key: getattr(workspace, key) for key, value in fields.items() if getattr(workspace, key) != value}
    if not old:
        return workspace, False
    if "site" in old and workspace.settlement_method == SettlementMethod.CLOUD:
        cloud_vendor = workspace.cloud_account.vendor if workspace.cloud_account else ""
        if site_vendor(fields["site"]) != cloud_vendor:
            raise ValidationFailed(
                _("The workspace is settled by a cloud account of another vendor than this site's."),
                field="site",
                code="method_not_allowed_for_site",
            )
    new = {key: fields[key] for key in old}
    _record(
        workspace=workspace,
        save=new,
        event=events.WORKSPACE_UPDATED,
        change="updated",
        actor=actor,
        actor_account=None,
        meta=meta,
        old=old,
        new=new,
    )
    return workspace, False
