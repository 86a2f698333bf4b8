"""The event inbox of every marketplace call.

:func:`inbox_process` stores the call's ``InboxEvent`` row and runs the vendor handler in ONE
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
from typing import Any, NoReturn

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_center.audit.services import SYSTEM, RequestMeta, audit_record
from billing_center.cloud import events
from billing_center.cloud.models import CloudAccount, InboxEvent, InboxStatus
from billing_center.core.errors import ApplicationError, Conflict

logger = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 500


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
