"""The audit log in the back office: read-only, filtered by event, date and kind of actor, and by one
account or actor (``?account__id__exact=`` / ``?actor__id__exact=``, linked from each row)."""

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

# Filters given in the query string besides the list_filter ones.
EXTRA_LOOKUPS = frozenset({"account__id__exact", "actor__id__exact", "account__username", "actor__username"})


class ActorKindFilter(admin.SimpleListFilter):
    title = _("actor")
    parameter_name = "actor_kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("holder", _("the account holder")),
            ("operator", _("an operator")),
            ("system", _("the system")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        from django.db.models import F

        value = self.value()
        if value == "holder":
            return queryset.filter(actor_id=F("account_id"))
        if value == "operator":
            return queryset.filter(actor__is_staff=True).exclude(actor_id=F("account_id"))
        if value == "system":
            return queryset.filter(actor__isnull=True)
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin[AuditEvent]):
    list_display = ("created_at", "event_label", "account", "actor", "actor_label", "ip", "request_id")
    list_filter = (EventFilter, ActorKindFilter, ("created_at", admin.DateFieldListFilter))
    search_fields = (
        "event",
        "account__username",
        "account__email",
        "actor__username",
        "ip",
        "request_id",
        "target_id",
    )
    date_hierarchy = "created_at"
    list_select_related = ("account", "actor")
    readonly_fields = ("event_label",)

    @admin.display(description=_("event"), ordering="event")
    def event_label(self, obj: AuditEvent) -> str:
        return label_for(obj.event)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        return lookup in EXTRA_LOOKUPS or super().lookup_allowed(lookup, value, request)
