"""Back office for contracts. Every change goes through contracts.services (validated, audited with
old and new values); the admin only collects input and shows results."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing_center.audit.services import RequestMeta
from billing_center.contracts.forms import (
    STATUS_LABELS,
    AttachmentUploadForm,
    ContractAdminForm,
    ContractTerminateForm,
)
from billing_center.contracts.models import Contract, ContractAttachment, ContractStatus, StaffStatus
from billing_center.contracts.responses import attachment_file_response
from billing_center.contracts.services import (
    EDITABLE_FIELDS,
    attachment_add,
    attachment_remove,
    contract_create,
    contract_terminate,
    contract_update,
)
from billing_center.contracts.status import status_annotation, status_q
from billing_center.core.errors import ApplicationError
from billing_center.core.forms import form_add_service_error


class DerivedStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(status.value, status.label) for status in ContractStatus]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Contract]) -> QuerySet[Contract]:
        value = self.value()
        if value in ContractStatus.values:
            return queryset.filter(status_q(value, today=timezone.localdate()))
        return queryset


class AttachmentInline(admin.TabularInline[ContractAttachment, Contract]):
    model = ContractAttachment
    form = AttachmentUploadForm
    extra = 1
    fields = ("upload", "download", "size", "sha256", "uploaded_by", "created_at")
    readonly_fields = ("download", "size", "sha256", "uploaded_by", "created_at")
    verbose_name = _("attachment (PDF)")

    @admin.display(description=_("file"))
    def download(self, obj: ContractAttachment) -> str:
        if not obj.pk:
            return ""
        url = reverse("admin:contracts_attachment_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)

    @staticmethod
    def _open(contract: Contract | None) -> bool:
        """A terminated contract's attachments are frozen."""
        return contract is None or contract.staff_status != StaffStatus.TERMINATED

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Stored files are never replaced in place; remove and upload instead.
        return self._open(obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._open(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._open(obj)


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin[Contract]):
    form = ContractAdminForm
    inlines = [AttachmentInline]
    change_form_template = "admin/contracts/contract/change_form.html"
    list_display = (
        "number",
        "title",
        "account",
        "type",
        "currency",
        "amount",
        "signed_on",
        "starts_on",
        "ends_on",
        "status_display",
    )
    list_filter = (DerivedStatusFilter, "type", "currency", ("signed_on", admin.DateFieldListFilter))
    search_fields = ("number", "title", "account__username", "account__email")
    list_select_related = ("account",)
    autocomplete_fields = ("account",)
    date_hierarchy = "signed_on"
    show_full_result_count = False
    list_per_page = 50
    actions = ["issue_drafts"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Contract]:
        queryset = super().get_queryset(request)
        return queryset.annotate(holder_status=status_annotation(today=timezone.localdate()))

    @admin.display(description=_("status"))
    def status_display(self, obj: Contract) -> str:
        return str(STATUS_LABELS.get(getattr(obj, "holder_status", obj.status), ""))

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Contract | None:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # The form writes the submitted values onto this instance while validating; which fields
            # are read-only must follow the stored status, not a submitted one.
            obj._stored_staff_status = obj.staff_status  # type: ignore[attr-defined]
        return obj

    def get_readonly_fields(self, request: HttpRequest, obj: Contract | None = None) -> tuple[str, ...]:
        base = ("terminated_on", "created_at", "updated_at")
        if obj is None:
            return ()
        stored_status = getattr(obj, "_stored_staff_status", obj.staff_status)
        if stored_status == StaffStatus.TERMINATED:
            return (*EDITABLE_FIELDS, *base)
        if stored_status == StaffStatus.ISSUED:
            return ("account", *base)
        return base

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Contracts are financial records: terminate, never delete.
        return False

    # --- writes, through the services ------------------------------------------------------------

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as error:
            # A service refused the save after the form passed (another operator changed the contract
            # or took the number meanwhile): the admin's transaction has rolled back; say why.
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: Contract, form: ModelForm[Contract], change: bool) -> None:
        meta = RequestMeta.from_request(request)
        data = form.cleaned_data
        if change:
            changes = {name: data[name] for name in form.changed_data if name in EDITABLE_FIELDS}
            saved = contract_update(contract=obj, changes=changes, actor=request.user, meta=meta)
        else:
            saved = contract_create(
                account=data["account"],
                number=data["number"],
                title=data["title"],
                type=data["type"],
                currency=data["currency"],
                amount=data["amount"],
                signed_on=data["signed_on"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                issue=data.get("staff_status") == StaffStatus.ISSUED,
                actor=request.user,
                meta=meta,
            )
        # The admin goes on with ``obj`` (inlines, messages, redirect): give it the saved state.
        for field in Contract._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False
        obj._state.db = saved._state.db

    def save_formset(
        self, request: HttpRequest, form: ModelForm[Contract], formset: BaseInlineFormSet[Any, Any, Any], change: bool
    ) -> None:
        if formset.model is not ContractAttachment:
            super().save_formset(request, form, formset, change)
            return
        meta = RequestMeta.from_request(request)
        contract = form.instance
        deleted = set(formset.deleted_forms)
        for inline_form in formset.forms:
            if inline_form in deleted and inline_form.instance.pk:
                attachment_remove(attachment=inline_form.instance, actor=request.user, meta=meta)
            elif not inline_form.instance.pk and inline_form.cleaned_data.get("upload"):
                attachment_add(
                    contract=contract,
                    upload=inline_form.cleaned_data["upload"],
                    uploaded_by=request.user,
                    meta=meta,
                )
        formset.new_objects = []
        formset.changed_objects = []
        formset.deleted_objects = []

    def delete_model(self, request: HttpRequest, obj: Contract) -> None:
        raise PermissionDenied

    @admin.action(description=_("Issue the selected drafts (show them to their holders)"))
    def issue_drafts(self, request: HttpRequest, queryset: QuerySet[Contract]) -> None:
        meta = RequestMeta.from_request(request)
        issued = 0
        for contract in queryset.filter(staff_status=StaffStatus.DRAFT):
            contract_update(contract=contract, changes={"staff_status": StaffStatus.ISSUED}, actor=request.user, meta=meta)
            issued += 1
        self.message_user(request, gettext("%(count)d contract(s) issued.") % {"count": issued}, messages.SUCCESS)

    # --- extra pages: terminate, staff download ---------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "<int:contract_id>/terminate/",
                self.admin_site.admin_view(self.terminate_view),
                name="contracts_contract_terminate",
            ),
            path(
                "attachments/<int:attachment_id>/download/",
                self.admin_site.admin_view(self.attachment_download_view),
                name="contracts_attachment_download",
            ),
        ]
        return extra + super().get_urls()

    def terminate_view(self, request: HttpRequest, contract_id: int) -> HttpResponse:
        contract = get_object_or_404(Contract, pk=contract_id)
        if not self.has_change_permission(request, contract):
            raise PermissionDenied
        form = ContractTerminateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                contract_terminate(
                    contract=contract,
                    terminated_on=form.cleaned_data["terminated_on"],
                    actor=request.user,
                    meta=RequestMeta.from_request(request),
                )
            except ApplicationError as error:
                form_add_service_error(form, error)
            else:
                self.message_user(
                    request, gettext("Contract %(number)s terminated.") % {"number": contract.number}, messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:contracts_contract_change", args=[contract.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": contract,
            "form": form,
            "title": gettext("Terminate contract %(number)s") % {"number": contract.number},
        }
        return TemplateResponse(request, "admin/contracts/contract/terminate.html", context)

    def attachment_download_view(self, request: HttpRequest, attachment_id: int) -> FileResponse:
        attachment = get_object_or_404(ContractAttachment.objects.select_related("contract__account"), pk=attachment_id)
        if not self.has_view_permission(request, attachment.contract):
            raise PermissionDenied
        return attachment_file_response_for_staff(request, attachment)


def attachment_file_response_for_staff(request: HttpRequest, attachment: ContractAttachment) -> FileResponse:
    """An operator's download is audited on the holder's account with the operator as actor."""
    return attachment_file_response(
        attachment=attachment,
        account=attachment.contract.account,
        actor=request.user,
        meta=RequestMeta.from_request(request),
    )
