from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q

from billing_center.audit.models import AuditEvent
from billing_center.core.pagination import Page, paginate_desc

# What the holder sees in their own security log (SPEC §3): sign-in and identity events, codes,
# changes to the account and its sessions, cloud account links. Operator and system bookkeeping on the
# account (contracts issued, deliveries, flags) stays in the back office's audit log.
HOLDER_SECURITY_EVENT_PREFIXES = (
    "signup",
    "login.",
    "logout",
    "reauth.",
    "session.",
    "sessions.",
    "code.",
    "password.",
    "profile.",
    "email.",
    "email_change.",
    "phone.",
    "phone_change.",
    "account.language_changed",
    "cloud_account.",
)


def _holder_visible() -> Q:
    return reduce(or_, (Q(event__startswith=prefix) for prefix in HOLDER_SECURITY_EVENT_PREFIXES))


def security_events_for_account(*, account: Any, cursor: str | None, limit: int | None) -> Page[AuditEvent]:
    queryset = AuditEvent.objects.filter(_holder_visible(), account=account)
    return paginate_desc(queryset, keys=("created_at", "id"), cursor=cursor, limit=limit)


def security_event_for_account(*, account: Any, event_id: int) -> AuditEvent | None:
    return AuditEvent.objects.filter(_holder_visible(), account=account, pk=event_id).first()
