"""The back office: Django admin under ``BACKOFFICE_PATH``, for operators who passed two-factor.

Every back-office page (the admin's ``has_permission``) needs an active staff account with a confirmed
TOTP device whose *session* passed the second factor (``SECOND_FACTOR_SESSION_KEY``, set by the
accounts app's two-factor step or enrolment). The admin's own login form is not used: it would skip
the second factor, so it sends visitors to the console login (which asks for it) and staff without
two-factor to the page that turns it on; a logged-in non-operator gets a 404.

Core imports no app: the dashboard counts read models by label through the app registry.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.contrib import messages
from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SECOND_FACTOR_SESSION_KEY = "_bc_2fa_at"


def _has_confirmed_device(user: Any) -> bool:
    # Imported here: this module also holds the admin's AppConfig, loaded before any model.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return bool(TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists())


def staff_passed_second_factor(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        return False
    if not request.session.get(SECOND_FACTOR_SESSION_KEY):
        return False
    # The admin asks several times per page; the device is looked up once per request.
    cached: bool | None = getattr(request, "_bc_second_factor_device", None)
    if cached is None:
        cached = _has_confirmed_device(user)
        request._bc_second_factor_device = cached  # type: ignore[attr-defined]
    return cached


# (label, app label, model, filter) of the counts an operator looks at first.
DASHBOARD_COUNTS: tuple[tuple[Any, str, str, dict[str, str]], ...] = (
    (
        gettext_lazy("Certifications waiting for review"),
        "certification",
        "Certification",
        {"state": "pending"},
    ),
    (gettext_lazy("Locked workspaces"), "workspaces", "Workspace", {"lock_state": "locked"}),
    (gettext_lazy("Failed marketplace inbox rows"), "cloud", "InboxEvent", {"status": "failed"}),
    (gettext_lazy("Failed deliveries (email and SMS)"), "verification", "Delivery", {"status": "failed"}),
)


def dashboard_counts() -> list[dict[str, Any]]:
    rows = []
    for label, app_label, model_name, filters in DASHBOARD_COUNTS:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        changelist = (
            reverse(f"admin:{app_label}_{model_name.lower()}_changelist") if _registered(model) else ""
        )
        query = urlencode(filters)
        rows.append(
            {
                "label": label,
                "count": model._default_manager.filter(**filters).count(),
                "url": f"{changelist}?{query}" if changelist else "",
            }
        )
    return rows


def _registered(model: Any) -> bool:
    from django.contrib import admin

    return admin.site.is_registered(model)


class BackOfficeSite(AdminSite):
    site_header = gettext_lazy("Billing Center back office")
    site_title = gettext_lazy("Billing Center back office")
    index_title = gettext_lazy("Dashboard")
    index_template = "admin/backoffice_index.html"

    def has_permission(self, request: HttpRequest) -> bool:
        return staff_passed_second_factor(request)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            if not (user.is_active and user.is_staff):
                raise Http404
            if self.has_permission(request):
                return redirect(request.GET.get("next") or reverse("admin:index"))
            messages.warning(request, _("Operators need two-factor authentication to use the back office."))
            if _has_confirmed_device(user):
                # Turned on elsewhere but not passed in this session: log in again with it.
                return redirect("accounts:logout")
            return redirect("accounts:two_factor_settings")
        target = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        context = {**(extra_context or {}), "dashboard_counts": dashboard_counts()}
        return super().index(request, extra_context=context)


class BackOfficeAdminConfig(AdminConfig):
    default_site = "billing_center.core.backoffice.BackOfficeSite"
