"""Change of a login identifier (email or phone): the strict server-side state machine of SPEC §3.

    started ──code to current──▶ current_verified ──new address──▶ new_code_sent ──code to new──▶ committed
       │ (lost phone)                                                  ▲
       └──code to login email──▶ waiting (LOST_PHONE_DELAY_SECONDS) ──┘ new phone entered after the wait

Every step re-reads the change under a row lock and refuses anything but the one expected state, so no
step can be skipped, repeated out of order, or applied to a cancelled or expired change. Nothing on the
account changes before ``committed``. One-time codes are bound to the change's ``flow`` id, so a code of
one change, step or purpose never passes for another.

Codes are checked *before* the write transaction opens: a wrong code must count as a failed try even
though the step then fails, and a rolled-back transaction would undo that count.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import billing_center.verification.services as codes
from billing_center.accounts import events
from billing_center.accounts.identifiers import normalize_email, normalize_phone
from billing_center.accounts.models import (
    PENDING_STATES,
    Account,
    ChangeKind,
    ChangePath,
    ChangeState,
    IdentifierChange,
)
from billing_center.accounts.services import notices as notices
from billing_center.accounts.services.sessions import sessions_end_others
from billing_center.audit.services import RequestMeta, audit_record
from billing_center.core.errors import Conflict, ReauthenticationRequired, ValidationFailed
from billing_center.core.masking import mask_target
from billing_center.verification.models import Channel, Purpose

CURRENT_PURPOSE = {ChangeKind.EMAIL: Purpose.EMAIL_CHANGE_CURRENT, ChangeKind.PHONE: Purpose.PHONE_CHANGE_CURRENT}
NEW_PURPOSE = {ChangeKind.EMAIL: Purpose.EMAIL_CHANGE_NEW, ChangeKind.PHONE: Purpose.PHONE_CHANGE_NEW}
CHANNEL = {ChangeKind.EMAIL: Channel.EMAIL, ChangeKind.PHONE: Channel.SMS}


# --- Steps ----------------------------------------------------------------------------------------


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
    target, channel = _first_code_target(account, kind, path)
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
        codes.code_send(
            purpose=CURRENT_PURPOSE[kind],
            channel=channel,
            target=target,
            account=account,
            flow=str(change.flow),
            meta=meta,
            language=account.language,
        )
    return change


def identifier_change_verify_current(
    *, account: Account, kind: str, code: str, meta: RequestMeta
) -> IdentifierChange:
    """Step 2: the code sent to the current address (or login email) proves control of it."""
    kind = _kind(kind)
    change = _live_change(account, kind, meta)
    _require_state(change, ChangeState.STARTED)
    codes.code_check(
        purpose=CURRENT_PURPOSE[kind],
        target=change.current_target,
        code=code,
        flow=str(change.flow),
        account=account,
        meta=meta,
    )
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
    codes.code_check(
        purpose=NEW_PURPOSE[kind],
        target=change.new_value,
        code=code,
        flow=str(change.flow),
        account=account,
        meta=meta,
    )
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
            codes.code_send(
                purpose=CURRENT_PURPOSE[kind],
                channel=_first_code_channel(kind, change.path),
                target=change.current_target,
                account=account,
                flow=str(change.flow),
                meta=meta,
                language=account.language,
            )
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


# --- Commit ---------------------------------------------------------------------------------------


@transaction.atomic
def _commit(
    change: IdentifierChange,
    *,
    proven_value: str,
    meta: RequestMeta,
    end_other_sessions: bool | None,
    keep_session_key: str | None,
) -> IdentifierChange:
    change = _locked(change, ChangeState.NEW_CODE_SENT)
    if change.new_value != proven_value:
        # Another request entered a different new address after the code was checked: the code
        # proved the address it was sent to, never the one now pending.
        raise Conflict(
            _("This step is not available now. Follow the steps in order."),
            code="wrong_step",
            extra={"state": change.state},
        )
    kind = ChangeKind(change.kind)
    account = Account.objects.select_for_update().get(pk=change.account_id)
    if _owner_of(kind, change.new_value, exclude=account) is not None:
        raise _taken_error(kind)
    old_value = _current_value(account, kind)
    setattr(account, kind, change.new_value)
    account.save(update_fields=[kind, "updated_at"])
    now = timezone.now()
    change.state = ChangeState.COMMITTED
    change.finished_at = now
    if end_other_sessions is not None:
        change.end_other_sessions = end_other_sessions
    change.save(update_fields=["state", "finished_at", "end_other_sessions", "updated_at"])
    if old_value:
        codes.codes_void(target=old_value)
        # A pending change of the other kind whose codes go to the address given up (adding or
        # replacing a phone proves the login email) must never send more to it: start over.
        for other in IdentifierChange.objects.select_for_update().filter(
            account=account, state__in=PENDING_STATES, current_target__iexact=old_value
        ).exclude(pk=change.pk):
            _finish(other, state=ChangeState.CANCELLED, meta=meta, reason="address_changed")
    codes.codes_void(account=account, purposes=[CURRENT_PURPOSE[kind], NEW_PURPOSE[kind]])
    audit_record(
        event=events.IDENTIFIER_CHANGED[kind],
        account=account,
        meta=meta,
        target=change,
        old={kind: mask_target(old_value) if old_value else ""},
        new={kind: mask_target(change.new_value)},
        detail={"path": change.path, "end_other_sessions": change.end_other_sessions},
    )
    transaction.on_commit(_commit_notices(account, kind, old_value, change.new_value, meta, now))
    if change.end_other_sessions:
        transaction.on_commit(
            lambda: sessions_end_others(account=account, keep_session_key=keep_session_key, meta=meta)
        )
    return change


def _commit_notices(
    account: Account, kind: ChangeKind, old: str, new: str, meta: RequestMeta, moment: datetime
) -> Callable[[], None]:
    def send() -> None:
        language = account.language
        if kind == ChangeKind.EMAIL:
            for target, to_old in ((old, True), (new, False)):
                subject, body = notices.identifier_changed_email(
                    language=language,
                    kind=kind,
                    username=account.username,
                    old=old,
                    new=new,
                    to_old=to_old,
                    meta=meta,
                    moment=moment,
                )
                codes.notice_send(
                    channel=Channel.EMAIL, target=target, subject=subject, body=body, account=account, meta=meta
                )
            return
        subject, body = notices.identifier_changed_email(
            language=language,
            kind=kind,
            username=account.username,
            old=old,
            new=new,
            to_old=True,
            meta=meta,
            moment=moment,
        )
        codes.notice_send(
            channel=Channel.EMAIL, target=account.email, subject=subject, body=body, account=account, meta=meta
        )
        sms = notices.phone_changed_sms(language=language)
        for target in filter(None, (old, new)):
            codes.notice_send(channel=Channel.SMS, target=target, subject="", body=sms, account=account, meta=meta)

    return send


def _lost_phone_notices(
    account: Account, change: IdentifierChange, meta: RequestMeta, moment: datetime
) -> Callable[[], None]:
    """Every channel hears about a lost-phone request, so a holder whose session was stolen can cancel."""
    ready_at = change.ready_at

    def send() -> None:
        assert ready_at is not None
        subject, body = notices.lost_phone_waiting_email(
            language=account.language, username=account.username, ready_at=ready_at, meta=meta, moment=moment
        )
        codes.notice_send(
            channel=Channel.EMAIL, target=account.email, subject=subject, body=body, account=account, meta=meta
        )
        if account.phone:
            codes.notice_send(
                channel=Channel.SMS,
                target=account.phone,
                subject="",
                body=notices.lost_phone_waiting_sms(language=account.language),
                account=account,
                meta=meta,
            )

    return send


# --- Helpers --------------------------------------------------------------------------------------


def _kind(kind: str) -> ChangeKind:
    try:
        return ChangeKind(kind)
    except ValueError as exc:
        raise ValidationFailed(_("Unknown kind of change."), code="invalid_kind") from exc


def _require_reauthenticated(reauthenticated: bool) -> None:
    if not reauthenticated:
        raise ReauthenticationRequired(_("Confirm it is you (password or a code) before changing this."))


def _path_for(account: Account, kind: ChangeKind, *, lost_phone: bool) -> ChangePath:
    if kind == ChangeKind.EMAIL:
        if lost_phone:
            raise ValidationFailed(_("Only a phone number can be reported lost."), code="invalid_path")
        return ChangePath.CHANGE
    if not account.phone:
        if lost_phone:
            raise ValidationFailed(_("This account has no phone number to replace."), code="invalid_path")
        return ChangePath.ADD_PHONE
    return ChangePath.LOST_PHONE if lost_phone else ChangePath.CHANGE


def _first_code_channel(kind: ChangeKind | str, path: str) -> str:
    return Channel.SMS if kind == ChangeKind.PHONE and path == ChangePath.CHANGE else Channel.EMAIL


def _first_code_target(account: Account, kind: ChangeKind, path: ChangePath) -> tuple[str, str]:
    channel = _first_code_channel(kind, path)
    return (account.phone or "", channel) if channel == Channel.SMS else (account.email, channel)


def _current_value(account: Account, kind: ChangeKind | str) -> str:
    return (account.email if kind == ChangeKind.EMAIL else account.phone) or ""


def _normalize(kind: ChangeKind, value: str) -> str:
    return normalize_email(value) if kind == ChangeKind.EMAIL else normalize_phone(value)


def _same_address(kind: ChangeKind, left: str, right: str) -> bool:
    return left.casefold() == right.casefold() if kind == ChangeKind.EMAIL else left == right


def _owner_of(kind: ChangeKind, value: str, *, exclude: Account) -> Account | None:
    accounts = Account.objects.exclude(pk=exclude.pk)
    if kind == ChangeKind.EMAIL:
        return accounts.filter(email__lower_exact=value).first()
    return accounts.filter(phone=value).first()


def _taken_error(kind: ChangeKind) -> Conflict:
    # Only reachable after the holder proved control of the new address with its code, so saying
    # "taken" here reveals nothing the holder could not learn otherwise.
    return Conflict(
        _("This address is now used by another account. Start again with another address."),
        field=str(kind),
        code="address_taken",
    )


def _send_new_code(
    change: IdentifierChange, account: Account, owner: Account | None, meta: RequestMeta
) -> None:
    kind = ChangeKind(change.kind)
    decoy = notices.address_taken_notice(language=owner.language, kind=kind) if owner is not None else None
    codes.code_send(
        purpose=NEW_PURPOSE[kind],
        channel=CHANNEL[kind],
        target=change.new_value,
        account=account,
        flow=str(change.flow),
        meta=meta,
        language=account.language,
        decoy_notice=decoy,
    )


def _live_change(account: Account, kind: ChangeKind, meta: RequestMeta) -> IdentifierChange:
    """The pending change of ``kind``; an expired one is closed (and reported as expired)."""
    change = IdentifierChange.objects.filter(account=account, kind=kind, state__in=PENDING_STATES).first()
    if change is None:
        raise Conflict(_("There is no change in progress. Start again."), code="no_pending_change")
    if change.expires_at <= timezone.now():
        with transaction.atomic():
            locked = IdentifierChange.objects.select_for_update().get(pk=change.pk)
            if locked.is_pending:
                _finish(locked, state=ChangeState.EXPIRED, meta=meta, reason="timeout")
        raise Conflict(_("This change has expired. Start again."), code="change_expired")
    return change


def _locked(change: IdentifierChange, *states: str) -> IdentifierChange:
    """Re-read the change under a row lock and insist it is still at one of ``states`` and live."""
    locked = IdentifierChange.objects.select_for_update().get(pk=change.pk)
    _require_state(locked, *states)
    if locked.expires_at <= timezone.now():
        raise Conflict(_("This change has expired. Start again."), code="change_expired")
    return locked


def _require_state(change: IdentifierChange, *states: str) -> None:
    if change.state not in states:
        raise Conflict(
            _("This step is not available now. Follow the steps in order."),
            code="wrong_step",
            extra={"state": change.state},
        )


def _require_wait_over(change: IdentifierChange) -> None:
    if change.state == ChangeState.WAITING and change.ready_at and timezone.now() < change.ready_at:
        raise Conflict(
            _("For your safety a new phone can be added after the waiting period."),
            code="waiting_period",
            extra={"ready_at": change.ready_at.isoformat()},
        )


def _finish(change: IdentifierChange, *, state: ChangeState, meta: RequestMeta, reason: str) -> None:
    change.state = state
    change.finished_at = timezone.now()
    change.save(update_fields=["state", "finished_at", "updated_at"])
    kind = ChangeKind(change.kind)
    codes.codes_void(account=change.account, purposes=[CURRENT_PURPOSE[kind], NEW_PURPOSE[kind]])
    _audit(change, str(state), meta, detail={"reason": reason})


def _audit(
    change: IdentifierChange,
    step: str,
    meta: RequestMeta,
    *,
    new: dict[str, str] | None = None,
    detail: dict[str, str] | None = None,
) -> None:
    audit_record(
        event=events.IDENTIFIER_CHANGE_STEPS[(change.kind, step)],
        account=change.account,
        meta=meta,
        target=change,
        new=new,
        detail={"path": change.path, **(detail or {})},
    )
