from django.contrib import admin

from billing_center.accounts.models import Account


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("username", "email", "phone", "enterprise_name", "is_active", "is_staff", "created_at")
    list_filter = ("is_active", "is_staff", "any_settlement_method", "language", "industry", "region")
    search_fields = ("username", "email", "phone", "enterprise_name", "contact_name")
    readonly_fields = ("username", "email", "phone", "last_login", "created_at", "updated_at", "failed_login_streak")
    exclude = ("password", "user_permissions", "groups")
    ordering = ("-created_at",)
