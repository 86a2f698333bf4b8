from __future__ import annotations

from typing import Any

from billing_center.audit.models import AuditEvent
from billing_center.core.pagination import Page, paginate_desc


def security_events_for_account(*, account: Any, cursor: str | None, limit: int | None) -> Page[AuditEvent]:
    queryset = AuditEvent.objects.filter(account=account)
    return paginate_desc(queryset, keys=("created_at", "id"), cursor=cursor, limit=limit)
