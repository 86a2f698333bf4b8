"""Account Settings API: /api/v1/account/password (change, or set a first one)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest
from ninja import Field, Router, Schema

from billing_center.accounts.api.schemas import SETTINGS_PROBLEMS as PROBLEMS
from billing_center.accounts.services.password import password_update as password_store
from billing_center.accounts.sessions import reauth_is_fresh
from billing_center.audit.services import RequestMeta
from billing_center.core.api import holder

router = Router()


class PasswordIn(Schema):
    current_password: str | None = Field(
        None, max_length=4096, description="Required when the account has a password"
    )
    new_password: str = Field(min_length=1, max_length=4096)


class PasswordOut(Schema):
    result: str = Field(description="changed | set")


@router.post(
    "/password",
    response={200: PasswordOut, **PROBLEMS},
    summary="Change the password (current password required), or set a first one right after re-authentication "
    "by code. Other sessions end and this session gets a new id.",
)
def password_update(request: HttpRequest, payload: PasswordIn) -> Any:
    account = holder(request)
    meta = RequestMeta.from_request(request)
    result = password_store(
        account=account,
        current_password=payload.current_password or "",
        new_password=payload.new_password,
        reauthenticated=reauth_is_fresh(request),
        keep_session_key=request.session.session_key,
        meta=meta,
    )
    # Rotates the session id and keeps this session valid under the new password hash.
    update_session_auth_hash(request, account)
    return PasswordOut(result=result)
