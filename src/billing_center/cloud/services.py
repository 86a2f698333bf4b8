"""The one state machine of cloud accounts, and the writes vendor handlers make through it.

State machine (SPEC §5): ``pending → active ⇄ suspended → cancelling → cancelled → released``, plus
``failed``. Every change goes through :func:`cloud_account_transition`, which records when the state
was entered, writes the audit row and refuses what the machine does not allow:

- an illegal move (e.g. back to ``pending``) → :class:`TransitionRefused` ``illegal_transition``;
- any move out of a terminal state (``cancelled`` may still be ``released``) → ``terminal_state``;
- an event older than the last one applied (``event_at < last_event_at``) → ``stale_event``, so an
  older event never overrides a newer (terminal or not) state.

Handlers of the inbox (``cloud.inbox``) use :func:`cloud_account_apply` and :func:`cloud_account_open`,
which note what changed on the call's :class:`~billing_center.cloud.inbox.InboxContext`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from billing_center.audit.services import SYSTEM, RequestMeta, audit_record
from billing_center.cloud import events
from billing_center.cloud.inbox import InboxContext
from billing_center.cloud.lifecycle import workspaces_follow
from billing_center.cloud.models import CloudAccount, CloudAccountState
from billing_center.core.errors import Conflict
from billing_center.core.updates import json_value

S = CloudAccountState

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.ACTIVE, S.SUSPENDED, S.CANCELLING, S.CANCELLED, S.RELEASED, S.FAILED}),
    S.ACTIVE: frozenset({S.SUSPENDED, S.CANCELLING, S.CANCELLED, S.RELEASED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.CANCELLING, S.CANCELLED, S.RELEASED}),
    # AWS: a re-subscribe before unsubscribe-success brings the subscription back.
    S.CANCELLING: frozenset({S.ACTIVE, S.CANCELLED, S.RELEASED}),
    S.CANCELLED: frozenset({S.RELEASED}),
    S.RELEASED: frozenset(),
    S.FAILED: frozenset({S.CANCELLED, S.RELEASED}),
}
TERMINAL_STATES = frozenset({S.CANCELLED, S.RELEASED, S.FAILED})


class TransitionRefused(Conflict):
    """The state machine does not allow this change; ``code`` says why."""


@transaction.atomic
def cloud_account_record(
    *,
    vendor: str,
    instance_id: str,
    event_at: datetime,
    vendor_account_id: str = "",
    product: str = "",
    trial: bool = False,
    expires_at: datetime | None = None,
    vendor_data: dict[str, Any] | None = None,
    state: str = S.PENDING,
    meta: RequestMeta = SYSTEM,
) -> tuple[CloudAccount, bool]:
    """The cloud account of (vendor, instance id), created in ``state`` if new; (account, created).

    An existing account is returned unchanged: a repeated create never changes it.
    """
    existing = CloudAccount.objects.select_for_update().filter(vendor=vendor, instance_id=instance_id).first()
    if existing is not None:
        return existing, False
    cloud_account = CloudAccount.objects.create(
        vendor=vendor,
        instance_id=instance_id,
        vendor_account_id=vendor_account_id,
        product=product,
        trial=trial,
        expires_at=expires_at,
        vendor_data=vendor_data or {},
        state=state,
        transitions={state: event_at.isoformat()},
        last_event_at=event_at,
    )
    audit_record(
        event=events.CLOUD_ACCOUNT_RECORDED,
        meta=meta,
        actor_label=vendor,
        target=cloud_account,
        new={"state": state, "vendor_account_id": vendor_account_id, "product": product, "trial": trial},
    )
    return cloud_account, True


def _locked_for(cloud_account: CloudAccount, event_at: datetime) -> CloudAccount:
    """The row, locked, for an event of time ``event_at``: refused (``stale_event``) if a newer one was applied."""
    locked = CloudAccount.objects.select_for_update().get(pk=cloud_account.pk)
    if locked.last_event_at is not None and event_at < locked.last_event_at:
        raise TransitionRefused(_("An older event cannot change a newer state."), code="stale_event")
    return locked


@transaction.atomic
def cloud_account_transition(
    *,
    cloud_account: CloudAccount,
    to_state: str,
    event_at: datetime,
    reason: str = "",
    meta: RequestMeta = SYSTEM,
) -> bool:
    """Move ``cloud_account`` to ``to_state`` for an event of time ``event_at``; False if already there.

    Raises :class:`TransitionRefused` (``illegal_transition``, ``terminal_state`` or ``stale_event``)
    and changes nothing when the machine does not allow it.
    """
    if to_state not in ALLOWED_TRANSITIONS:
        raise ValueError(f"Unknown cloud account state {to_state!r}")
    locked = _locked_for(cloud_account, event_at)
    from_state = locked.state
    if to_state == from_state:
        # Nothing moves, but the event is the newest seen: an older one arriving later stays stale.
        if locked.last_event_at is None or event_at > locked.last_event_at:
            locked.last_event_at = event_at
            locked.save(update_fields=["last_event_at", "updated_at"])
        _sync(cloud_account, locked)
        return False
    if to_state not in ALLOWED_TRANSITIONS[from_state]:
        code = "terminal_state" if from_state in TERMINAL_STATES else "illegal_transition"
        raise TransitionRefused(
            _("A cloud account cannot go from %(from)s to %(to)s.") % {"from": from_state, "to": to_state},
            code=code,
        )
    locked.state = to_state
    locked.transitions = {**(locked.transitions or {}), to_state: event_at.isoformat()}
    locked.last_event_at = event_at
    locked.save(update_fields=["state", "transitions", "last_event_at", "updated_at"])
    audit_record(
        event=events.CLOUD_ACCOUNT_TRANSITIONED,
        meta=meta,
        account=locked.account,
        actor_label=locked.vendor,
        target=locked,
        old={"state": from_state},
        new={"state": to_state},
        detail={"reason": reason, "event_at": event_at.isoformat()}
        if reason
        else {"event_at": event_at.isoformat()},
    )
    # SPEC §5: the workspaces it settles follow (grace, restored, fallback or locked), in this transaction.
    workspaces_follow(cloud_account=locked, from_state=from_state, to_state=to_state, meta=meta)
    _sync(cloud_account, locked)
    return True


UPDATABLE_FIELDS = ("vendor_account_id", "product", "trial", "expires_at")


@transaction.atomic
def cloud_account_update(
    *,
    cloud_account: CloudAccount,
    event_at: datetime,
    changes: dict[str, Any],
    vendor_data: dict[str, Any] | None = None,
    meta: RequestMeta = SYSTEM,
) -> dict[str, list[Any]]:
    """Change the account's details (expiry, product, trial, vendor fields); the changed ones as [old, new].

    Refused (``stale_event`` / ``terminal_state``) for an event older than the last applied one, or on
    an account in a terminal state.
    """
    unknown = set(changes) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not updatable on a cloud account: {sorted(unknown)}")
    locked = _locked_for(cloud_account, event_at)
    if locked.state in TERMINAL_STATES:
        raise TransitionRefused(_("This cloud account has ended and cannot change."), code="terminal_state")
    changed: dict[str, list[Any]] = {}
    for name, value in changes.items():
        old = getattr(locked, name)
        if old != value:
            changed[name] = [json_value(old), json_value(value)]
            setattr(locked, name, value)
    for name, value in (vendor_data or {}).items():
        old = (locked.vendor_data or {}).get(name)
        if old != value:
            changed[f"vendor_data.{name}"] = [old, value]
            locked.vendor_data = {**(locked.vendor_data or {}), name: value}
    if changed:
        locked.last_event_at = max(event_at, locked.last_event_at or event_at)
        locked.save()
        audit_record(
            event=events.CLOUD_ACCOUNT_UPDATED,
            meta=meta,
            account=locked.account,
            actor_label=locked.vendor,
            target=locked,
            old={name: pair[0] for name, pair in changed.items()},
            new={name: pair[1] for name, pair in changed.items()},
        )
    _sync(cloud_account, locked)
    return changed


def _sync(target: CloudAccount, source: CloudAccount) -> None:
    for name in ("state", "transitions", "last_event_at", "vendor_data", "updated_at", *UPDATABLE_FIELDS):
        setattr(target, name, getattr(source, name))


def cloud_account_apply(
    ctx: InboxContext,
    *,
    cloud_account: CloudAccount,
    to_state: str | None = None,
    event_at: datetime,
    changes: dict[str, Any] | None = None,
    vendor_data: dict[str, Any] | None = None,
    reason: str = "",
) -> bool:
    """For handlers: apply a state change and/or detail changes, noting them (or why not) on ``ctx``.

    Returns False when the state machine refused (the refusal is noted as ``ignored`` and audited).
    """
    noted: dict[str, Any] = {}
    try:
        with transaction.atomic():
            before = cloud_account.state
            if changes or vendor_data:
                noted.update(
                    cloud_account_update(
                        cloud_account=cloud_account,
                        event_at=event_at,
                        changes=changes or {},
                        vendor_data=vendor_data,
                        meta=ctx.meta,
                    )
                )
            if to_state is not None and cloud_account_transition(
                cloud_account=cloud_account,
                to_state=to_state,
                event_at=event_at,
                reason=reason,
                meta=ctx.meta,
            ):
                noted["state"] = [before, to_state]
    except TransitionRefused as refused:
        ctx.note(cloud_account, {"ignored": refused.code})
        audit_record(
            event=events.CLOUD_EVENT_IGNORED,
            meta=ctx.meta,
            account=cloud_account.account,
            actor_label=cloud_account.vendor,
            target=cloud_account,
            detail={"action": ctx.event.action, "code": refused.code, "state": cloud_account.state},
        )
        return False
    ctx.note(cloud_account, noted)
    return True


def cloud_account_open(
    ctx: InboxContext,
    *,
    vendor: str,
    instance_id: str,
    event_at: datetime,
    reason: str,
    vendor_account_id: str,
    product: str,
    trial: bool,
    expires_at: datetime | None,
    vendor_data: dict[str, Any],
) -> CloudAccount:
    """For handlers of a marketplace's "new subscription" call: record the account and activate it.

    A retried call finds the account its first call recorded. Nothing is provisioned on our side, so
    the subscription is usable (and linkable) as soon as it is recorded.
    """
    cloud_account, created = cloud_account_record(
        vendor=vendor,
        instance_id=instance_id,
        vendor_account_id=vendor_account_id,
        product=product,
        trial=trial,
        expires_at=expires_at,
        vendor_data=vendor_data,
        state=S.PENDING,
        event_at=event_at,
        meta=ctx.meta,
    )
    if created:
        ctx.note(cloud_account, {"created": [None, instance_id]})
    cloud_account_apply(ctx, cloud_account=cloud_account, to_state=S.ACTIVE, event_at=event_at, reason=reason)
    return cloud_account
