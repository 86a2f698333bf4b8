"""The platform API for the SaaS console, under ``/api/v1/platform/`` (SPEC §8, §12).

Every call needs ``Authorization: Bearer <PLATFORM_API_TOKEN>`` (``platform.auth``) and is audited
with the console as actor; the endpoints are thin and call ``workspaces.services``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from billing_center.accounts.models import Account
from billing_center.certification.services import workspace_move_allowed
from billing_center.core.api import problem, problems_for
from billing_center.core.errors import ApplicationError
from billing_center.platform.auth import PlatformToken
from billing_center.platform.meta import platform_meta
from billing_center.workspaces import services
from billing_center.workspaces.models import Actor
from billing_center.workspaces.schemas import WorkspaceOut
from billing_center.workspaces.selectors import workspace_get, workspace_not_found, workspace_view

router = Router(tags=["platform"], auth=PlatformToken())

# Loose upper bounds only: the services judge the values (so that, e.g., an unknown site is
# ``unknown_site`` and a long username is simply one that matches no account).
_TEXT = 1000


class WorkspaceIn(Schema):
    name: str = Field(..., max_length=_TEXT, examples=["Production"])
    site: str = Field(..., max_length=_TEXT, examples=["cn1"])
    language: str = Field(..., max_length=_TEXT, examples=["en"])


class BindingCodeIn(Schema):
    username: str = Field(..., max_length=_TEXT)
    email: str = Field(..., max_length=_TEXT)


class BindingIn(BindingCodeIn):
    code: str = Field(..., max_length=_TEXT, examples=["123456"])


class SentOut(Schema):
    sent: bool


class LockIn(Schema):
    state: Literal["active", "grace", "locked"]
    reason: str = Field("", max_length=_TEXT)
    deadline: datetime | None = None


def _view(workspace_id: str) -> dict[str, object]:
    return workspace_view(workspace_get(workspace_id=workspace_id))


def _require_known_id(workspace_id: str) -> None:
    if not services.workspace_id_valid(workspace_id):
        raise workspace_not_found()


@router.put(
    "/workspaces/{workspace_id}",
    response={200: WorkspaceOut, 201: WorkspaceOut, **problems_for([401, 404, 422])},
    summary="Register a workspace, or update its name, site and language",
)
def platform_workspace_put(request: HttpRequest, workspace_id: str, body: WorkspaceIn) -> Status[dict[str, object]]:
    workspace, created = services.workspace_register(
        workspace_id=workspace_id,
        name=body.name,
        site=body.site,
        language=body.language,
        meta=platform_meta(request),
        actor=Actor.CONSOLE,
    )
    return Status(201 if created else 200, _view(workspace.pk))


@router.get(
    "/workspaces/{workspace_id}",
    response={200: WorkspaceOut, **problems_for([401, 404])},
    summary="A workspace's binding, settlement method and lock state",
)
def platform_workspace_get(request: HttpRequest, workspace_id: str) -> dict[str, object]:
    _require_known_id(workspace_id)
    return _view(workspace_id)


@router.post(
    "/workspaces/{workspace_id}/binding-code",
    response={202: SentOut, **problems_for([401, 404, 422, 429])},
    summary="Send a binding code to the account's bound email (same answer whether or not they match)",
)
def platform_binding_code(request: HttpRequest, workspace_id: str, body: BindingCodeIn) -> Status[dict[str, bool]]:
    services.workspace_bind_code_request(
        workspace_id=workspace_id, username=body.username, email=body.email, meta=platform_meta(request)
    )
    return Status(202, {"sent": True})


@router.post(
    "/workspaces/{workspace_id}/binding",
    response={200: WorkspaceOut, **problems_for([401, 404, 409, 422, 429])},
    summary="Bind the workspace to the account with the code sent to its bound email",
)
def platform_binding(request: HttpRequest, workspace_id: str, body: BindingIn) -> dict[str, object]:
    workspace = services.workspace_bind_with_code(
        workspace_id=workspace_id,
        username=body.username,
        email=body.email,
        code=body.code,
        meta=platform_meta(request),
        move_allowed=same_verified_enterprise,
    )
    return _view(workspace.pk)


def same_verified_enterprise(current: Account, new: Account) -> bool:
    """The console's "change binding": a bound workspace moves only between two accounts holding the
    same verified enterprise certification (SPEC §7)."""
    try:
        workspace_move_allowed(from_account=current, to_account=new)
    except ApplicationError:
        return False
    return True


@router.put(
    "/workspaces/{workspace_id}/lock",
    response={200: WorkspaceOut, **problems_for([401, 404, 422])},
    summary="Set the lock state: active, grace (with a deadline) or locked, with its reason",
)
def platform_lock(request: HttpRequest, workspace_id: str, body: LockIn) -> dict[str, object]:
    _require_known_id(workspace_id)
    workspace = services.workspace_lock_set(
        workspace_id=workspace_id,
        state=body.state,
        reason=body.reason,
        deadline=body.deadline,
        meta=platform_meta(request),
        actor=Actor.CONSOLE,
    )
    return _view(workspace.pk)


# --- other methods on the same paths ----------------------------------------------------------------
# Without these, Django answers 405 before the credential is looked at, which would tell that the
# platform API exists while it is switched off. Here the credential comes first (404 / 401), then 405.

_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
_USED = {
    "/workspaces/{workspace_id}": {"GET", "PUT"},
    "/workspaces/{workspace_id}/binding-code": {"POST"},
    "/workspaces/{workspace_id}/binding": {"POST"},
    "/workspaces/{workspace_id}/lock": {"PUT"},
}


def _method_not_allowed(request: HttpRequest, workspace_id: str) -> HttpResponse:
    return problem(request, status=405, code="method_not_allowed", title=_("This method is not allowed here."))


for _path, _used in _USED.items():
    router.add_api_operation(_path, sorted(_METHODS - _used), _method_not_allowed, include_in_schema=False)
