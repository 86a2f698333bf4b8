"""Request and response bodies of /api/v1/auth/* and /api/v1/account/me (documented in OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import field_validator

from billing_center.accounts.models import Account
from billing_center.core.api import problems_for
from billing_center.core.masking import mask_email, mask_phone

# Generous upper bounds: the services apply the real rules and answer with problem details; these only
# keep absurd payloads out.
SHORT = 320
PASSWORD = 1024
CODE = 32


class InSchema(Schema):
    """Request bodies: no NUL characters anywhere (PostgreSQL text cannot hold them)."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("NUL characters are not allowed")
        return value


class CsrfOut(Schema):
    csrf_token: str = Field(..., description="Send it back in the X-CSRFToken header on unsafe requests.")


class SignupCodeIn(InSchema):
    channel: Literal["email", "sms"] = Field(..., examples=["email"])
    target: str = Field(..., max_length=SHORT, examples=["ops@example.com"])
    language: str | None = Field(None, max_length=16, examples=["en"])
    pow: str | None = Field(
        None,
        max_length=80,
        description="Proof of work, needed for SMS while the sign-up SMS budget runs low (422 pow_required "
        "names the prefix and bits): '<unix seconds>:<nonce>' whose SHA-256 after the prefix starts with "
        "that many zero bits.",
    )


class CodeSentOut(Schema):
    target_masked: str = Field(..., examples=["op***@example.com"])
    expires_at: datetime
    resend_available_at: datetime
    delivery: str = Field(..., description='"sent", "queued" or "delayed"', examples=["sent"])


class SignupIn(InSchema):
    username: str = Field(..., max_length=SHORT, examples=["acme-ops"])
    password: str = Field(..., max_length=PASSWORD, examples=["a long and unusual passphrase"])
    email: str = Field(..., max_length=SHORT, examples=["ops@example.com"])
    email_code: str = Field(..., max_length=CODE, examples=["123456"])
    phone: str | None = Field(None, max_length=SHORT, examples=["+8613800138000"])
    phone_code: str | None = Field(None, max_length=CODE, examples=["654321"])
    enterprise_name: str = Field(..., max_length=SHORT, examples=["Acme Observability Ltd."])
    industry: str = Field("", max_length=SHORT, examples=["internet"])
    region: str = Field("", max_length=SHORT, examples=["cn-east"])
    introduction: str = Field("", max_length=2000, examples=[""])
    contact_name: str = Field("", max_length=SHORT, examples=["Li Lei"])
    language: str = Field("en", max_length=16, examples=["en"])
    accept_terms: bool = Field(..., examples=[True])


class LoginIn(InSchema):
    identifier: str = Field(
        ..., max_length=SHORT, description="Username, email or phone.", examples=["acme-ops"]
    )
    password: str = Field(..., max_length=PASSWORD, examples=["a long and unusual passphrase"])


ADDRESS_DESCRIPTION = (
    "The account's email or mobile number; the code goes there. A username is refused "
    "(422 email_or_phone_required): codes are never routed from a public username to an address."
)


class IdentifierIn(InSchema):
    identifier: str = Field(..., max_length=SHORT, description=ADDRESS_DESCRIPTION, examples=["ops@example.com"])
    language: str | None = Field(None, max_length=16, examples=["en"])


class LoginCodeIn(InSchema):
    identifier: str = Field(..., max_length=SHORT, description=ADDRESS_DESCRIPTION, examples=["ops@example.com"])
    code: str = Field(..., max_length=CODE, examples=["123456"])


class PasswordResetIn(InSchema):
    identifier: str = Field(..., max_length=SHORT, description=ADDRESS_DESCRIPTION, examples=["ops@example.com"])
    code: str = Field(..., max_length=CODE, examples=["123456"])
    new_password: str = Field(..., max_length=PASSWORD, examples=["another long and unusual passphrase"])


class ReauthIn(InSchema):
    password: str | None = Field(None, max_length=PASSWORD, description="Either the password ...")
    code: str | None = Field(None, max_length=CODE, description="... or a code from /reauthenticate/codes.")


class AcceptedOut(Schema):
    detail: str = Field(
        ..., examples=["If an account matches, a code is on its way to its verified address."]
    )


class ReauthOut(Schema):
    reauthenticated_until: datetime


class MeOut(Schema):
    id: int
    username: str
    email_masked: str = Field(..., examples=["op***@example.com"])
    phone_masked: str | None = Field(None, examples=["+86138****8000"])
    enterprise_name: str
    industry: str
    region: str
    introduction: str
    contact_name: str
    language: str
    has_password: bool

    @classmethod
    def of(cls, account: Account) -> MeOut:
        return cls(id=account.pk, **holder_fields(account))


def holder_fields(account: Account) -> dict[str, Any]:
    """What the holder sees of their own account in ``MeOut`` and the profile: the addresses masked."""
    return {
        "username": account.username,
        "email_masked": mask_email(account.email),
        "phone_masked": mask_phone(account.phone) if account.phone else None,
        "enterprise_name": account.enterprise_name,
        "industry": account.industry,
        "region": account.region,
        "introduction": account.introduction,
        "contact_name": account.contact_name,
        "language": account.language,
        "has_password": account.has_usable_password(),
    }


# Problems any Account Settings operation may answer (the holder's own writes).
SETTINGS_PROBLEMS = problems_for((403, 404, 409, 422, 429))
