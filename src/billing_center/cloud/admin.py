"""Back office: cloud accounts and the marketplace inbox, read-only; failed inbox rows can be re-run."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from billing_center.audit.services import RequestMeta
from billing_center.cloud.inbox import InboxFailed, inbox_retry
from billing_center.cloud.models import CloudAccount, InboxEvent, InboxStatus
from billing_center.core.admin import HasAccountFilter, ReadOnlyAdmin
from billing_center.core.errors import ApplicationError


class LinkedFilter(HasAccountFilter):
    title = _("linked")
    parameter_name = "linked"
    yes_label = _("Linked")
    no_label = _("Not linked")


def _pretty(value: Any) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True))


def _pretty_field(name: str, description: Any) -> Any:
    """A read-only admin column that shows the JSON field ``name`` indented."""

    @admin.display(description=description)
    def display(model_admin: Any, obj: Any) -> str:
        return _pretty(getattr(obj, name))

    return display


@admin.register(CloudAccount)
class CloudAccountAdmin(ReadOnlyAdmin[CloudAccount]):
    list_display = ("instance_id", "vendor", "vendor_account_id", "state", "trial", "expires_at", "account", "created_at")
    list_filter = ("vendor", "state", LinkedFilter, "trial")
    search_fields = ("instance_id", "vendor_account_id", "account__username")
    list_select_related = ("account",)
    # created_at after the account's own fields (the timestamps come from TimestampedModel, declared first).
    readonly_fields = ("created_at", "transitions_display", "vendor_data_display")
    exclude = ("transitions", "vendor_data")

    transitions_display = _pretty_field("transitions", _("transitions"))
    vendor_data_display = _pretty_field("vendor_data", _("vendor fields"))


@admin.register(InboxEvent)
class InboxEventAdmin(ReadOnlyAdmin[InboxEvent]):
    list_display = ("received_at", "vendor", "action", "status", "changes", "attempts", "cloud_account")
    list_filter = ("vendor", "status", "action")
    search_fields = ("dedup_key", "cloud_account__instance_id")
    list_select_related = ("cloud_account",)
    readonly_fields = ("created_at", "changes_display", "request_display", "response_display")
    exclude = ("request", "response", "result")
    actions = ["rerun_failed"]

    @admin.display(description=_("what it changed"))
    def changes(self, obj: InboxEvent) -> str:
        result = obj.result or {}
        return ", ".join(
            f"{name}: {value[0]} → {value[1]}" if isinstance(value, list) and len(value) == 2 else f"{name}: {value}"
            for name, value in sorted(result.items())
        )

    changes_display = _pretty_field("result", _("what it changed"))
    request_display = _pretty_field("request", _("request"))
    response_display = _pretty_field("response", _("answer"))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_rerun_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    @admin.action(description=_("Re-run the selected failed calls"), permissions=["rerun"])
    def rerun_failed(self, request: HttpRequest, queryset: QuerySet[InboxEvent]) -> None:
        meta = RequestMeta.from_request(request)
        done = failed = 0
        for event in queryset.exclude(status=InboxStatus.PROCESSED):
            try:
                inbox_retry(event=event, meta=meta, operator=request.user)
            except (InboxFailed, ApplicationError):
                failed += 1
            else:
                done += 1
        skipped = queryset.filter(status=InboxStatus.PROCESSED).count()
        if done:
            self.message_user(
                request, ngettext("%(count)d call processed.", "%(count)d calls processed.", done) % {"count": done}
            )
        if failed:
            self.message_user(
                request,
                ngettext("%(count)d call failed again.", "%(count)d calls failed again.", failed) % {"count": failed},
                messages.ERROR,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d call was already processed.", "%(count)d calls were already processed.", skipped
                )
                % {"count": skipped},
                messages.WARNING,
            )
