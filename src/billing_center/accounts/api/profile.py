"""Account Settings API: /api/v1/account/profile (read, edit). Thin: parse, call the service, shape."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from billing_center.accounts.api.schemas import SETTINGS_PROBLEMS as PROBLEMS
from billing_center.accounts.api.schemas import holder_fields
from billing_center.accounts.models import Account
from billing_center.accounts.services.profile import profile_update
from billing_center.audit.services import RequestMeta
from billing_center.core.api import holder
from billing_center.core.api.responses import json_answer

router = Router()


class ProfileOut(Schema):
    username: str
    email_masked: str
    phone_masked: str | None
    enterprise_name: str
    industry: str
    region: str
    introduction: str
    contact_name: str
    time_zone: str = Field(description="IANA time zone the console shows times in; empty: by region")
    language: str
    has_password: bool


class ProfileIn(Schema):
    enterprise_name: str | None = Field(None, max_length=100, examples=["Acme Observability Ltd."])
    industry: str | None = Field(None, max_length=32, examples=["internet"])
    region: str | None = Field(None, max_length=32, examples=["cn-east"])
    introduction: str | None = Field(None, max_length=500)
    contact_name: str | None = Field(None, max_length=50, examples=["Li Lei"])
    time_zone: str | None = Field(None, max_length=64, examples=["Asia/Shanghai"])


def _profile(account: Account) -> dict[str, Any]:
    """``ProfileOut``'s dump: its keys in its order (tests/accounts/api/test_settings.py compares)."""
    fields = {**holder_fields(account), "time_zone": account.time_zone}
    return {name: fields[name] for name in ProfileOut.model_fields}


@router.get("/profile", response=ProfileOut, summary="Read the profile")
def profile_read(request: HttpRequest) -> HttpResponse:
    # The API's hottest read (bench/README.md): written without ninja's output validation.
    return json_answer(_profile(holder(request)))


@router.patch(
    "/profile", response={200: ProfileOut, **PROBLEMS}, summary="Edit profile fields (only those given)"
)
def profile_edit(request: HttpRequest, payload: ProfileIn) -> dict[str, Any]:
    account = holder(request)
    profile_update(
        account=account,
        changes=payload.model_dump(exclude_unset=True),
        meta=RequestMeta.from_request(request),
    )
    return _profile(account)
