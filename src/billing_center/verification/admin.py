from __future__ import annotations

from django.contrib import admin

from billing_center.core.admin import ReadOnlyAdmin
from billing_center.verification.models import Delivery, OneTimeCode


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin[Delivery]):
    # Never the payload: it holds the message (and a code) until it is sent.
    fields = (
        "channel", "to", "purpose", "account", "status", "attempts", "next_attempt_at", "last_error",
        "sent_at", "created_at", "updated_at",
    )
    list_display = ("created_at", "channel", "to", "purpose", "status", "attempts", "sent_at")
    list_filter = ("status", "channel", "purpose")
    search_fields = ("to", "account__username")
    date_hierarchy = "created_at"
    list_select_related = ("account",)


@admin.register(OneTimeCode)
class OneTimeCodeAdmin(ReadOnlyAdmin[OneTimeCode]):
    # Never the HMAC: it would allow an offline search of the code space by anyone holding the key.
    fields = (
        "account", "purpose", "channel", "target", "flow", "expires_at", "attempts", "used_at", "voided_at",
        "is_decoy", "delivery", "created_at",
    )
    list_display = ("created_at", "purpose", "channel", "target", "account", "attempts", "used_at", "voided_at")
    list_filter = ("purpose", "channel", "is_decoy")
    search_fields = ("target", "account__username")
    date_hierarchy = "created_at"
    list_select_related = ("account",)
