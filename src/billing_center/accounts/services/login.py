"""Login by password or code, forgot password and re-authentication (SPEC §1). Codes for a typed
identifier go through the enumeration-safe routing of ``services.codes``.

Services that check a one-time code or record a failed attempt do so *outside* any transaction they
would roll back by raising (``code_check`` insists on it), then make their change in an ``atomic``
block: a failed try and its rate-limit hits must stay counted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing_center.accounts import events, throttling
from billing_center.accounts.identifiers import identifier_kind
from billing_center.accounts.models import Account, AccountSession
from billing_center.accounts.passwords import password_check_policy
from billing_center.accounts.selectors.account import account_by_identifier
from billing_center.accounts.services.codes import (
    CHANNEL_EMAIL,
    code_request,
    code_verify,
    language_or_default,
)
from billing_center.audit.services import RequestMeta, audit_record
from billing_center.core.errors import ValidationFailed
from billing_center.core.masking import mask_email, mask_phone
from billing_center.core.ratelimit import known_network_is, known_network_note
from billing_center.verification import services as codes
from billing_center.verification.models import Purpose
from billing_center.verification.services import CodeSent

PURPOSE_LOGIN = Purpose.LOGIN
PURPOSE_RESET = Purpose.PASSWORD_RESET
PURPOSE_REAUTH = Purpose.REAUTH


# --- shared helpers --------------------------------------------------------------------------------


def login_failed_error() -> ValidationFailed:
    """One answer for unknown identifier, wrong password, disabled or locked account."""
    return ValidationFailed(
        _(
            "The login or password is not correct. You can also log in with a one-time code or reset your password."
        ),
        code="invalid_credentials",
        status=400,
    )


def _dummy_password_check(password: str) -> None:
    # Same Argon2 cost as a real check, so timing does not tell unknown identifiers apart.
    Account().set_password(password)


def _identifier_masked(identifier: str) -> str:
    text = (identifier or "").strip()
    kind = identifier_kind(text)
    if kind == "email":
        return mask_email(text)
    if kind == "phone":
        return mask_phone(text)
    return text[:32]  # usernames are public


# --- login by password -----------------------------------------------------------------------------


def login_with_password(*, identifier: str, password: str, meta: RequestMeta) -> Account:
    """The account for (identifier, password), throttled per SPEC §1. Every kind of failure gives the
    same error after the same amount of hashing work."""
    throttling.attempt_admit(identifier=identifier, ip=meta.ip)
    try:
        account = account_by_identifier(identifier)
        if account is None or not account.has_usable_password():
            _dummy_password_check(password)
            password_ok = False
        else:
            # check_password re-hashes and saves when the hasher's parameters changed.
            password_ok = account.check_password(password)
    except BaseException:
        throttling.attempt_release(identifier=identifier, ip=meta.ip)
        raise
    if account is not None and password_ok and account.is_active and _password_login_open(account, meta):
        _login_succeeded(account=account, method="password", meta=meta)
        throttling.success_note(identifier=identifier, ip=meta.ip)
        return account
    throttling.failure_note(identifier=identifier, ip=meta.ip)
    _login_failed(account=account, identifier=identifier, password_ok=password_ok, meta=meta)
    raise login_failed_error()


def _password_login_open(account: Account, meta: RequestMeta) -> bool:
    """The 100-failure pause asks for a code only from a network the account never logged in from: a
    stranger's wrong passwords never stop the holder's correct one from the holder's own network."""
    return not account.password_login_locked or known_network_is(account_id=account.pk, ip=meta.ip)


@transaction.atomic
def _login_succeeded(*, account: Account, method: str, meta: RequestMeta) -> None:
    updates: dict[str, int | bool] = {"failed_login_streak": 0}
    if method != "password":
        # A code proves control of a verified address: it lifts the password-login lock.
        updates["password_login_locked"] = False
    Account.objects.filter(pk=account.pk).update(**updates)
    for field, value in updates.items():
        setattr(account, field, value)
    audit_record(event=events.LOGIN_SUCCEEDED, meta=meta, account=account, detail={"method": method})
    known_network_note(account_id=account.pk, ip=meta.ip)


@transaction.atomic
def _login_failed(*, account: Account | None, identifier: str, password_ok: bool, meta: RequestMeta) -> None:
    detail: dict[str, str] = {"method": "password", "identifier": _identifier_masked(identifier)}
    if account is None:
        audit_record(event=events.LOGIN_FAILED, meta=meta, detail={**detail, "reason": "unknown_identifier"})
        return
    if not account.is_active:
        detail["reason"] = "disabled"
    elif not _password_login_open(account, meta):
        detail["reason"] = "password_login_locked"
    else:
        detail["reason"] = "wrong_password"
    if not password_ok:
        Account.objects.filter(pk=account.pk).update(failed_login_streak=F("failed_login_streak") + 1)
        account.refresh_from_db(fields=["failed_login_streak", "password_login_locked"])
        if (
            account.failed_login_streak >= settings.LOGIN_ACCOUNT_UNLOCK_AFTER
            and not account.password_login_locked
        ):
            _password_login_lock(account=account, meta=meta)
    audit_record(event=events.LOGIN_FAILED, meta=meta, account=account, detail=detail)


def _password_login_lock(*, account: Account, meta: RequestMeta) -> None:
    Account.objects.filter(pk=account.pk).update(password_login_locked=True)
    account.password_login_locked = True
    audit_record(event=events.LOGIN_PASSWORD_LOCKED, meta=meta, account=account)
    _notice_email(
        account,
        meta,
        subject=gettext_lazy("Billing Center: password login paused"),
        body=gettext_lazy(
            "There were many failed password logins on your Billing Center account, so password login "
            "from networks you have not logged in from before is paused. From a network you used "
            "before, your password works as usual. Elsewhere, log in with a one-time code, or reset "
            "your password, to lift the pause."
        ),
    )


