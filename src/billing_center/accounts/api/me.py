"""Accounts API: /api/v1/account/me, the logged-in account."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from billing_center.accounts.api.schemas import MeOut, holder_fields
from billing_center.core.api import HolderSession, holder
from billing_center.core.api.responses import json_answer

router = Router(tags=["account"], auth=HolderSession())


@router.get("/me", response=MeOut, summary="The logged-in account")
def me(request: HttpRequest) -> HttpResponse:
    # A hot read (bench/README.md): MeOut's dump — id, then the holder's fields in MeOut's order
    # (tests/accounts/api/test_settings.py compares it with the validated dump), without ninja's validation.
    account = holder(request)
    return json_answer({"id": account.pk, **holder_fields(account)})
