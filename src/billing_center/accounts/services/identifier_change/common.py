"""What the steps and the commit of an identifier change share: the purposes and channels of its codes,
the change's row under lock, state checks, paths and targets, the audit rows."""

from __future__ import annotations

from django.db import transaction
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
from billing_center.accounts.services import notices
from billing_center.audit.services import RequestMeta, audit_record
from billing_center.core.errors import Conflict, ReauthenticationRequired, ValidationFailed
from billing_center.verification.models import Channel, Purpose

CURRENT_PURPOSE = {ChangeKind.EMAIL: Purpose.EMAIL_CHANGE_CURRENT, ChangeKind.PHONE: Purpose.PHONE_CHANGE_CURRENT}
NEW_PURPOSE = {ChangeKind.EMAIL: Purpose.EMAIL_CHANGE_NEW, ChangeKind.PHONE: Purpose.PHONE_CHANGE_NEW}
CHANNEL = {ChangeKind.EMAIL: Channel.EMAIL, ChangeKind.PHONE: Channel.SMS}


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


def _first_code_target(account: Account, kind: ChangeKind, path: ChangePath) -> str:
    return account.phone or "" if _first_code_channel(kind, path) == Channel.SMS else account.email


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


def live_code(change: IdentifierChange) -> tuple[str, str]:
    """The purpose and target of the code the change waits for at its state; ``("", "")`` when none."""
    kind = ChangeKind(change.kind)
    if change.state == ChangeState.STARTED:
        return CURRENT_PURPOSE[kind], change.current_target
    if change.state == ChangeState.NEW_CODE_SENT:
        return NEW_PURPOSE[kind], change.new_value
    return "", ""


def _code_check(change: IdentifierChange, account: Account, code: str, meta: RequestMeta) -> None:
    """The code of the step the change is at, bound to its flow (never one of another change)."""
    purpose, target = live_code(change)
    codes.code_check(
        purpose=purpose, target=target, code=code, flow=str(change.flow), account=account, meta=meta
    )


def _send_current_code(change: IdentifierChange, account: Account, meta: RequestMeta) -> None:
    """The code to the current address (or the login email: adding a phone, a lost phone)."""
    kind = ChangeKind(change.kind)
    codes.code_send(
        purpose=CURRENT_PURPOSE[kind],
        channel=_first_code_channel(kind, change.path),
        target=change.current_target,
        account=account,
        flow=str(change.flow),
        meta=meta,
        language=account.language,
    )


def _send_new_code(
    change: IdentifierChange, account: Account, owner: Account | None, meta: RequestMeta
) -> None:
    """The code to the new address; an address of another account gets a notice instead."""
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
