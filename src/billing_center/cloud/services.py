"""The one state machine of cloud accounts and the event inbox of every marketplace call.

State machine (SPEC §5): ``pending → active ⇄ suspended → cancelling → cancelled → released``, plus
``failed``. Every change goes through :func:`cloud_account_transition`, which records when the state
was entered, writes the audit row and refuses what the machine does not allow:

- an illegal move (e.g. back to ``pending``) → :class:`TransitionRefused` ``illegal_transition``;
- any move out of a terminal state (``cancelled`` may still be ``released``) → ``terminal_state``;
- an event older than the last one applied (``event_at < last_event_at``) → ``stale_event``, so an
  older event never overrides a newer (terminal or not) state.

Inbox: :func:`inbox_process` stores the call's ``InboxEvent`` row and runs the vendor handler in ONE
transaction; the handler's answer is stored with the row. A call seen before (same vendor and dedup
key) that was processed gets the stored answer and changes nothing. A handler that fails rolls back
its effect, and the row is then kept as ``failed`` (with the error) so the vendor's own retry, or an
operator through :func:`inbox_retry`, runs it again from the stored request. Never lost.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NoReturn

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_center.audit.services import SYSTEM, RequestMeta, audit_record
from billing_center.cloud import events
from billing_center.cloud.lifecycle import workspaces_follow
from billing_center.cloud.models import CloudAccount, CloudAccountState, InboxEvent, InboxStatus
from billing_center.core.errors import ApplicationError, Conflict
from billing_center.core.updates import json_value

logger = logging.getLogger(__name__)

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

MAX_ERROR_LENGTH = 500


class TransitionRefused(Conflict):
    """The state machine does not allow this change; ``code`` says why."""


class InboxFailed(ApplicationError):
    """The handler of an inbox row raised; the row is kept as ``failed`` for a retry."""

    status = 409
    code = "marketplace_event_failed"

    def __init__(self, message: str, *, event: InboxEvent) -> None:
        super().__init__(message)
        self.event = event


@dataclass
class InboxContext:
    """What a vendor handler gets: the stored row (its ``request``) and where to note its effect."""

    event: InboxEvent
    meta: RequestMeta = SYSTEM
    # What the call changed, shown in the back office: {"state": ["pending", "active"], ...}.
    changes: dict[str, Any] = field(default_factory=dict)
    cloud_account: CloudAccount | None = None

    @property
    def request(self) -> dict[str, Any]:
        value = self.event.request
        return value if isinstance(value, dict) else {}

    def note(self, cloud_account: CloudAccount, changes: dict[str, Any]) -> None:
        self.cloud_account = cloud_account
        for name, change in changes.items():
            if name in self.changes and isinstance(change, list) and isinstance(self.changes[name], list):
                # Two changes of one field in one call: keep the first old value and the last new one.
                self.changes[name] = [self.changes[name][0], change[-1]]
            else:
                self.changes[name] = change


@dataclass(frozen=True)
class InboxOutcome:
    event: InboxEvent
    response: dict[str, Any]
    # True when the answer is the stored one of an earlier, identical call.
    replayed: bool


InboxHandler = Callable[[InboxContext], dict[str, Any]]


# --- Cloud accounts --------------------------------------------------------------------------------


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


# --- Inbox ----------------------------------------------------------------------------------------


MAX_DEDUP_KEY = 255


def dedup_key_fit(key: str) -> str:
    """``key`` as stored: a key longer than the column keeps its start and ends in its SHA-256 (no collisions)."""
    if len(key) <= MAX_DEDUP_KEY:
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{key[: MAX_DEDUP_KEY - len(digest) - 1]}#{digest}"


def inbox_process(
    *,
    vendor: str,
    dedup_key: str,
    action: str,
    request: dict[str, Any],
    handler: InboxHandler,
    meta: RequestMeta = SYSTEM,
) -> InboxOutcome:
    """Store the call and run ``handler`` on it in one transaction; a repeated call gets the stored answer.

    Raises :class:`InboxFailed` when the handler raised: its effect is rolled back and the row is kept
    as ``failed`` (the same call later, or :func:`inbox_retry`, runs it again).
    """
    dedup_key = dedup_key_fit(dedup_key)
    try:
        with transaction.atomic():
            existing = (
                InboxEvent.objects.select_for_update().filter(vendor=vendor, dedup_key=dedup_key).first()
            )
            if existing is not None and existing.status == InboxStatus.PROCESSED:
                return InboxOutcome(event=existing, response=existing.response, replayed=True)
            if existing is None:
                row = InboxEvent.objects.create(
                    vendor=vendor, dedup_key=dedup_key, action=action[:64], request=request
                )
            else:
                row = existing
            return _run(row, handler, meta)
    except _HandlerFailed as failed:
        _keep_failed(vendor=vendor, dedup_key=dedup_key, action=action, request=request, failed=failed)
    except IntegrityError:
        # The same call arrived concurrently and its row was committed first: answer as a replay.
        winner = InboxEvent.objects.get(vendor=vendor, dedup_key=dedup_key)
        if winner.status == InboxStatus.PROCESSED:
            return InboxOutcome(event=winner, response=winner.response, replayed=True)
        raise InboxFailed(_("The marketplace call is being processed; retry later."), event=winner) from None


def inbox_retry(*, event: InboxEvent, meta: RequestMeta = SYSTEM, operator: Any = None) -> InboxOutcome:
    """Re-run a failed (or never finished) inbox row through its vendor's handler, from the stored request."""
    from billing_center.cloud.vendors import vendor_get

    if InboxEvent.objects.filter(pk=event.pk, status=InboxStatus.PROCESSED).exists():
        raise Conflict(_("This marketplace call was already processed."), code="already_processed")
    vendor = vendor_get(event.vendor)
    if vendor is None:
        raise ApplicationError(_("No marketplace vendor handles this event."), code="unknown_vendor")
    handler = vendor.inbox_handler()
    try:
        with transaction.atomic():
            row = InboxEvent.objects.select_for_update().get(pk=event.pk)
            if row.status == InboxStatus.PROCESSED:
                raise Conflict(_("This marketplace call was already processed."), code="already_processed")
            outcome = _run(row, handler, meta)
            audit_record(
                event=events.INBOX_RETRIED,
                meta=meta,
                actor=operator,
                actor_label="" if operator is not None else "system",
                target=row,
                detail={"vendor": row.vendor, "action": row.action, "attempts": row.attempts},
            )
            return outcome
    except _HandlerFailed as failed:
        _keep_failed(
            vendor=event.vendor,
            dedup_key=event.dedup_key,
            action=event.action,
            request=event.request,
            failed=failed,
        )


