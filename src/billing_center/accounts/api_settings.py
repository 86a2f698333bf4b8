"""Account Settings API under /api/v1/account: profile, email and phone change, password, sessions,
security log. Thin: parse, call one service or selector, shape the answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.params import functions as param
from ninja.responses import Status

from billing_center.accounts.models import Account
from billing_center.accounts.selectors import settings as reads
from billing_center.accounts.services import identifier_change as changes
from billing_center.accounts.services.password import password_update as password_store
from billing_center.accounts.services.profile import profile_update
from billing_center.accounts.services.sessions import account_session_end, account_sessions_end_others
from billing_center.accounts.sessions import reauth_is_fresh
from billing_center.audit.models import AuditEvent
from billing_center.audit.services import RequestMeta
from billing_center.core.api import HolderSession, ProblemOut, holder, problems_for
from billing_center.core.errors import NotFound
from billing_center.core.masking import mask_email, mask_phone
from billing_center.core.pagination import MAX_LIMIT

settings_router = Router(tags=["account settings"], auth=HolderSession())


PROBLEMS = problems_for((403, 404, 409, 422, 429))


# --- Profile --------------------------------------------------------------------------------------


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


def _profile(account: Account) -> ProfileOut:
    return ProfileOut(
        username=account.username,
        email_masked=mask_email(account.email),
        phone_masked=mask_phone(account.phone) if account.phone else None,
        enterprise_name=account.enterprise_name,
        industry=account.industry,
        region=account.region,
        introduction=account.introduction,
        contact_name=account.contact_name,
        time_zone=account.time_zone,
        language=account.language,
        has_password=account.has_usable_password(),
    )


@settings_router.get("/profile", response=ProfileOut, summary="Read the profile")
def profile_read(request: HttpRequest) -> ProfileOut:
    return _profile(holder(request))


@settings_router.patch(
    "/profile", response={200: ProfileOut, **PROBLEMS}, summary="Edit profile fields (only those given)"
)
def profile_edit(request: HttpRequest, payload: ProfileIn) -> ProfileOut:
    account = holder(request)
    profile_update(
        account=account,
        changes=payload.model_dump(exclude_unset=True),
        meta=RequestMeta.from_request(request),
    )
    return _profile(account)


# --- Email and phone change -----------------------------------------------------------------------


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


class EmailChangeStartIn(Schema):
    end_other_sessions: bool = True


class PhoneChangeStartIn(Schema):
    end_other_sessions: bool = True
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


def _status(request: HttpRequest, kind: str) -> reads.IdentifierChangeStatus:
    return reads.identifier_change_status(account=holder(request), kind=kind)


def _meta(request: HttpRequest) -> RequestMeta:
    return RequestMeta.from_request(request)


@settings_router.get(
    "/email-change",
    response=ChangeStatusOut,
    summary="Email change: status",
    operation_id="email_change_status",
)
def email_change_status(request: HttpRequest) -> Any:
    return _status(request, "email")


@settings_router.post(
    "/email-change",
    response={200: ChangeStatusOut, **PROBLEMS},
    summary="Email change: start (re-authentication within 10 min; a code goes to the current email)",
    operation_id="email_change_start",
)
def email_change_start(request: HttpRequest, payload: EmailChangeStartIn) -> Any:
    changes.identifier_change_start(
        account=holder(request),
        kind="email",
        reauthenticated=reauth_is_fresh(request),
        end_other_sessions=payload.end_other_sessions,
        meta=_meta(request),
    )
    return _status(request, "email")


@settings_router.post(
    "/email-change/verify-current",
    response={200: ChangeStatusOut, **PROBLEMS},
    summary="Email change: the code sent to the current email",
    operation_id="email_change_verify_current",
)
def email_change_verify_current(request: HttpRequest, payload: CodeIn) -> Any:
    changes.identifier_change_verify_current(
        account=holder(request), kind="email", code=payload.code, meta=_meta(request)
    )
    return _status(request, "email")


@settings_router.post(
    "/email-change/new",
    response={200: ChangeStatusOut, **PROBLEMS},
    summary="Email change: the new email (a code goes there)",
    operation_id="email_change_new",
)
def email_change_new(request: HttpRequest, payload: NewEmailIn) -> Any:
    changes.identifier_change_submit_new(
        account=holder(request),
        kind="email",
        value=payload.email,
        reauthenticated=reauth_is_fresh(request),
        meta=_meta(request),
    )
    return _status(request, "email")


@settings_router.post(
    "/email-change/confirm",
    response={200: ChangeStatusOut, **PROBLEMS},
    summary="Email change: the code sent to the new email commits the change",
    operation_id="email_change_confirm",
)
def email_change_confirm(request: HttpRequest, payload: ConfirmIn) -> Any:
    changes.identifier_change_confirm(
        account=holder(request),
        kind="email",
        code=payload.code,
        end_other_sessions=payload.end_other_sessions,
        keep_session_key=request.session.session_key,
        meta=_meta(request),
    )
    return _status(request, "email")


@settings_router.post(
    "/email-change/resend",
    response={200: ChangeStatusOut, **PROBLEMS},
    summary="Email change: send the code of the current step again",
    operation_id="email_change_resend",
)
def email_change_resend(request: HttpRequest) -> Any:
    changes.identifier_change_resend(account=holder(request), kind="email", meta=_meta(request))
    return _status(request, "email")


@settings_router.delete(
    "/email-change",
    response={204: None, **PROBLEMS},
    summary="Email change: cancel",
    operation_id="email_change_cancel",
)
def email_change_cancel(request: HttpRequest) -> Any:
    changes.identifier_change_cancel(account=holder(request), kind="email", meta=_meta(request))
    return Status(204, None)


@settings_router.get(
    "/phone-change",
    response=ChangeStatusOut,
    summary="Phone change: status",
    operation_id="phone_change_status",
)
def phone_change_status(request: HttpRequest) -> Any:
    return _status(request, "phone")


@settings_router.post(
    "/phone-change",
    response={200: ChangeStatusOut, **PROBLEMS},
    summary="Phone change: start (re-authentication within 10 min; a code goes to the current phone, or to "
    "the login email when adding a phone or replacing a lost one)",
    operation_id="phone_change_start",
)
def phone_change_start(request: HttpRequest, payload: PhoneChangeStartIn) -> Any:
    changes.identifier_change_start(
        account=holder(request),
        kind="phone",
        reauthenticated=reauth_is_fresh(request),
        end_other_sessions=payload.end_other_sessions,
        lost_phone=payload.lost_phone,
        meta=_meta(request),
    )
    return _status(request, "phone")


@settings_router.post(
    "/phone-change/verify-current",
    response={200: ChangeStatusOut, **PROBLEMS},
    summary="Phone change: the code sent to the current phone (or login email)",
    operation_id="phone_change_verify_current",
)
def phone_change_verify_current(request: HttpRequest, payload: CodeIn) -> Any:
    changes.identifier_change_verify_current(
        account=holder(request), kind="phone", code=payload.code, meta=_meta(request)
    )
    return _status(request, "phone")


@settings_router.post(
    "/phone-change/new",
    response={200: ChangeStatusOut, **PROBLEMS},
    summary="Phone change: the new phone (a code goes there)",
    operation_id="phone_change_new",
)
def phone_change_new(request: HttpRequest, payload: NewPhoneIn) -> Any:
    changes.identifier_change_submit_new(
        account=holder(request),
        kind="phone",
        value=payload.phone,
        reauthenticated=reauth_is_fresh(request),
        meta=_meta(request),
    )
    return _status(request, "phone")


@settings_router.post(
    "/phone-change/confirm",
    response={200: ChangeStatusOut, **PROBLEMS},
    summary="Phone change: the code sent to the new phone commits the change",
    operation_id="phone_change_confirm",
)
def phone_change_confirm(request: HttpRequest, payload: ConfirmIn) -> Any:
    changes.identifier_change_confirm(
        account=holder(request),
        kind="phone",
        code=payload.code,
        end_other_sessions=payload.end_other_sessions,
        keep_session_key=request.session.session_key,
        meta=_meta(request),
    )
    return _status(request, "phone")


@settings_router.post(
    "/phone-change/resend",
    response={200: ChangeStatusOut, **PROBLEMS},
    summary="Phone change: send the code of the current step again",
    operation_id="phone_change_resend",
)
def phone_change_resend(request: HttpRequest) -> Any:
    changes.identifier_change_resend(account=holder(request), kind="phone", meta=_meta(request))
    return _status(request, "phone")


@settings_router.delete(
    "/phone-change",
    response={204: None, **PROBLEMS},
    summary="Phone change: cancel",
    operation_id="phone_change_cancel",
)
def phone_change_cancel(request: HttpRequest) -> Any:
    changes.identifier_change_cancel(account=holder(request), kind="phone", meta=_meta(request))
    return Status(204, None)


# --- Password -------------------------------------------------------------------------------------


class PasswordIn(Schema):
    current_password: str | None = Field(
        None, max_length=4096, description="Required when the account has a password"
    )
    new_password: str = Field(min_length=1, max_length=4096)


class PasswordOut(Schema):
    result: str = Field(description="changed | set")


@settings_router.post(
    "/password",
    response={200: PasswordOut, **PROBLEMS},
    summary="Change the password (current password required), or set a first one right after re-authentication "
    "by code. Other sessions end and this session gets a new id.",
)
def password_update(request: HttpRequest, payload: PasswordIn) -> Any:
    account = holder(request)
    meta = _meta(request)
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


# --- Sessions -------------------------------------------------------------------------------------


class SessionOut(Schema):
    id: str
    device: str
    ip: str
    created_at: datetime
    last_seen_at: datetime
    is_current: bool


class SessionListOut(Schema):
    items: list[SessionOut]


class SessionsEndedOut(Schema):
    ended: int


@settings_router.get("/sessions", response=SessionListOut, summary="The account's active sessions")
def sessions_list(request: HttpRequest) -> Any:
    rows = reads.sessions_for_account(
        account=holder(request), current_session_key=request.session.session_key
    )
    return {"items": rows}


@settings_router.delete(
    "/sessions/{session_id}", response={204: None, **PROBLEMS}, summary="End one of the account's sessions"
)
def sessions_end_one(request: HttpRequest, session_id: str = param.Path(..., max_length=64)) -> Any:
    account_session_end(
        account=holder(request),
        session_id=session_id,
        current_session_key=request.session.session_key,
        meta=_meta(request),
    )
    return Status(204, None)


@settings_router.delete("/sessions", response=SessionsEndedOut, summary="End every other session")
def sessions_end_all_others(request: HttpRequest) -> Any:
    ended = account_sessions_end_others(
        account=holder(request), current_session_key=request.session.session_key, meta=_meta(request)
    )
    return SessionsEndedOut(ended=ended)


# --- Security log ---------------------------------------------------------------------------------


class SecurityEventOut(Schema):
    id: int
    event: str
    label: str
    created_at: datetime
    ip: str | None
    user_agent: str
    old: dict[str, Any]
    new: dict[str, Any]
    detail: dict[str, Any]


class SecurityEventPageOut(Schema):
    items: list[SecurityEventOut]
    next_cursor: str | None


def _event(row: AuditEvent) -> SecurityEventOut:
    return SecurityEventOut(
        id=row.pk,
        event=row.event,
        label=reads.event_label(row.event),
        created_at=row.created_at,
        ip=row.ip,
        user_agent=row.user_agent,
        old=row.old,
        new=row.new,
        detail=row.detail,
    )


class EventQuery(Schema):
    cursor: str | None = Field(None, max_length=512)
    limit: int | None = Field(None, ge=1, le=MAX_LIMIT)


@settings_router.get(
    "/security-events",
    response={200: SecurityEventPageOut, 422: ProblemOut},
    summary="The account's security events, newest first",
)
def security_events(request: HttpRequest, query: Query[EventQuery]) -> Any:
    page = reads.security_events_page(account=holder(request), cursor=query.cursor, limit=query.limit)
    return SecurityEventPageOut(items=[_event(row) for row in page.items], next_cursor=page.next_cursor)


@settings_router.get(
    "/security-events/{event_id}",
    response={200: SecurityEventOut, 404: ProblemOut},
    summary="One security event",
)
def security_event(request: HttpRequest, event_id: int = param.Path(..., ge=1, le=2**63 - 1)) -> Any:
    row = reads.security_event_for_account(account=holder(request), event_id=event_id)
    if row is None:
        raise NotFound(_("That event does not exist."), code="event_not_found")
    return _event(row)
