"""Binding a workspace to an account (SPEC §4, §8), and moving it between accounts.

The binding flow is enumeration-safe: an unknown username, an email that is not that account's, and a
match answer alike; only a match sends a code, to the account's bound email, through the one code
mechanism (``verification``, purpose ``workspace_bind``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_center.accounts.models import Account
from billing_center.audit.services import RequestMeta, audit_record
from billing_center.core.errors import Conflict, RateLimited, ValidationFailed
from billing_center.verification.models import Channel, Purpose
from billing_center.verification.services import code_check, code_send, invalid_code_error
from billing_center.workspaces import events
from billing_center.workspaces.models import Actor, SettlementMethod, Workspace
from billing_center.workspaces.selectors import workspace_not_found
from billing_center.workspaces.services.common import (
    _actor_label,
    _locked,
    _record,
    _require_reason,
    workspace_id_valid,
)

# (current holder, new holder) -> may the workspace move? Given by the layer that knows the rule (the
# platform passes the certification app's), so this app never imports the ones above it.
MoveRule = Callable[[Account, Account], bool]


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
        raise workspace_not_found()


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
            raise invalid_code_error()
    except RateLimited as refusal:
        if refusal.code != "purpose_locked":
            raise
        # A locked purpose exists only for a real account: telling it apart would reveal a match.
        raise invalid_code_error() from refusal
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
        raise invalid_code_error() from None
    assert account is not None
    return workspace_bind(
        workspace_id=workspace_id, account=account, actor=Actor.CONSOLE, meta=meta, move_allowed=move_allowed
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
