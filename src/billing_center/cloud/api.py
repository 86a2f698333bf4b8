"""Holder API of cloud accounts (SPEC §12), mounted at ``/api/v1/``: thin, calls ``linking``,
``settlement`` and ``selectors``.

- ``GET /cloud-accounts``, ``GET /cloud-accounts/{id}``, ``POST /cloud-accounts/link``,
  ``POST /cloud-accounts/{id}/workspaces``
- ``POST /workspaces/{workspace_id}/settlement`` (here, not in ``workspaces``: the rules need cloud
  accounts, and ``workspaces`` never imports ``cloud``)
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.params import functions as param
from ninja.responses import Status

from billing_center.accounts.sessions import reauth_is_fresh
from billing_center.audit.services import RequestMeta
from billing_center.cloud import linking, selectors, settlement
from billing_center.core.api import HolderSession, holder, problems_for
from billing_center.core.pagination import MAX_LIMIT
from billing_center.workspaces.schemas import WorkspaceOut
from billing_center.workspaces.selectors import workspace_for_holder, workspace_view

router = Router(tags=["cloud accounts"], auth=HolderSession())

_ID = 1000
MAX_BIND = 100


class CloudAccountOut(Schema):
    id: int
    vendor: str
    vendor_account_id: str
    instance_id: str
    product: str
    state: str
    trial: bool
    expires_at: datetime | None
    linked_at: datetime | None
    workspaces: list[WorkspaceOut]


class CloudAccountPageOut(Schema):
    items: list[CloudAccountOut]
    next_cursor: str | None


class LinkByIdsIn(Schema):
    vendor: Literal["aliyun", "huawei"]
    account_id: str = Field(..., max_length=_ID, examples=["1234567890"])
    instance_id: str = Field(..., max_length=_ID, examples=["i-abc123"])


class LinkAwsIn(Schema):
    vendor: Literal["aws"]
    registration: str = Field(..., max_length=_ID)


LinkIn = Annotated[LinkByIdsIn | LinkAwsIn, Field(discriminator="vendor")]


class BindIn(Schema):
    workspace_ids: list[Annotated[str, Field(max_length=_ID)]] = Field(..., min_length=1, max_length=MAX_BIND)


class BindResultOut(Schema):
    workspace_id: str
    ok: bool
    code: str | None = None


class BindOut(Schema):
    results: list[BindResultOut]


class SettlementIn(Schema):
    method: Literal["account", "cloud"]
    cloud_account_id: int | None = Field(None, ge=1, le=2**62)


def _meta(request: HttpRequest) -> RequestMeta:
    return RequestMeta.from_request(request)


@router.get(
    "/cloud-accounts",
    response={200: CloudAccountPageOut, **problems_for([401, 422])},
    summary="My linked cloud accounts, newest first, with the workspaces each settles",
)
def cloud_account_list(
    request: HttpRequest,
    cursor: str | None = param.Query(None, max_length=512),
    limit: int | None = param.Query(None, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    page = selectors.cloud_account_page_for_holder(account=holder(request), cursor=cursor, limit=limit)
    return {"items": [selectors.cloud_account_view(item) for item in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/cloud-accounts/link",
    response={201: CloudAccountOut, **problems_for([401, 403, 422, 429])},
    summary="Link a marketplace subscription (re-authentication within the window)",
)
def cloud_account_link(request: HttpRequest, payload: LinkIn) -> Any:
    account = holder(request)
    fresh = reauth_is_fresh(request)
    if isinstance(payload, LinkAwsIn):
        linked = linking.cloud_account_link_aws(
            account=account, registration=payload.registration, reauthenticated=fresh, meta=_meta(request)
        )
    else:
        linked = linking.cloud_account_link(
            account=account,
            vendor=payload.vendor,
            vendor_account_id=payload.account_id,
            instance_id=payload.instance_id,
            reauthenticated=fresh,
            meta=_meta(request),
        )
    found = selectors.cloud_account_for_holder(account=account, cloud_account_id=linked.pk)
    return Status(201, selectors.cloud_account_view(found))


@router.get(
    "/cloud-accounts/{cloud_account_id}",
    response={200: CloudAccountOut, **problems_for([401, 404, 422])},
    summary="One of my cloud accounts",
)
def cloud_account_detail(request: HttpRequest, cloud_account_id: int = param.Path(..., ge=1, le=2**62)) -> Any:
    found = selectors.cloud_account_for_holder(account=holder(request), cloud_account_id=cloud_account_id)
    return selectors.cloud_account_view(found)


@router.post(
    "/cloud-accounts/{cloud_account_id}/workspaces",
    response={200: BindOut, **problems_for([401, 403, 404, 422])},
    summary="Settle several of my workspaces on this cloud account (each judged alone)",
)
def cloud_account_workspaces_bind(
    request: HttpRequest, payload: BindIn, cloud_account_id: int = param.Path(..., ge=1, le=2**62)
) -> Any:
    results = settlement.cloud_account_workspaces_bind(
        account=holder(request),
        cloud_account_id=cloud_account_id,
        workspace_ids=payload.workspace_ids,
        reauthenticated=reauth_is_fresh(request),
        meta=_meta(request),
    )
    return {"results": [{"workspace_id": r.workspace_id, "ok": r.ok, "code": r.code} for r in results]}


@router.post(
    "/workspaces/{workspace_id}/settlement",
    response={200: WorkspaceOut, **problems_for([401, 403, 404, 422])},
    summary="Change a workspace's settlement method (SPEC §4 rules; re-authentication within the window)",
)
def workspace_settlement(request: HttpRequest, workspace_id: str, payload: SettlementIn) -> Any:
    changed = settlement.settlement_change(
        account=holder(request),
        workspace_id=workspace_id,
        method=payload.method,
        cloud_account_id=payload.cloud_account_id,
        reauthenticated=reauth_is_fresh(request),
        meta=_meta(request),
    )
    return workspace_view(workspace_for_holder(account=holder(request), workspace_id=changed.pk))
