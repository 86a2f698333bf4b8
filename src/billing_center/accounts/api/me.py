"""Accounts API: /api/v1/account/me, the logged-in account."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from billing_center.accounts.api.schemas import MeOut
from billing_center.core.api import HolderSession, holder

router = Router(tags=["account"], auth=HolderSession())


@router.get("/me", response=MeOut, summary="The logged-in account")
def me(request: HttpRequest) -> MeOut:
    return MeOut.of(holder(request))
