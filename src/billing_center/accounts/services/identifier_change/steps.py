"""The holder's steps of an identifier change: start, verify the current address, submit the new one,
confirm with the code sent there (which commits), resend a code, cancel."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_center.accounts.models import (
    PENDING_STATES,
    Account,
    ChangePath,
    ChangeState,
    IdentifierChange,
)
from billing_center.accounts.services.identifier_change.commit import _commit, _lost_phone_notices
from billing_center.accounts.services.identifier_change.common import (
    _audit,
    _code_check,
    _current_value,
    _finish,
    _first_code_target,
    _kind,
    _live_change,
    _locked,
    _normalize,
    _owner_of,
    _path_for,
    _require_reauthenticated,
    _require_state,
    _require_wait_over,
    _same_address,
    _send_current_code,
    _send_new_code,
    _taken_error,
)
from billing_center.audit.services import RequestMeta
from billing_center.core.errors import Conflict, ValidationFailed
from billing_center.core.masking import mask_target

__all__ = [
    "identifier_change_cancel",
    "identifier_change_confirm",
    "identifier_change_resend",
    "identifier_change_start",
    "identifier_change_submit_new",
    "identifier_change_verify_current",
]


def identifier_change_start(
    *,
    account: Account,
    kind: str,
    reauthenticated: bool,
    meta: RequestMeta,
    end_other_sessions: bool = True,
    lost_phone: bool = False,
) -> IdentifierChange:
    """Step 1: a code to the current address (or to the login email when adding or replacing a lost
    phone). Cancels any pending change of the same kind."""
    kind = _kind(kind)
    _require_reauthenticated(reauthenticated)
    path = _path_for(account, kind, lost_phone=lost_phone)
    target = _first_code_target(account, kind, path)
    now = timezone.now()
    with transaction.atomic():
        # Serializes concurrent starts of one account, so the partial unique constraint never trips.
        Account.objects.select_for_update().filter(pk=account.pk).first()
        for pending in IdentifierChange.objects.select_for_update().filter(
            account=account, kind=kind, state__in=PENDING_STATES
        ):
            _finish(pending, state=ChangeState.CANCELLED, meta=meta, reason="restarted")
        change = IdentifierChange.objects.create(
            account=account,
            kind=kind,
            path=path,
            current_target=target,
            end_other_sessions=end_other_sessions,
            expires_at=now + timedelta(seconds=settings.IDENTIFIER_CHANGE_TTL_SECONDS),
        )
        _audit(change, "started", meta, new={"target": mask_target(target)})
        _send_current_code(change, account, meta)
    return change


def identifier_change_verify_current(
    *, account: Account, kind: str, code: str, meta: RequestMeta
) -> IdentifierChange:
    """Step 2: the code sent to the current address (or login email) proves control of it."""
    kind = _kind(kind)
    change = _live_change(account, kind, meta)
    _require_state(change, ChangeState.STARTED)
    _code_check(change, account, code, meta)
    now = timezone.now()
    with transaction.atomic():
        change = _locked(change, ChangeState.STARTED)
        if change.path == ChangePath.LOST_PHONE:
            change.state = ChangeState.WAITING
            change.ready_at = now + timedelta(seconds=settings.LOST_PHONE_DELAY_SECONDS)
            change.expires_at = change.ready_at + timedelta(
                seconds=settings.LOST_PHONE_COMPLETE_WINDOW_SECONDS
            )
            transaction.on_commit(_lost_phone_notices(account, change, meta, now))
        else:
            change.state = ChangeState.CURRENT_VERIFIED
        change.save(update_fields=["state", "ready_at", "expires_at", "updated_at"])
        _audit(change, "current_verified", meta)
    return change


def identifier_change_submit_new(
    *, account: Account, kind: str, value: str, meta: RequestMeta, reauthenticated: bool
) -> IdentifierChange:
    """Step 3: the new address gets a code. An address of another account gets a notice instead, and
    the answer is exactly the same (no enumeration). Entering another address again replaces it."""
    kind = _kind(kind)
    change = _live_change(account, kind, meta)
    _require_state(change, ChangeState.CURRENT_VERIFIED, ChangeState.WAITING, ChangeState.NEW_CODE_SENT)
    if change.path == ChangePath.LOST_PHONE:
        _require_wait_over(change)
        # The waiting period outlives any session: the holder confirms it is them again.
        _require_reauthenticated(reauthenticated)
    new_value = _normalize(kind, value)
    if _same_address(kind, new_value, _current_value(account, kind)):
        raise ValidationFailed(
            _("This is already your current address. Enter a different one."), field=kind, code="same_address"
        )
    owner = _owner_of(kind, new_value, exclude=account)
    with transaction.atomic():
        change = _locked(change, ChangeState.CURRENT_VERIFIED, ChangeState.WAITING, ChangeState.NEW_CODE_SENT)
        change.new_value = new_value
        change.state = ChangeState.NEW_CODE_SENT
        change.save(update_fields=["new_value", "state", "updated_at"])
        _audit(change, "new_code_sent", meta, new={"target": mask_target(new_value)})
        _send_new_code(change, account, owner, meta)
    return change


def identifier_change_confirm(
    *,
    account: Account,
    kind: str,
    code: str,
    meta: RequestMeta,
    keep_session_key: str | None,
    end_other_sessions: bool | None = None,
) -> IdentifierChange:
    """Step 4: the code sent to the new address commits the change in one transaction."""
    kind = _kind(kind)
    change = _live_change(account, kind, meta)
    _require_state(change, ChangeState.NEW_CODE_SENT)
    _code_check(change, account, code, meta)
    try:
        change = _commit(
            change,
            proven_value=change.new_value,
            meta=meta,
            end_other_sessions=end_other_sessions,
            keep_session_key=keep_session_key,
        )
    except IntegrityError as exc:
        # Another account took the address between the uniqueness check and the write.
        raise _taken_error(kind) from exc
    setattr(account, kind, change.new_value)
    return change


def identifier_change_resend(*, account: Account, kind: str, meta: RequestMeta) -> IdentifierChange:
    """A new code for the step the change is at (the cooldown and caps of the code service apply)."""
    kind = _kind(kind)
    change = _live_change(account, kind, meta)
    _require_state(change, ChangeState.STARTED, ChangeState.NEW_CODE_SENT)
    with transaction.atomic():
        change = _locked(change, ChangeState.STARTED, ChangeState.NEW_CODE_SENT)
        if change.state == ChangeState.STARTED:
            _send_current_code(change, account, meta)
        else:
            _send_new_code(change, account, _owner_of(kind, change.new_value, exclude=account), meta)
        _audit(change, "code_resent", meta)
    return change


def identifier_change_cancel(*, account: Account, kind: str, meta: RequestMeta) -> None:
    """Cancel the pending change of ``kind`` at any step (nothing on the account has changed)."""
    kind = _kind(kind)
    with transaction.atomic():
        change = (
            IdentifierChange.objects.select_for_update()
            .filter(account=account, kind=kind, state__in=PENDING_STATES)
            .first()
        )
        if change is None:
            raise Conflict(_("There is no change in progress."), code="no_pending_change")
        _finish(change, state=ChangeState.CANCELLED, meta=meta, reason="holder")
