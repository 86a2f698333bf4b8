"""``audit_record`` writes one event; services call it inside their own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from billing_center.audit.events import EventType, resolve
from billing_center.audit.models import AuditEvent


@dataclass(frozen=True)
class RequestMeta:
    """Who is calling from where: passed from views/API into services for limits and audit."""

    ip: str = ""
    user_agent: str = ""
    request_id: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> RequestMeta:
        return cls(
            ip=getattr(request, "client_ip", "") or request.META.get("REMOTE_ADDR", ""),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
            request_id=getattr(request, "request_id", ""),
        )


SYSTEM = RequestMeta()


def audit_record(
    *,
    event: EventType | str,
    meta: RequestMeta = SYSTEM,
    account: Any = None,
    actor: Any = None,
    actor_label: str = "",
    target: Any = None,
    target_type: str = "",
    target_id: str = "",
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    declared = resolve(event)
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    if actor is None and account is not None and not actor_label:
        actor = account
    return AuditEvent.objects.create(
        event=declared.name,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label,
        account=account if getattr(account, "pk", None) else None,
        target_type=target_type,
        target_id=str(target_id),
        ip=meta.ip or None,
        user_agent=meta.user_agent,
        request_id=meta.request_id,
        old=old or {},
        new=new or {},
        detail=detail or {},
    )
