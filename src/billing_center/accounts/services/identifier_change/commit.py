"""The commit of an identifier change: the address swap, the codes voided, the audit row, the notices
to the old and new addresses, other sessions ended; and the lost-phone notices."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import billing_center.verification.services as codes
from billing_center.accounts import events
from billing_center.accounts.models import (
    PENDING_STATES,
    Account,
    ChangeKind,
    ChangeState,
    IdentifierChange,
)
from billing_center.accounts.services import notices
from billing_center.accounts.services.identifier_change.common import (
    CURRENT_PURPOSE,
    NEW_PURPOSE,
    _current_value,
    _finish,
    _locked,
    _owner_of,
    _taken_error,
)
from billing_center.accounts.services.sessions import sessions_end_others
from billing_center.audit.services import RequestMeta, audit_record
from billing_center.core.errors import Conflict
from billing_center.core.masking import mask_target
from billing_center.verification.models import Channel


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
    def changed_email(target: str, *, to_old: bool) -> None:
        subject, body = notices.identifier_changed_email(
            language=account.language,
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

    def send() -> None:
        if kind == ChangeKind.EMAIL:
            changed_email(old, to_old=True)
            changed_email(new, to_old=False)
            return
        changed_email(account.email, to_old=True)
        sms = notices.phone_changed_sms(language=account.language)
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
