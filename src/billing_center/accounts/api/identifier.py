"""Account Settings API: the email and the phone change under /api/v1/account/{email,phone}-change.

Both identifiers follow one state machine (``services.identifier_change``), so one route factory,
``identifier_change_routes``, registers the same seven operations for each channel: status, start,
verify the current address, the new address, confirm, resend, cancel. What differs between the two
channels is data (``IdentifierChannel``): the start and new-address schemas and a few words of the
summaries. Operation ids and handler names stay ``{kind}_change_{step}``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from billing_center.accounts.api.schemas import SETTINGS_PROBLEMS as PROBLEMS
from billing_center.accounts.selectors import settings as reads
from billing_center.accounts.services import identifier_change as changes
from billing_center.accounts.sessions import reauth_is_fresh
from billing_center.audit.services import RequestMeta
from billing_center.core.api import holder

router = Router()


class ChangeStatusOut(Schema):
    kind: str = Field(examples=["email"])
    state: str = Field(
        description="none | started | current_verified | waiting | new_code_sent | committed | cancelled | expired"
    )
    path: str = Field(description="change | add_phone | lost_phone")
    next_step: str = Field(description="start | verify_current | wait | enter_new | verify_new")
    step: int
    steps_total: int
    current_target_masked: str
    new_target_masked: str
    expires_at: datetime | None
    ready_at: datetime | None = Field(description="Lost phone: when a new phone can be entered")
    resend_available_at: datetime | None
    attempts_left: int | None
    end_other_sessions: bool


class ChangeStartIn(Schema):
    end_other_sessions: bool = True


class EmailChangeStartIn(ChangeStartIn):
    pass


class PhoneChangeStartIn(ChangeStartIn):
    lost_phone: bool = Field(
        False, description="The current phone is lost: code to the login email, 24 h wait"
    )


class CodeIn(Schema):
    code: str = Field(min_length=1, max_length=32, examples=["123456"])


class ConfirmIn(CodeIn):
    end_other_sessions: bool | None = Field(None, description="Override the choice made at the start")


class NewEmailIn(Schema):
    email: str = Field(min_length=3, max_length=254, examples=["billing@example.com"])


class NewPhoneIn(Schema):
    phone: str = Field(min_length=3, max_length=32, examples=["+8613800138000"])


@dataclass(frozen=True)
class IdentifierChannel:
    """One login identifier whose change the API offers: what its routes differ in."""

    kind: str  # "email" | "phone": the path (/{kind}-change), the service's kind, the operation ids
    start_in: type[ChangeStartIn]  # body of the start (the phone's says whether the current phone is lost)
    new_in: type[Schema]  # body of the new address: one field named ``kind``
    first_code_to: str  # where the first code goes, in the start summary
    current_code_to: str  # where the first code went, in the verify-current summary

    @property
    def label(self) -> str:
        return self.kind.capitalize()


EMAIL = IdentifierChannel(
    kind="email",
    start_in=EmailChangeStartIn,
    new_in=NewEmailIn,
    first_code_to="the current email",
    current_code_to="the current email",
)
PHONE = IdentifierChannel(
    kind="phone",
    start_in=PhoneChangeStartIn,
    new_in=NewPhoneIn,
    first_code_to="the current phone, or to the login email when adding a phone or replacing a lost one",
    current_code_to="the current phone (or login email)",
)

View = TypeVar("View", bound=Callable[..., Any])
CHANGED = {200: ChangeStatusOut, **PROBLEMS}


def identifier_change_routes(router: Router, channel: IdentifierChannel) -> None:
    """Register the seven change operations of ``channel`` on ``router``."""
    kind = channel.kind

    def operation(
        method: str,
        step: str,
        summary: str,
        *,
        subpath: str = "",
        response: Any = CHANGED,
        payload: type[Schema] | None = None,
    ) -> Callable[[View], View]:
        """Name the handler ``{kind}_change_{step}`` (also its operation id), give it its channel's body
        schema (django-ninja reads it from the ``payload`` annotation), and register it."""

        def register(view: View) -> View:
            view.__name__ = view.__qualname__ = f"{kind}_change_{step}"
            if payload is not None:
                view.__annotations__ = {**view.__annotations__, "payload": payload}
            router.api_operation(
                [method],
                f"/{kind}-change{subpath}",
                response=response,
                summary=f"{channel.label} change: {summary}",
                operation_id=view.__name__,
            )(view)
            return view

        return register

    def status(request: HttpRequest) -> Any:
        return reads.identifier_change_status(account=holder(request), kind=kind)

    def meta(request: HttpRequest) -> RequestMeta:
        return RequestMeta.from_request(request)

    @operation("GET", "status", "status", response=ChangeStatusOut)
    def change_status(request: HttpRequest) -> Any:
        return status(request)

    start = f"start (re-authentication within 10 min; a code goes to {channel.first_code_to})"

    @operation("POST", "start", start, payload=channel.start_in)
    def change_start(request: HttpRequest, payload: ChangeStartIn) -> Any:
        changes.identifier_change_start(
            account=holder(request),
            kind=kind,
            reauthenticated=reauth_is_fresh(request),
            end_other_sessions=payload.end_other_sessions,
            lost_phone=getattr(payload, "lost_phone", False),
            meta=meta(request),
        )
        return status(request)

    @operation("POST", "verify_current", f"the code sent to {channel.current_code_to}", subpath="/verify-current")
    def change_verify_current(request: HttpRequest, payload: CodeIn) -> Any:
        changes.identifier_change_verify_current(
            account=holder(request), kind=kind, code=payload.code, meta=meta(request)
        )
        return status(request)

    @operation("POST", "new", f"the new {kind} (a code goes there)", subpath="/new", payload=channel.new_in)
    def change_new(request: HttpRequest, payload: Schema) -> Any:
        changes.identifier_change_submit_new(
            account=holder(request),
            kind=kind,
            value=getattr(payload, kind),
            reauthenticated=reauth_is_fresh(request),
            meta=meta(request),
        )
        return status(request)

    @operation("POST", "confirm", f"the code sent to the new {kind} commits the change", subpath="/confirm")
    def change_confirm(request: HttpRequest, payload: ConfirmIn) -> Any:
        changes.identifier_change_confirm(
            account=holder(request),
            kind=kind,
            code=payload.code,
            end_other_sessions=payload.end_other_sessions,
            keep_session_key=request.session.session_key,
            meta=meta(request),
        )
        return status(request)

    @operation("POST", "resend", "send the code of the current step again", subpath="/resend")
    def change_resend(request: HttpRequest) -> Any:
        changes.identifier_change_resend(account=holder(request), kind=kind, meta=meta(request))
        return status(request)

    @operation("DELETE", "cancel", "cancel", response={204: None, **PROBLEMS})
    def change_cancel(request: HttpRequest) -> Any:
        changes.identifier_change_cancel(account=holder(request), kind=kind, meta=meta(request))
        return Status(204, None)


for _channel in (EMAIL, PHONE):
    identifier_change_routes(router, _channel)
