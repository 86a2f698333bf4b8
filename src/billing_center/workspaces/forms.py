"""Console and back-office forms; thin: the rules live in selectors and services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from billing_center.core.forms import FilterForm
from billing_center.workspaces.models import LockState, SettlementMethod
from billing_center.workspaces.selectors import SEARCH_MAX_LENGTH, WorkspaceFilters
from billing_center.workspaces.sites import site_choices


class WorkspaceFilterForm(FilterForm):
    filters_class = WorkspaceFilters
    filters: WorkspaceFilters

    site = forms.ChoiceField(label=_("Site"), required=False)
    method = forms.ChoiceField(
        label=_("Settlement method"),
        required=False,
        choices=[("", _("Any method")), *SettlementMethod.choices],
    )
    lock_state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any state")), *LockState.choices]
    )
    q = forms.CharField(label=_("Search by name or id"), required=False, max_length=SEARCH_MAX_LENGTH, strip=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", _("Any site")), *site_choices()]  # type: ignore[attr-defined]


class OperatorBindForm(forms.Form):
    """Back office: bind a workspace to an account by its username."""

    username = forms.CharField(label=_("Account username"), max_length=64)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
