"""Sign-up (SPEC §1): the codes to the email (and phone), then the account."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing_center.accounts import events
from billing_center.accounts.fields import field_clean
from billing_center.accounts.identifiers import normalize_email, normalize_phone, normalize_username
from billing_center.accounts.models import Account, Language
from billing_center.accounts.passwords import password_check_policy
from billing_center.accounts.services.codes import (
    CHANNEL_EMAIL,
    CHANNEL_SMS,
    decoy_render,
    language_or_default,
)
from billing_center.audit.services import RequestMeta, audit_record
from billing_center.core.errors import ValidationFailed
from billing_center.core.masking import mask_email, mask_phone
from billing_center.verification import services as codes
from billing_center.verification.models import Purpose
from billing_center.verification.services import CodeSent

__all__ = ["account_signup", "signup_code_request", "verification_failed_error"]

PURPOSE_SIGNUP: dict[str, str] = {CHANNEL_EMAIL: Purpose.SIGNUP_EMAIL, CHANNEL_SMS: Purpose.SIGNUP_PHONE}
DECOY_SIGNUP_TAKEN = (
    gettext_lazy("Billing Center: someone tried to register with your address"),
    gettext_lazy(
        "Someone tried to create a Billing Center account with this address, which already has an "
        "account. If it was you, log in or reset your password instead. Otherwise ignore this message."
    ),
    gettext_lazy("Billing Center: this number already has an account. Log in instead."),
)


def verification_failed_error(field: str = "email_code") -> ValidationFailed:
    return ValidationFailed(
        _("The verification failed. Request a new code and try again."),
        code="verification_failed",
        field=field,
    )


# --- sign-up ---------------------------------------------------------------------------------------


def signup_code_request(
    *, channel: str, target: str, language: str, meta: RequestMeta, pow: str | None = None
) -> CodeSent:
    """A sign-up code to an email (channel "email") or mobile number ("sms"). An address that already
    belongs to an account gets a notice instead; the answer is the same."""
    if channel == CHANNEL_EMAIL:
        normalized = normalize_email(target)
        taken = Account.objects.filter(email__lower_exact=normalized).exists()
    elif channel == CHANNEL_SMS:
        normalized = normalize_phone(target)
        taken = Account.objects.filter(phone=normalized).exists()
    else:
        raise ValidationFailed(_("Choose email or SMS."), field="channel", code="invalid_channel")
    language = language_or_default(language)
    decoy = decoy_render(DECOY_SIGNUP_TAKEN, channel=channel, language=language) if taken else None
    return codes.code_send(
        purpose=PURPOSE_SIGNUP[channel],
        channel=channel,
        target=normalized,
        meta=meta,
        language=language,
        decoy_notice=decoy,
        pow=pow,
    )


# The holder's text fields sign-up takes (the profile edits them later, with the same cleaner).
SIGNUP_TEXT_FIELDS = ("enterprise_name", "industry", "region", "introduction", "contact_name")


@dataclass(frozen=True)
class _SignupData:
    username: str
    email: str
    phone: str | None
    language: str
    texts: dict[str, str]  # SIGNUP_TEXT_FIELDS, cleaned by ``field_clean``


def _signup_clean(
    *, username: str, email: str, phone: str | None, language: str, texts: dict[str, str]
) -> _SignupData:
    clean_username = normalize_username(username)
    if Account.objects.filter(username__lower_exact=clean_username).exists():
        # Usernames are public by nature (SPEC §1), so a collision may be reported.
        raise ValidationFailed(_("This username is taken."), field="username", code="username_taken")
    if language and language.strip().lower() not in Language.values:
        raise ValidationFailed(_("Choose a supported language."), field="language", code="invalid_language")
    clean_email = normalize_email(email)
    clean_phone = normalize_phone(phone) if phone and phone.strip() else None
    return _SignupData(
        username=clean_username,
        email=clean_email,
        phone=clean_phone,
        language=language_or_default(language),
        texts={field: field_clean(field, texts[field]) for field in SIGNUP_TEXT_FIELDS},
    )


def account_signup(
    *,
    username: str,
    password: str,
    email: str,
    email_code: str,
    phone: str | None = None,
    phone_code: str | None = None,
    enterprise_name: str,
    industry: str = "",
    region: str = "",
    introduction: str = "",
    contact_name: str = "",
    language: str = "en",
    accept_terms: bool,
    meta: RequestMeta,
) -> Account:
    """Create an account after checking every field and the sign-up codes (SPEC §1 Sign-up)."""
    if not accept_terms:
        raise ValidationFailed(
            _("Accept the terms to continue."), field="accept_terms", code="terms_required"
        )
    data = _signup_clean(
        username=username,
        email=email,
        phone=phone,
        language=language,
        texts={
            "enterprise_name": enterprise_name,
            "industry": industry,
            "region": region,
            "introduction": introduction,
            "contact_name": contact_name,
        },
    )
    context = Account(
        username=data.username,
        email=data.email,
        phone=data.phone,
        enterprise_name=data.texts["enterprise_name"],
    )
    normalized_password = password_check_policy(password, context=context)
    if not (email_code or "").strip():
        raise ValidationFailed(_("Enter the code sent to your email."), field="email_code", code="required")
    if data.phone and not (phone_code or "").strip():
        raise ValidationFailed(_("Enter the code sent to your phone."), field="phone_code", code="required")
    # Codes are checked outside the creating transaction: a failed try must stay counted.
    _signup_code_check(channel=CHANNEL_EMAIL, target=data.email, code=email_code, meta=meta)
    if data.phone:
        _signup_code_check(channel=CHANNEL_SMS, target=data.phone, code=phone_code or "", meta=meta)
    try:
        return _account_create(data=data, password=normalized_password, meta=meta)
    except IntegrityError as exc:
        # A race with another sign-up of the same username, email or phone.
        if Account.objects.filter(username__lower_exact=data.username).exists():
            raise ValidationFailed(
                _("This username is taken."), field="username", code="username_taken"
            ) from exc
        raise verification_failed_error() from exc


def _signup_code_check(*, channel: str, target: str, code: str, meta: RequestMeta) -> None:
    """``code_check`` with its error pinned to the form field of that code."""
    try:
        codes.code_check(purpose=PURPOSE_SIGNUP[channel], target=target, code=code, meta=meta)
    except ValidationFailed as exc:
        exc.field = "email_code" if channel == CHANNEL_EMAIL else "phone_code"
        raise


@transaction.atomic
def _account_create(*, data: _SignupData, password: str, meta: RequestMeta) -> Account:
    email_taken = Account.objects.filter(email__lower_exact=data.email).exists()
    phone_taken = data.phone is not None and Account.objects.filter(phone=data.phone).exists()
    if email_taken or phone_taken:
        # Never "taken": the address's owner must stay unknown to whoever is signing up.
        raise verification_failed_error("phone_code" if phone_taken and not email_taken else "email_code")
    account = Account.objects.create_user(
        data.username,
        data.email,
        password,
        phone=data.phone,
        language=data.language,
        **data.texts,
    )
    audit_record(
        event=events.SIGNUP,
        meta=meta,
        account=account,
        new={
            "username": account.username,
            "email": mask_email(account.email),
            "phone": mask_phone(account.phone or ""),
        },
    )
    return account
