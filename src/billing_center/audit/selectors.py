from __future__ import annotations

from typing import Any

from django.db.models import Q

from billing_center.audit.events import holder_visible_names
from billing_center.audit.models import AuditEvent
from billing_center.core.pagination import Page, first_page_desc, paginate_desc

LOG_KEYS = ("created_at", "id")


# What the holder sees in their own security log (SPEC §3) is declared with each event
# (``holder_visible`` in the apps' events.py); operator and system bookkeeping stays in the back office.
def _holder_visible() -> Q:
    return Q(event__in=sorted(holder_visible_names()))


def security_events_for_account(*, account: Any, cursor: str | None, limit: int | None) -> Page[AuditEvent]:
    if cursor is None:
        # The first page (the security log, the overview's recent events): the same query, hand-written.
        conditions = [("event", "in", sorted(holder_visible_names())), ("account", "=", account)]
        return first_page_desc(AuditEvent, conditions, keys=LOG_KEYS, limit=limit)
    queryset = AuditEvent.objects.filter(_holder_visible(), account=account)
    return paginate_desc(queryset, keys=LOG_KEYS, cursor=cursor, limit=limit)


def security_event_for_account(*, account: Any, event_id: int) -> AuditEvent | None:
    return AuditEvent.objects.filter(_holder_visible(), account=account, pk=event_id).first()
