"""The certification review queue in the back office. Operators read submissions, preview the licence
(every opening audited) and approve or reject through the services (audited with the operator as
actor, old and new values). Nothing here edits a certification's fields directly."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext

from billing_center.audit.services import RequestMeta
from billing_center.certification.forms import RejectForm
from billing_center.certification.models import Certification, CertificationState
from billing_center.certification.responses import licence_file_response
from billing_center.certification.services import (
    certification_approve,
    certification_reject,
    licence_viewed_record,
)
from billing_center.core.admin import ReadOnlyAdmin
from billing_center.core.errors import ApplicationError


@admin.register(Certification)
class CertificationAdmin(ReadOnlyAdmin[Certification]):
    # The page is read-only; decisions go through the approve/reject views below.
    list_display = (
        "account",
        "licence_name",
        "taxpayer_id",
        "state",
        "submitted_at",
        "decided_at",
        "decided_by",
    )
    list_filter = ("state",)
    search_fields = (
        "account__username",
        "account__email",
        "account__enterprise_name",
        "licence_name",
        "taxpayer_id",
    )
    list_select_related = ("account", "decided_by")
    date_hierarchy = "submitted_at"
    fields = (
        "account",
        "state",
        "licence_name",
        "taxpayer_id",
        "licence_content_type",
        "licence_size",
        "licence_sha256",
        "submitted_at",
        "decided_at",
        "decided_by",
        "reason",
    )
    readonly_fields = fields
    change_form_template = "admin/certification/certification/change_form.html"

    def get_ordering(self, request: HttpRequest) -> tuple[Any, ...]:
        # The review queue: pending first, then oldest first.
        pending_first = Case(
            When(state=CertificationState.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return (pending_first.asc(), "submitted_at", "id")

    def can_decide(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("certification.change_certification"))

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context = {**(extra_context or {}), "can_decide": self.can_decide(request)}
        return super().change_view(request, object_id, form_url, extra_context=context)

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "<int:pk>/licence/",
                self.admin_site.admin_view(self.licence_view),
                name="certification_licence",
            ),
            path(
                "<int:pk>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name="certification_approve",
            ),
            path(
                "<int:pk>/reject/", self.admin_site.admin_view(self.reject_view), name="certification_reject"
            ),
        ]
        return extra + super().get_urls()

    def licence_view(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        certification = get_object_or_404(Certification.objects.select_related("account"), pk=pk)
        if not self.has_view_permission(request, certification):
            raise PermissionDenied
        try:
            response = licence_file_response(certification)
        except ApplicationError as exc:
            raise Http404 from exc
        licence_viewed_record(
            certification=certification, operator=request.user, meta=RequestMeta.from_request(request)
        )
        return response

    def _change_url(self, certification: Certification) -> str:
        return reverse("admin:certification_certification_change", args=[certification.pk])

    def _decidable(self, request: HttpRequest, pk: int) -> Certification:
        """The certification to decide on, for an operator who may decide."""
        certification = get_object_or_404(Certification.objects.select_related("account"), pk=pk)
        if not self.can_decide(request):
            raise PermissionDenied
        return certification

    def _back(
        self, request: HttpRequest, certification: Certification, message: str, level: int
    ) -> HttpResponseRedirect:
        """Back to the certification's page, telling the operator how the decision went."""
        self.message_user(request, message, level)
        return HttpResponseRedirect(self._change_url(certification))

    def approve_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        certification = self._decidable(request, pk)
        if request.method != "POST":
            return self._decision_page(request, certification, form=None, decision="approve")
        try:
            certification_approve(
                certification=certification, operator=request.user, meta=RequestMeta.from_request(request)
            )
        except ApplicationError as exc:
            return self._back(request, certification, exc.message, messages.ERROR)
        verified = gettext("Certification of %(name)s verified.") % {"name": certification.licence_name}
        return self._back(request, certification, verified, messages.SUCCESS)

    def reject_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        certification = self._decidable(request, pk)
        form = RejectForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                certification_reject(
                    certification=certification,
                    operator=request.user,
                    reason=form.cleaned_data["reason"],
                    meta=RequestMeta.from_request(request),
                )
            except ApplicationError as exc:
                if exc.field not in form.fields:
                    return self._back(request, certification, exc.message, messages.ERROR)
                form.add_error(exc.field, exc.message)
            else:
                rejected = gettext("Certification of %(name)s rejected.") % {"name": certification.licence_name}
                return self._back(request, certification, rejected, messages.SUCCESS)
        return self._decision_page(request, certification, form=form, decision="reject")

    def _decision_page(
        self, request: HttpRequest, certification: Certification, *, form: RejectForm | None, decision: str
    ) -> TemplateResponse:
        names = {"name": certification.licence_name}
        title = (
            gettext("Approve the certification of %(name)s") % names
            if decision == "approve"
            else gettext("Reject the certification of %(name)s") % names
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": certification,
            "form": form,
            "decision": decision,
            "title": title,
        }
        return TemplateResponse(request, "admin/certification/certification/decide.html", context)
