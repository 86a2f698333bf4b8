"""Accounts API: /api/v1/auth/* (sign-up, login, codes, reset, re-auth, logout) and /api/v1/account/*."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from billing_center.api import HolderSession, holder

auth_router = Router(tags=["auth"])
account_router = Router(tags=["account"], auth=HolderSession())


class MeOut(Schema):
    id: int
    username: str
    email_masked: str
    phone_masked: str | None
    enterprise_name: str
    language: str
    has_password: bool


@account_router.get("/me", response=MeOut, summary="The logged-in account")
def me(request: HttpRequest) -> MeOut:
    from billing_center.core.masking import mask_email, mask_phone

    account = holder(request)
    return MeOut(
        id=account.id,
        username=account.username,
        email_masked=mask_email(account.email),
        phone_masked=mask_phone(account.phone) if account.phone else None,
        enterprise_name=account.enterprise_name,
        language=account.language,
        has_password=account.has_usable_password(),
    )
