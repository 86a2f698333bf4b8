from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from billing_center.audit.events import declared, label_for
from billing_center.audit.models import AuditEvent


class EventFilter(admin.SimpleListFilter):
    """Filter by event, listed by the declared labels (sorted as read), not by raw keys."""

    title = _("event")
    parameter_name = "event"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return sorted(((name, label_for(name)) for name in declared()), key=lambda pair: pair[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        value = self.value()
        return queryset.filter(event=value) if value else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "event_label", "account", "actor", "actor_label", "ip", "request_id")
    list_filter = (EventFilter,)
    search_fields = ("event", "account__username", "account__email", "ip", "request_id", "target_id")
    date_hierarchy = "created_at"
    list_select_related = ("account", "actor")

    @admin.display(description=_("Event"), ordering="event")
    def event_label(self, obj: AuditEvent) -> str:
        """The declared, translated label ("Language changed"), never the raw key."""
        return label_for(obj.event)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
