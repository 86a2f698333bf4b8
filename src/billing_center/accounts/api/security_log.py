"""Account Settings API: /api/v1/account/security-events (the holder's security log, one event)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.params import functions as param

from billing_center.accounts.selectors import settings as reads
from billing_center.audit.models import AuditEvent
from billing_center.core.api import ProblemOut, holder
from billing_center.core.api.responses import json_answer
from billing_center.core.errors import NotFound
from billing_center.core.pagination import MAX_LIMIT

router = Router()


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


# The list's columns in SecurityEventOut's order (the label is the event's): the first page is read as
# plain tuples of these (no model instance, no other column converted), the largest part of the list.
_COLUMNS = ("id", "event", "created_at", "ip", "user_agent", "old", "new", "detail")
_EVENT = _COLUMNS.index("event")


def _list_item(values: tuple[Any, ...], labels: dict[str, str]) -> dict[str, Any]:
    """``SecurityEventOut``'s dump from a row of ``_COLUMNS``: its keys in its order, plain values (the
    list is written without ninja's output validation; tests/accounts/api/test_settings.py compares it
    with the validated dump)."""
    pk, event, created_at, ip, user_agent, old, new, detail = values
    return {
        "id": pk,
        "event": event,
        "label": labels[event],
        "created_at": created_at,
        "ip": ip,
        "user_agent": user_agent,
        "old": old,
        "new": new,
        "detail": detail,
    }


def _labels(events: set[str]) -> dict[str, str]:
    """Each event's label once per page (a page repeats a few kinds of event)."""
    return {event: str(reads.event_label(event)) for event in events}


def _event(row: AuditEvent) -> dict[str, Any]:
    """One event's answer: the list's item for its row."""
    return _list_item(tuple(getattr(row, name) for name in _COLUMNS), _labels({row.event}))


class EventQuery(Schema):
    cursor: str | None = Field(None, max_length=512)
    limit: int | None = Field(None, ge=1, le=MAX_LIMIT)


@router.get(
    "/security-events",
    response={200: SecurityEventPageOut, 422: ProblemOut},
    summary="The account's security events, newest first",
)
def security_events(request: HttpRequest, query: Query[EventQuery]) -> HttpResponse:
    page = reads.security_event_values_page(
        account=holder(request), fields=_COLUMNS, cursor=query.cursor, limit=query.limit
    )
    labels = _labels({values[_EVENT] for values in page.items})
    items = [_list_item(values, labels) for values in page.items]
    return json_answer({"items": items, "next_cursor": page.next_cursor})


@router.get(
    "/security-events/{event_id}",
    response={200: SecurityEventOut, 404: ProblemOut},
    summary="One security event",
)
def security_event(request: HttpRequest, event_id: int = param.Path(..., ge=1, le=2**63 - 1)) -> Any:
    row = reads.security_event_for_account(account=holder(request), event_id=event_id)
    if row is None:
        raise NotFound(_("That event does not exist."), code="event_not_found")
    return _event(row)
