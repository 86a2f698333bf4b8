"""Every write to a workspace: one service per change, each writing the history row and the audit row.

Who acts is an ``Actor`` (holder, operator, console, marketplace, system); an operator or holder also
names the account that acted. The binding flow (SPEC §4, §8) is enumeration-safe: an unknown username,
an email that is not that account's, and a match answer alike; only a match sends a code, to the
account's bound email, through the one code mechanism (``verification``, purpose ``workspace_bind``).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_center.accounts.models import Account
from billing_center.audit.events import EventType
from billing_center.audit.services import RequestMeta, audit_record
from billing_center.core.errors import Conflict, NotFound, RateLimited, ValidationFailed
from billing_center.core.updates import json_value
from billing_center.verification.models import Channel, Purpose
from billing_center.verification.services import code_check, code_send
from billing_center.workspaces import events
from billing_center.workspaces.models import Actor, LockState, SettlementMethod, Workspace, WorkspaceHistory
from billing_center.workspaces.sites import site_exists, site_vendor

# (current holder, new holder) -> may the workspace move? Given by the layer that knows the rule (the
# platform passes the certification app's), so this app never imports the ones above it.
MoveRule = Callable[[Account, Account], bool]

if TYPE_CHECKING:
    from django.db.models import Model

WORKSPACE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$")
NAME_MAX = 200
REASON_MAX = 200

# The audit log's actor label for actors that are not a person.
_ACTOR_LABELS = {Actor.CONSOLE: "console", Actor.MARKETPLACE: "marketplace", Actor.SYSTEM: "system"}


# --- validation ---------------------------------------------------------------------------------------


def workspace_id_valid(workspace_id: str) -> bool:
    return bool(WORKSPACE_ID_RE.match(workspace_id or ""))


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


def _require_site(site: str) -> str:
    if not site_exists(site):
        raise ValidationFailed(_("This site is not known."), field="site", code="unknown_site")
    return site


def _require_language(language: str) -> str:
    wanted = (language or "").strip().lower()
    for code, _name in settings.LANGUAGES:
        if code.lower() == wanted:
            return code
    raise ValidationFailed(_("Choose English or Simplified Chinese."), field="language", code="unknown_language")


def _require_reason(reason: str) -> str:
    cleaned = (reason or "").strip()
    if len(cleaned) > REASON_MAX:
        raise ValidationFailed(
            _("A reason has at most %(max)d characters.") % {"max": REASON_MAX}, field="reason", code="invalid_reason"
        )
    return cleaned


# --- writing history and audit ------------------------------------------------------------------------


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
        raise NotFound(_("This workspace is not known."), code="workspace_not_found")
    return workspace


# --- register / update (the console) ------------------------------------------------------------------


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
    fields = {"name": _require_name(name), "site": _require_site(site), "language": _require_language(language)}
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


# --- binding ------------------------------------------------------------------------------------------


def _account_matching(*, username: str, email: str) -> Account | None:
    """The active account with this username whose bound email is ``email``; None for any mismatch."""
    username = (username or "").strip()
    if not username or len(username) > 64:
        return None
    account = Account.objects.filter(username__lower_exact=username, is_active=True).first()
    if account is None:
        return None
    typed = (email or "").strip().lower()
    # Compared as stored (normalized, lower-cased); an unparsable address simply does not match.
    return account if typed and account.email.lower() == typed else None


def _require_workspace_exists(workspace_id: str) -> None:
    if not workspace_id_valid(workspace_id) or not Workspace.objects.filter(pk=workspace_id).exists():
        raise NotFound(_("This workspace is not known."), code="workspace_not_found")


def workspace_bind_code_request(*, workspace_id: str, username: str, email: str, meta: RequestMeta) -> None:
    """Send a binding code to the account's bound email when username and email match; else nothing.

    The caller answers the same whatever happened here: a refused send (cooldown, caps, a locked
    purpose) is audited by the code mechanism and not reported, so the answer never tells a match.
    """
    _require_workspace_exists(workspace_id)
    account = _account_matching(username=username, email=email)
    if account is not None:
        # A refused send (cooldown, caps, a locked purpose) is audited by the code mechanism only.
        with contextlib.suppress(RateLimited):
            code_send(
                purpose=Purpose.WORKSPACE_BIND,
                channel=Channel.EMAIL,
                target=account.email,
                account=account,
                flow=workspace_id,
                meta=meta,
                language=account.language,
            )
    audit_record(
        event=events.WORKSPACE_BIND_CODE_REQUESTED,
        meta=meta,
        account=account,
        actor_label="console",
        target_type="workspaces.workspace",
        target_id=workspace_id,
        detail={"username": (username or "")[:64], "matched": account is not None},
    )


def workspace_bind_with_code(
    *,
    workspace_id: str,
    username: str,
    email: str,
    code: str,
    meta: RequestMeta,
    move_allowed: MoveRule | None = None,
) -> Workspace:
    """Bind the workspace to the account named by username + bound email, with the code sent there.

    Every mismatch and every wrong code raises the same ``invalid_code``; a workspace already bound to
    another account raises ``Conflict(workspace_bound)`` (checked under a row lock, so of two racing
    binds exactly one wins).
    """
    _require_workspace_exists(workspace_id)
    account = _account_matching(username=username, email=email)
    try:
        if account is not None:
            code_check(
                purpose=Purpose.WORKSPACE_BIND,
                target=account.email,
                code=code,
                flow=workspace_id,
                account=account,
                meta=meta,
            )
        else:
            # Same work and the same counters as a wrong code: no binding code ever has an empty flow,
            # so this check always fails, and the answer below is that of a wrong code.
            code_check(
                purpose=Purpose.WORKSPACE_BIND, target=(email or "")[:254], code=code, flow="", meta=meta
            )
            raise _invalid_code()
    except RateLimited as refusal:
        if refusal.code != "purpose_locked":
            raise
        # A locked purpose exists only for a real account: telling it apart would reveal a match.
        raise _invalid_code() from refusal
    except ValidationFailed:
        audit_record(
            event=events.WORKSPACE_BIND_REFUSED,
            meta=meta,
            account=account,
            actor_label="console",
            target_type="workspaces.workspace",
            target_id=workspace_id,
            detail={"username": (username or "")[:64], "reason": "invalid_code"},
        )
        raise _invalid_code() from None
    assert account is not None
    return workspace_bind(
        workspace_id=workspace_id, account=account, actor=Actor.CONSOLE, meta=meta, move_allowed=move_allowed
    )


def _invalid_code() -> ValidationFailed:
    return ValidationFailed(
        _("The code is wrong or no longer valid. Check it, or ask for a new code."),
        code="invalid_code",
        field="code",
    )


@transaction.atomic
def workspace_bind(
    *,
    workspace_id: str,
    account: Account,
    actor: str,
    meta: RequestMeta,
    actor_account: Account | None = None,
    reason: str = "",
    move_allowed: MoveRule | None = None,
) -> Workspace:
    """Bind an unbound workspace to ``account`` (binding it again to the same account changes nothing).

    Callers prove the right to bind: the console with a code (``workspace_bind_with_code``), an
    operator in the back office (``actor=Actor.OPERATOR, actor_account=operator``). A workspace bound to
    another account moves only when ``move_allowed(current, account)`` says so (the platform passes the
    certification rule: both accounts hold the same verified enterprise certification) and it settles
    through the account, not through the current holder's cloud account.
    """
    reason = _require_reason(reason)
    workspace = _locked(workspace_id)
    if workspace.account_id == account.pk:
        return workspace
    if workspace.account is not None:
        return _workspace_move(
            workspace=workspace,
            account=account,
            actor=actor,
            actor_account=actor_account,
            meta=meta,
            reason=reason,
            move_allowed=move_allowed,
        )
    _record(
        workspace=workspace,
        save={"account": account, "bound_at": timezone.now()},
        event=events.WORKSPACE_BOUND,
        change="bound",
        actor=actor,
        actor_account=actor_account,
        meta=meta,
        old={"account": None},
        new={"account": account.username},
        reason=reason,
    )
    return workspace


def _workspace_move(
    *,
    workspace: Workspace,
    account: Account,
    actor: str,
    actor_account: Account | None,
    meta: RequestMeta,
    reason: str,
    move_allowed: MoveRule | None,
) -> Workspace:
    current = workspace.account
    assert current is not None
    if move_allowed is None or not move_allowed(current, account):
        raise Conflict(
            _(
                "This workspace is already bound to another Billing Center account. It can move only between "
                "accounts that hold the same verified enterprise certification."
            ),
            code="workspace_bound",
        )
    if workspace.settlement_method != SettlementMethod.ACCOUNT:
        raise Conflict(
            _(
                "This workspace settles through its current holder's cloud account. Switch it to account "
                "settlement there before moving it."
            ),
            code="workspace_bound",
        )
    _record(
        workspace=workspace,
        save={"account": account, "bound_at": timezone.now()},
        event=events.WORKSPACE_MOVED,
        change="moved",
        actor=actor,
        actor_account=actor_account,
        meta=meta,
        old={"account": current.username},
        new={"account": account.username},
        reason=reason,
    )
    # The holder it left sees it in their own security log too.
    audit_record(
        event=events.WORKSPACE_MOVED,
        meta=meta,
        account=current,
        actor=actor_account,
        actor_label=_actor_label(actor, actor_account),
        target=workspace,
        old={"account": current.username},
        new={"account": account.username},
        detail={"actor": actor},
    )
    return workspace


# --- lock state ---------------------------------------------------------------------------------------


@transaction.atomic
def workspace_lock_set(
    *,
    workspace_id: str,
    state: str,
    reason: str = "",
    deadline: datetime | None = None,
    meta: RequestMeta,
    actor: str = Actor.CONSOLE,
    actor_account: Account | None = None,
) -> Workspace:
    """Set ``active``, ``grace`` (with a future deadline) or ``locked``, with the reason for it."""
    if state not in LockState.values:
        raise ValidationFailed(_("Choose active, grace or locked."), field="state", code="invalid_lock_state")
    reason = _require_reason(reason)
    if state == LockState.GRACE:
        if deadline is None:
            raise ValidationFailed(
                _("A grace period needs a deadline."), field="deadline", code="deadline_required"
            )
        if timezone.is_naive(deadline):
            raise ValidationFailed(
                _("Give the deadline with its time zone."), field="deadline", code="invalid_deadline"
            )
        if deadline <= timezone.now():
            raise ValidationFailed(
                _("The deadline must be in the future."), field="deadline", code="invalid_deadline"
            )
    else:
        deadline = None
    # An active workspace has nothing to explain; the history keeps why it was unlocked.
    stored_reason = "" if state == LockState.ACTIVE else reason
    workspace = _locked(workspace_id)
    old = {"state": workspace.lock_state, "reason": workspace.lock_reason, "deadline": json_value(workspace.lock_deadline)}
    new = {"state": state, "reason": stored_reason, "deadline": json_value(deadline)}
    if old == new:
        return workspace
    _record(
        workspace=workspace,
        save={"lock_state": state, "lock_reason": stored_reason, "lock_deadline": deadline},
        event=events.WORKSPACE_LOCK_CHANGED,
        change="lock",
        actor=actor,
        actor_account=actor_account,
        meta=meta,
        old=old,
        new=new,
        reason=reason,
    )
    return workspace


# --- settlement (offered to holders by cloud.settlement, which applies the rules of SPEC §4) -----------


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
