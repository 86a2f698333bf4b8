"""Account Settings API: /api/v1/account/sessions (list, end one, end every other)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.params import functions as param
from ninja.responses import Status

from billing_center.accounts.api.schemas import SETTINGS_PROBLEMS as PROBLEMS
from billing_center.accounts.selectors import settings as reads
from billing_center.accounts.services.sessions import account_session_end, account_sessions_end_others
from billing_center.audit.services import RequestMeta
from billing_center.core.api import holder
from billing_center.core.api.responses import json_answer

router = Router()


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


def _session(row: reads.SessionRow) -> dict[str, Any]:
    """``SessionOut``'s dump: its keys in its order, plain values (the list is written without ninja's
    output validation; tests/accounts/api/test_settings.py compares it with the validated dump)."""
    return {
        "id": row.id,
        "device": row.device,
        "ip": row.ip,
        "created_at": row.created_at,
        "last_seen_at": row.last_seen_at,
        "is_current": row.is_current,
    }


@router.get("/sessions", response=SessionListOut, summary="The account's active sessions")
def sessions_list(request: HttpRequest) -> HttpResponse:
    rows = reads.sessions_for_account(
        account=holder(request), current_session_key=request.session.session_key
    )
    return json_answer({"items": [_session(row) for row in rows]})


@router.delete(
    "/sessions/{session_id}", response={204: None, **PROBLEMS}, summary="End one of the account's sessions"
)
def sessions_end_one(request: HttpRequest, session_id: str = param.Path(..., max_length=64)) -> Any:
    account_session_end(
        account=holder(request),
        session_id=session_id,
        current_session_key=request.session.session_key,
        meta=RequestMeta.from_request(request),
    )
    return Status(204, None)


@router.delete("/sessions", response=SessionsEndedOut, summary="End every other session")
def sessions_end_all_others(request: HttpRequest) -> Any:
    ended = account_sessions_end_others(
        account=holder(request), current_session_key=request.session.session_key, meta=RequestMeta.from_request(request)
    )
    return SessionsEndedOut(ended=ended)