class _HandlerFailed(Exception):
    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _run(row: InboxEvent, handler: InboxHandler, meta: RequestMeta) -> InboxOutcome:
    ctx = InboxContext(event=row, meta=meta)
    try:
        with transaction.atomic():
            response = handler(ctx)
    except Exception as exc:
        logger.exception("Marketplace inbox row %s:%s failed", row.vendor, row.dedup_key)
        raise _HandlerFailed(exc) from exc
    row.status = InboxStatus.PROCESSED
    row.processed_at = timezone.now()
    row.response = response
    row.result = ctx.changes
    row.error = ""
    row.attempts = row.attempts + 1
    row.cloud_account = ctx.cloud_account
    row.save()
    return InboxOutcome(event=row, response=response, replayed=False)


def _keep_failed(
    *, vendor: str, dedup_key: str, action: str, request: dict[str, Any], failed: _HandlerFailed
) -> NoReturn:
    """Runs after the failed transaction rolled back: keep (or mark) the row as failed, then raise."""
    error = f"{failed.error.__class__.__name__}: {failed.error}"[:MAX_ERROR_LENGTH]
    with transaction.atomic():
        row, _created = InboxEvent.objects.select_for_update().get_or_create(
            vendor=vendor, dedup_key=dedup_key, defaults={"action": action[:64], "request": request}
        )
        row.status = InboxStatus.FAILED
        row.error = error
        row.attempts = row.attempts + 1
        row.save()
        audit_record(
            event=events.INBOX_FAILED,
            actor_label=vendor,
            target=row,
            detail={"vendor": vendor, "action": row.action, "error": error},
        )
    raise InboxFailed(_("The marketplace call could not be processed; it is kept for a retry."), event=row)
