from django.contrib import admin
from django.http import HttpRequest

from billing_center.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "event", "account", "actor", "actor_label", "ip", "request_id")
    list_filter = ("event",)
    search_fields = ("event", "account__username", "account__email", "ip", "request_id", "target_id")
    date_hierarchy = "created_at"
    list_select_related = ("account", "actor")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
