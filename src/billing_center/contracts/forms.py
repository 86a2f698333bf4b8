"""Console and back-office forms. Thin: the rules live in selectors/services and are reused here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import construct_instance
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing_center.contracts.files import pdf_check
from billing_center.contracts.models import (
    HOLDER_STATUSES,
    Contract,
    ContractAttachment,
    ContractStatus,
    StaffStatus,
)
from billing_center.contracts.selectors import SEARCH_MAX_LENGTH, ContractFilters
from billing_center.contracts.services import (
    EDITABLE_FIELDS,
    contract_fields_check,
    staff_status_change_check,
)
from billing_center.core.errors import ApplicationError
from billing_center.core.forms import FilterForm, form_add_service_error, form_field_check


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ContractFilterForm(FilterForm):
    filters_class = ContractFilters
    filters: ContractFilters

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status"))] + [(status.value, status.label) for status in HOLDER_STATUSES],
    )
    q = forms.CharField(
        label=_("Search by number or title"), required=False, max_length=SEARCH_MAX_LENGTH, strip=True
    )
    signed_from = forms.DateField(label=_("Signed from"), required=False, widget=DateInput())
    signed_to = forms.DateField(label=_("Signed to"), required=False, widget=DateInput())


class ContractAdminForm(forms.ModelForm[Contract]):
    """Back-office edit form. Termination has its own page, so ``terminated`` is not offered here."""

    class Meta:
        model = Contract
        # Exactly what contract_update may change; termination has its own step.
        fields = list(EDITABLE_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "staff_status" in self.fields:
            field = self.fields["staff_status"]
            field.label = _("Publication")
            field.help_text = _("Drafts are hidden from the holder. Issued contracts cannot go back to draft.")
            field.choices = [  # type: ignore[attr-defined]
                (StaffStatus.DRAFT.value, StaffStatus.DRAFT.label),
                (StaffStatus.ISSUED.value, StaffStatus.ISSUED.label),
            ]

    def _post_clean(self) -> None:
        # The model instance is only a carrier here: the services save it. Run the shared rules
        # instead of Model.full_clean so the messages are the ones the API gives.
        stored_status = self.instance.staff_status if self.instance.pk else None
        self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        cleaned = self.cleaned_data
        if stored_status is not None and "staff_status" in cleaned:
            try:
                staff_status_change_check(current=stored_status, new=cleaned["staff_status"])
            except ApplicationError as error:
                self.add_error("staff_status", error.message)
        needed = ("number", "title", "type", "currency", "amount", "starts_on", "ends_on")
        if any(name not in cleaned for name in needed):
            return
        try:
            contract_fields_check(**{name: cleaned[name] for name in needed}, exclude_id=self.instance.pk)
        except ApplicationError as error:
            form_add_service_error(self, error)


class ContractTerminateForm(forms.Form):
    terminated_on = forms.DateField(label=_("Terminated on"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["terminated_on"].initial = timezone.localdate()


class AttachmentUploadForm(forms.ModelForm[ContractAttachment]):
    """One new attachment in the back-office inline; existing ones are shown read-only."""

    upload = forms.FileField(label=_("PDF file"), required=False)

    class Meta:
        from billing_center.contracts.models import ContractAttachment

        model = ContractAttachment
        fields: list[str] = []

    def clean_upload(self) -> Any:
        upload = self.cleaned_data.get("upload")
        if upload is None:
            return None
        form_field_check(pdf_check, upload)
        return upload

    def has_changed(self) -> bool:
        return bool(self.files.get(self.add_prefix("upload"))) or super().has_changed()


STATUS_LABELS = {status.value: status.label for status in ContractStatus}
