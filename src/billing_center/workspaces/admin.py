"""Back office for workspaces: search, filters, the read-only history, and binding by an operator.

Workspaces come from the SaaS console, so nothing is added, edited or deleted here directly; the one
write, binding to an account, goes through ``workspaces.services.workspace_bind`` with the operator
as actor (history and audit row included).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing_center.accounts.models import Account
from billing_center.audit.services import RequestMeta
from billing_center.core.admin import HasAccountFilter
from billing_center.core.errors import ApplicationError
from billing_center.workspaces.forms import OperatorBindForm
from billing_center.workspaces.models import Actor, Workspace, WorkspaceHistory
from billing_center.workspaces.services import workspace_bind
from billing_center.workspaces.sites import site_choices


class SiteFilter(admin.SimpleListFilter):
    title = _("site")
    parameter_name = "site"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return site_choices()

    def queryset(self, request: HttpRequest, queryset: QuerySet[Workspace]) -> QuerySet[Workspace]:
        value = self.value()
        return queryset.filter(site=value) if value else queryset


class BoundFilter(HasAccountFilter):
    title = _("account")
    parameter_name = "bound"
    yes_label = _("bound to an account")
    no_label = _("not bound")


class HistoryInline(admin.TabularInline[WorkspaceHistory, Workspace]):
    model = WorkspaceHistory
    extra = 0
    can_delete = False
    fields = ("at", "actor", "actor_account", "change", "old", "new", "reason")
    readonly_fields = fields
    ordering = ("-at", "-id")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin[Workspace]):
    list_display = ("id", "name", "site", "account", "settlement_method", "lock_state", "lock_deadline", "updated_at")
    list_filter = (SiteFilter, "settlement_method", "lock_state", BoundFilter, ("account", admin.RelatedOnlyFieldListFilter))
    search_fields = ("id", "name", "account__username", "account__email")
    list_select_related = ("account", "cloud_account")
    readonly_fields = (
        "id",
        "name",
        "site",
        "language",
        "account",
        "bound_at",
        "settlement_method",
        "cloud_account",
        "settlement_changed_at",
        "lock_state",
        "lock_reason",
        "lock_deadline",
        "created_at",
        "updated_at",
    )
    inlines = [HistoryInline]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "<str:workspace_id>/bind/",
                self.admin_site.admin_view(self.bind_view),
                name="workspaces_workspace_bind",
            ),
        ]
        return extra + super().get_urls()

    def bind_view(self, request: HttpRequest, workspace_id: str) -> HttpResponse:
        workspace = get_object_or_404(Workspace, pk=workspace_id)
        if not self.has_change_permission(request, workspace):
            raise PermissionDenied
        form = OperatorBindForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            account = Account.objects.filter(username__lower_exact=form.cleaned_data["username"].strip()).first()
            if account is None:
                form.add_error("username", gettext("No account has this username."))
            else:
                try:
                    workspace_bind(
                        workspace_id=workspace.pk,
                        account=account,
                        actor=Actor.OPERATOR,
                        actor_account=request.user,  # type: ignore[arg-type]
                        reason=form.cleaned_data["reason"],
                        meta=RequestMeta.from_request(request),
                    )
                except ApplicationError as error:
                    form.add_error(None, error.message)
                else:
                    self.message_user(
                        request,
                        gettext("Workspace %(id)s bound to %(username)s.")
                        % {"id": workspace.pk, "username": account.username},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:workspaces_workspace_change", args=[workspace.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": workspace,
            "form": form,
            "title": gettext("Bind workspace %(id)s to an account") % {"id": workspace.pk},
        }
        return TemplateResponse(request, "admin/workspaces/workspace/bind.html", context)
