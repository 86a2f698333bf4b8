from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from billing_center.audit.events import declared, label_for
from billing_center.audit.models import AuditEvent
from billing_center.core.admin import ReadOnlyAdmin


class EventFilter(admin.SimpleListFilter):
    """Filter by event, offering the declared events by their translated label."""

    title = _("event")
    parameter_name = "event"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        choices = [(name, str(event.label)) for name, event in declared().items()]
        return sorted(choices, key=lambda choice: choice[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(event=value) if value else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin[AuditEvent]):
    list_display = ("created_at", "event_label", "account", "actor", "actor_label", "ip", "request_id")
    list_filter = (EventFilter,)
    search_fields = ("event", "account__username", "account__email", "ip", "request_id", "target_id")
    date_hierarchy = "created_at"
    list_select_related = ("account", "actor")
    readonly_fields = ("event_label",)

    @admin.display(description=_("event"), ordering="event")
    def event_label(self, obj: AuditEvent) -> str:
        return label_for(obj.event)
