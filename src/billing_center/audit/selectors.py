from __future__ import annotations

from typing import Any

from django.db.models import Q

from billing_center.audit.events import holder_visible_names, holder_visible_names_sorted
from billing_center.audit.models import AuditEvent
from billing_center.core.pagination import Page, first_page_desc, first_page_values_desc, paginate_desc
from billing_center.core.rawread import Condition

LOG_KEYS = ("created_at", "id")


# What the holder sees in their own security log (SPEC §3) is declared with each event
# (``holder_visible`` in the apps' events.py); operator and system bookkeeping stays in the back office.
def _holder_visible() -> Q:
    return Q(event__in=sorted(holder_visible_names()))


def security_events_for_account(*, account: Any, cursor: str | None, limit: int | None) -> Page[AuditEvent]:
    if cursor is None:
        # The first page (the security log, the overview's recent events): the same query, hand-written.
        return first_page_desc(AuditEvent, _first_page_conditions(account), keys=LOG_KEYS, limit=limit)
    queryset = AuditEvent.objects.filter(_holder_visible(), account=account)
    return paginate_desc(queryset, keys=LOG_KEYS, cursor=cursor, limit=limit)


def security_event_values_for_account(
    *, account: Any, fields: tuple[str, ...], cursor: str | None, limit: int | None
) -> Page[tuple[Any, ...]]:
    """``security_events_for_account`` as ``values_list(*fields)`` tuples (``fields`` holds the page's keys):
    the same rows, order and next cursor. The first page builds no model instance and converts only
    these columns (the security log API's list); a page after a cursor is read as instances."""
    if cursor is None:
        return first_page_values_desc(AuditEvent, fields, _first_page_conditions(account), keys=LOG_KEYS, limit=limit)
    page = security_events_for_account(account=account, cursor=cursor, limit=limit)
    attnames = [AuditEvent._meta.get_field(name).attname for name in fields]  # type: ignore[union-attr]
    return Page(items=[tuple(getattr(row, name) for name in attnames) for row in page.items], next_cursor=page.next_cursor)


def _first_page_conditions(account: Any) -> list[Condition]:
    # A tuple: rawread prepares its values once (the same 48 names on every page).
    return [("event", "in", holder_visible_names_sorted()), ("account", "=", account)]


def security_event_for_account(*, account: Any, event_id: int) -> AuditEvent | None:
    return AuditEvent.objects.filter(_holder_visible(), account=account, pk=event_id).first()
