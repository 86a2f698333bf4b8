"""Password change and "set password" for password-less accounts (SPEC §3 Password)."""

from __future__ import annotations

from typing import Literal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import billing_center.verification.services as codes
from billing_center.accounts import events, throttling
from billing_center.accounts.events import OPERATOR_PASSWORD_CHANGED
from billing_center.accounts.models import Account
from billing_center.accounts.passwords import password_check_policy
from billing_center.accounts.services import notices as notices
from billing_center.accounts.services.sessions import sessions_end_others
from billing_center.audit.services import RequestMeta, audit_record
from billing_center.core.errors import Conflict, ReauthenticationRequired, ValidationFailed
from billing_center.verification.models import Channel


def password_update(
    *,
    account: Account,
    current_password: str,
    new_password: str,
    reauthenticated: bool,
    keep_session_key: str | None,
    meta: RequestMeta,
) -> Literal["changed", "set"]:
    """The one change-or-set choice of the API and the console: an account with a password changes it
    (``current_password`` required), a password-less one sets a first one (``reauthenticated`` required)."""
    if account.has_usable_password():
        password_change(
            account=account,
            current_password=current_password,
            new_password=new_password,
            keep_session_key=keep_session_key,
            meta=meta,
        )
        return "changed"
    password_set(
        account=account,
        new_password=new_password,
        reauthenticated=reauthenticated,
        keep_session_key=keep_session_key,
        meta=meta,
    )
    return "set"


def password_change(
    *,
    account: Account,
    current_password: str,
    new_password: str,
    keep_session_key: str | None,
    meta: RequestMeta,
) -> Account:
    """Change the password: the current one is required and the new one must differ and pass the policy.
    Other sessions end, outstanding codes are voided, the login email gets a notice. The caller rotates
    the current session (``update_session_auth_hash``)."""
    if not account.has_usable_password():
        raise Conflict(_("This account has no password yet. Set one instead."), code="no_password")
    _check_current_password(account, current_password, meta)
    if account.check_password(new_password):
        raise ValidationFailed(
            _("The new password must differ from the current one."),
            field="new_password",
            code="password_unchanged",
        )
    return _store_password(account, new_password, was_set=False, keep_session_key=keep_session_key, meta=meta)


def password_set(
    *,
    account: Account,
    new_password: str,
    reauthenticated: bool,
    keep_session_key: str | None,
    meta: RequestMeta,
) -> Account:
    """First password of a password-less account, allowed only right after re-authentication by code."""
    if account.has_usable_password():
        raise Conflict(_("This account already has a password. Change it instead."), code="has_password")
    if not reauthenticated:
        raise ReauthenticationRequired(_("Confirm it is you with a code before setting a password."))
    return _store_password(account, new_password, was_set=True, keep_session_key=keep_session_key, meta=meta)


def _check_current_password(account: Account, current_password: str, meta: RequestMeta) -> None:
    """The limit is checked first (``throttling.current_password_admit``): while the (account, network)
    or the account is over its cap, even the correct password is refused."""
    throttling.current_password_admit(account_id=account.pk, ip=meta.ip)
    if account.check_password(current_password):
        throttling.current_password_success_note(account_id=account.pk, ip=meta.ip)
        return
    throttling.current_password_failure_note(account_id=account.pk, ip=meta.ip)
    audit_record(event=events.PASSWORD_CHANGE_FAILED, account=account, meta=meta)
    raise ValidationFailed(
        _("The current password is not correct."), field="current_password", code="wrong_password"
    )


@transaction.atomic
def _store_password(
    account: Account, new_password: str, *, was_set: bool, keep_session_key: str | None, meta: RequestMeta
) -> Account:
    password_check_policy(new_password, context=account, field="new_password")
    locked = Account.objects.select_for_update().get(pk=account.pk)
    locked.set_password(new_password)
    locked.save(update_fields=["password", "updated_at"])
    account.password = locked.password
    codes.codes_void(account=account)
    if account.email:
        codes.codes_void(target=account.email)
    if account.phone:
        codes.codes_void(target=account.phone)
    audit_record(event=events.PASSWORD_SET if was_set else events.PASSWORD_CHANGED, account=account, meta=meta)
    moment = timezone.now()

    def after_commit() -> None:
        sessions_end_others(account=account, keep_session_key=keep_session_key, meta=meta)
        subject, body = notices.password_changed_email(
            language=account.language, username=account.username, was_set=was_set, meta=meta, moment=moment
        )
        codes.notice_send(
            channel=Channel.EMAIL, target=account.email, subject=subject, body=body, account=account, meta=meta
        )

    transaction.on_commit(after_commit)
    return account


@transaction.atomic
def operator_password_change_record(*, account: Account, meta: RequestMeta) -> None:
    """An operator changed their own password in the back office (Django's admin form did the change):
    audit it and tell the login email, like a holder's password change."""
    audit_record(event=OPERATOR_PASSWORD_CHANGED, account=account, actor=account, meta=meta)
    moment = timezone.now()

    def after_commit() -> None:
        subject, body = notices.password_changed_email(
            language=account.language, username=account.username, was_set=False, meta=meta, moment=moment
        )
        codes.notice_send(
            channel="email", target=account.email, subject=subject, body=body, account=account, meta=meta
        )

    transaction.on_commit(after_commit)
