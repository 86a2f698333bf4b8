from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from billing_center.certification.validation import LICENCE_NAME_MAX


class CertificationForm(forms.Form):
    licence_name = forms.CharField(
        label=_("Enterprise name on the business licence"), max_length=LICENCE_NAME_MAX, strip=True
    )
    taxpayer_id = forms.CharField(
        label=_("Taxpayer id (unified social credit code)"),
        max_length=40,
        help_text=_("The 18 characters printed on the business licence."),
    )
    licence_file = forms.FileField(
        label=_("Business licence file"),
        help_text=_("A PNG or JPEG image or a PDF document."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,application/pdf"}),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the rejection"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
