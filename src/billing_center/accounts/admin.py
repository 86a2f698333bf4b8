"""Accounts in the back office. Operators read accounts and flip the two operator-only flags; every
change goes through ``account_flags_update`` (audited). Identifiers, profile and security state are
read-only here: holders change them through their own audited flows."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponse

from billing_center.accounts.models import Account
from billing_center.accounts.services import account_flags_update
from billing_center.accounts.services.password import operator_password_change_record
from billing_center.audit.services import RequestMeta

FLAG_FIELDS = ("is_active", "any_settlement_method")


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin[Account]):
    list_display = ("username", "email", "phone", "enterprise_name", "is_active", "is_staff", "created_at")
    list_filter = ("is_active", "is_staff", "any_settlement_method", "language", "industry", "region")
    search_fields = ("username", "email", "phone", "enterprise_name", "contact_name")
    fields = (
        "username",
        "email",
        "phone",
        "enterprise_name",
        "industry",
        "region",
        "introduction",
        "contact_name",
        "language",
        *FLAG_FIELDS,
        "is_staff",
        "is_superuser",
        "failed_login_streak",
        "password_login_locked",
        "last_login",
        "created_at",
        "updated_at",
    )
    readonly_fields = tuple(field for field in fields if field not in FLAG_FIELDS)
    ordering = ("-created_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Accounts come from sign-up, marketplaces or `billing-center createoperator`, never a bare form.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Account, form: Any, change: bool) -> None:
        account_flags_update(
            operator=request.user,  # type: ignore[arg-type]
            account=obj,
            is_active=form.cleaned_data.get("is_active"),
            any_settlement_method=form.cleaned_data.get("any_settlement_method"),
            meta=RequestMeta.from_request(request),
        )


def _password_change_audited(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """The back office's own "change password" page, audited and notified once the change went through
    (Django's view answers a successful POST with a redirect to the "done" page)."""
    response = AdminSite.password_change(admin.site, request, extra_context)
    if request.method == "POST" and response.status_code == 302 and isinstance(request.user, Account):
        operator_password_change_record(account=request.user, meta=RequestMeta.from_request(request))
    return response


admin.site.password_change = _password_change_audited  # type: ignore[method-assign,assignment]
