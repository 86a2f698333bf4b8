"""Reads for Account Settings: identifier-change status, the holder's sessions and security log."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

import billing_center.verification.services as codes
from billing_center.accounts.models import (
    Account,
    AccountSession,
    ChangeKind,
    ChangePath,
    ChangeState,
    IdentifierChange,
)
from billing_center.audit import selectors as audit_selectors
from billing_center.audit.events import label_for
from billing_center.audit.models import AuditEvent
from billing_center.audit.selectors import security_events_for_account
from billing_center.core.masking import mask_target
from billing_center.core.pagination import Page
from billing_center.core.rawread import first_where, values_where

# --- Identifier change status ---------------------------------------------------------------------


@dataclass(frozen=True)
class IdentifierChangeStatus:
    kind: str
    state: str  # "none", a pending state, or how the latest change ended
    path: str
    next_step: str  # start | verify_current | wait | enter_new | verify_new
    step: int
    steps_total: int
    current_target_masked: str
    new_target_masked: str
    expires_at: datetime | None
    ready_at: datetime | None
    resend_available_at: datetime | None
    attempts_left: int | None
    end_other_sessions: bool


def identifier_change_status(*, account: Account, kind: str) -> IdentifierChangeStatus:
    """Exactly one next step for the UI and the API. A pending change past its expiry reads as expired
    (the next write closes it)."""
    # Read on every profile page and status call: one hand-written SELECT (core.rawread).
    change = first_where(
        IdentifierChange, [("account", "=", account.pk), ("kind", "=", kind)], order_by=("-created_at", "-id")
    )
    path = _default_path(account, kind)
    if change is None:
        return _idle(kind, "none", path)
    now = timezone.now()
    if not change.is_pending:
        return _idle(kind, change.state, path)
    if change.expires_at <= now:
        return _idle(kind, ChangeState.EXPIRED, path)
    next_step, step = _next_step(change, now)
    from billing_center.accounts.services.identifier_change import live_code

    purpose, target = live_code(change)
    state = codes.code_state(purpose=purpose, target=target, flow=str(change.flow)) if purpose else None
    return IdentifierChangeStatus(
        kind=kind,
        state=change.state,
        path=change.path,
        next_step=next_step,
        step=step,
        steps_total=4 if change.path == ChangePath.LOST_PHONE else 3,
        current_target_masked=mask_target(change.current_target),
        new_target_masked=mask_target(change.new_value) if change.new_value else "",
        expires_at=change.expires_at,
        ready_at=change.ready_at,
        resend_available_at=state.resend_available_at if state else None,
        attempts_left=state.attempts_left if state else None,
        end_other_sessions=change.end_other_sessions,
    )


def _default_path(account: Account, kind: str) -> str:
    return ChangePath.ADD_PHONE if kind == ChangeKind.PHONE and not account.phone else ChangePath.CHANGE


def _idle(kind: str, state: str, path: str) -> IdentifierChangeStatus:
    return IdentifierChangeStatus(
        kind=kind,
        state=str(state),
        path=path,
        next_step="start",
        step=0,
        steps_total=3,
        current_target_masked="",
        new_target_masked="",
        expires_at=None,
        ready_at=None,
        resend_available_at=None,
        attempts_left=None,
        end_other_sessions=True,
    )


def _next_step(change: IdentifierChange, now: datetime) -> tuple[str, int]:
    lost = change.path == ChangePath.LOST_PHONE
    if change.state == ChangeState.STARTED:
        return "verify_current", 1
    if change.state == ChangeState.WAITING:
        return ("wait", 2) if change.ready_at and now < change.ready_at else ("enter_new", 3)
    if change.state == ChangeState.CURRENT_VERIFIED:
        return "enter_new", 2
    return "verify_new", 4 if lost else 3


# --- Sessions -------------------------------------------------------------------------------------

_SESSION_ID_SALT = "billing_center.accounts.session_public_id"


@dataclass(frozen=True)
class SessionRow:
    id: str
    device: str
    ip: str
    created_at: datetime
    last_seen_at: datetime
    is_current: bool


def session_public_id(session_key: str) -> str:
    """A stable id for one session that is not its cookie value (which must never leave the server)."""
    return salted_hmac(_SESSION_ID_SALT, session_key, algorithm="sha256").hexdigest()[:32]


def _live_sessions(account: Account) -> Any:
    return AccountSession.objects.filter(account=account, expire_date__gt=timezone.now())


_SESSION_COLUMNS = ("session_key", "user_agent", "ip", "created_at", "last_seen_at")


def sessions_for_account(*, account: Account, current_session_key: str | None) -> list[SessionRow]:
    # Read on every sessions page and list call: ``_live_sessions(…).order_by(…).values_list(…)`` as one
    # hand-written SELECT (core.rawread; building the ORM query was the largest part of the list), only
    # the columns shown (not the session data).
    conditions = [("account", "=", account), ("expire_date", ">", timezone.now())]
    rows = values_where(AccountSession, _SESSION_COLUMNS, conditions, order_by=("-last_seen_at", "session_key"))
    return [
        SessionRow(
            id=session_public_id(session_key),
            device=device_label(user_agent),
            ip=ip or "",
            created_at=created_at,
            last_seen_at=last_seen_at,
            is_current=session_key == current_session_key,
        )
        for session_key, user_agent, ip, created_at, last_seen_at in rows
    ]


def session_key_for_public_id(*, account: Account, session_id: str) -> str | None:
    """The key of the account's live session with this public id; None for anyone else's."""
    wanted = (session_id or "").encode()
    for session_key in _live_sessions(account).values_list("session_key", flat=True):
        if hmac.compare_digest(session_public_id(session_key).encode(), wanted):
            return str(session_key)
    return None


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def device_label(user_agent: str, *, raw_fallback: bool = True) -> str:
    """A short human label such as "Chrome on Linux" from a User-Agent header. An unrecognized header
    is shown as its first 60 characters, or, with ``raw_fallback=False`` (emails: no attacker text in
    the holder's mailbox), as "Unknown device"."""
    agent = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in agent), "")
    if "HeadlessChrome/" in agent:
        browser = "Headless Chrome"
    system = next((name for marker, name in _SYSTEMS if marker in agent), "")
    if browser and system:
        return str(_("%(browser)s on %(system)s") % {"browser": browser, "system": system})
    if browser or system:
        return browser or system
    if not raw_fallback:
        return str(_("Unknown device"))
    return re.sub(r"\s+", " ", agent)[:60] or str(_("Unknown device"))


# --- Security log ---------------------------------------------------------------------------------

def event_label(event: str) -> str:
    return label_for(event)


def security_events_page(*, account: Account, cursor: str | None, limit: int | None) -> Page[AuditEvent]:
    return security_events_for_account(account=account, cursor=cursor, limit=limit)


def security_event_values_page(
    *, account: Account, fields: tuple[str, ...], cursor: str | None, limit: int | None
) -> Page[tuple[Any, ...]]:
    return audit_selectors.security_event_values_for_account(account=account, fields=fields, cursor=cursor, limit=limit)


def security_event_for_account(*, account: Account, event_id: int) -> AuditEvent | None:
    return audit_selectors.security_event_for_account(account=account, event_id=event_id)