def _notice_email(account: Account, meta: RequestMeta, *, subject: Promise, body: Promise) -> None:
    """A notice (never a code) to the account's login email, in the account's language."""
    with translation.override(account.language):
        codes.notice_send(
            channel=CHANNEL_EMAIL,
            target=account.email,
            account=account,
            meta=meta,
            subject=str(subject),
            body=str(body),
        )


# --- login by code ---------------------------------------------------------------------------------


def login_code_request(*, identifier: str, language: str, meta: RequestMeta) -> None:
    """A login code to the verified email or phone that was typed."""
    code_request(
        purpose=PURPOSE_LOGIN, identifier=identifier, language=language_or_default(language), meta=meta
    )


def login_with_code(*, identifier: str, code: str, meta: RequestMeta) -> Account:
    account = code_verify(purpose=PURPOSE_LOGIN, identifier=identifier, code=code, meta=meta)
    _login_succeeded(account=account, method="code", meta=meta)
    return account


# --- forgot password -------------------------------------------------------------------------------


def password_reset_code_request(*, identifier: str, language: str, meta: RequestMeta) -> None:
    code_request(
        purpose=PURPOSE_RESET, identifier=identifier, language=language_or_default(language), meta=meta
    )


def password_reset(*, identifier: str, code: str, new_password: str, meta: RequestMeta) -> Account:
    """Set a new password with a reset code; ends every session, voids outstanding codes, notifies."""
    # Checked before the code, so a rejected password does not burn it, against what was typed only:
    # the answer must not depend on whether the identifier has an account.
    password_check_policy(new_password, context=_context_from_identifier(identifier), field="new_password")
    account = code_verify(purpose=PURPOSE_RESET, identifier=identifier, code=code, meta=meta)
    normalized = password_check_policy(new_password, context=account, field="new_password")
    return _password_reset_commit(account=account, password=normalized, meta=meta)


def _context_from_identifier(identifier: str) -> Account:
    text = (identifier or "").strip()
    kind = identifier_kind(text)
    if kind == "email":
        return Account(email=text)
    if kind == "phone":
        return Account(phone=text)
    return Account(username=text)


@transaction.atomic
def _password_reset_commit(*, account: Account, password: str, meta: RequestMeta) -> Account:
    account = Account.objects.select_for_update().get(pk=account.pk)
    account.set_password(password)
    account.failed_login_streak = 0
    account.password_login_locked = False
    account.save(update_fields=["password", "failed_login_streak", "password_login_locked", "updated_at"])
    codes.codes_void(account=account)
    audit_record(event=events.PASSWORD_RESET, meta=meta, account=account)
    account_id = account.pk
    transaction.on_commit(lambda: AccountSession.objects.filter(account_id=account_id).delete())
    _notice_email(
        account,
        meta,
        subject=gettext_lazy("Billing Center: your password was reset"),
        body=gettext_lazy(
            "The password of your Billing Center account was reset and every session was logged out. "
            "If this was not you, reset your password again and contact your service provider."
        ),
    )
    return account


# --- re-authentication -----------------------------------------------------------------------------


def reauth_code_request(*, account: Account, meta: RequestMeta) -> CodeSent:
    """A re-authentication code to the account's login email."""
    return codes.code_send(
        purpose=PURPOSE_REAUTH,
        channel=CHANNEL_EMAIL,
        target=account.email,
        account=account,
        meta=meta,
        language=account.language,
    )


def reauthenticate(
    *, account: Account, password: str | None = None, code: str | None = None, meta: RequestMeta
) -> None:
    """Confirm the holder again with the password or a reauth code (exactly one of them)."""
    if (password is None) == (code is None):
        raise ValidationFailed(_("Enter your password or a code."), code="password_or_code_required")
    if code is not None:
        codes.code_check(purpose=PURPOSE_REAUTH, target=account.email, code=code, account=account, meta=meta)
        audit_record(event=events.REAUTH_SUCCEEDED, meta=meta, account=account, detail={"method": "code"})
        return
    if not account.has_usable_password():
        raise ValidationFailed(
            _("This account has no password. Use a code sent to your email."),
            field="password",
            code="no_password",
        )
    scope_id = f"account:{account.pk}"
    # Refused before the password is checked while over a cap, so a correct guess is refused too.
    throttling.current_password_admit(account_id=account.pk, ip=meta.ip)
    throttling.attempt_admit(identifier=scope_id, ip=meta.ip, scope="reauth")
    try:
        password_ok = account.check_password(password)
    except BaseException:
        throttling.attempt_release(identifier=scope_id, ip=meta.ip, scope="reauth")
        raise
    if not password_ok:
        throttling.failure_note(identifier=scope_id, ip=meta.ip, scope="reauth")
        throttling.current_password_failure_note(account_id=account.pk, ip=meta.ip)
        audit_record(event=events.REAUTH_FAILED, meta=meta, account=account, detail={"method": "password"})
        raise ValidationFailed(_("The password is not correct."), field="password", code="invalid_password")
    throttling.success_note(identifier=scope_id, ip=meta.ip, scope="reauth")
    throttling.current_password_success_note(account_id=account.pk, ip=meta.ip)
    audit_record(event=events.REAUTH_SUCCEEDED, meta=meta, account=account, detail={"method": "password"})
