"""Showing service errors in console forms (the API shows the same errors as problem details)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from django import forms
from django.utils.translation import ngettext

from billing_center.core.errors import ApplicationError

Value = TypeVar("Value")


def error_text(exc: ApplicationError) -> str:
    """The person-facing text of a service error; rate limits say how long to wait."""
    if exc.status == 429 and exc.retry_after:
        seconds = max(1, int(exc.retry_after))
        return ngettext(
            "Too many attempts, try again in %(seconds)d second.",
            "Too many attempts, try again in %(seconds)d seconds.",
            seconds,
        ) % {"seconds": seconds}
    return exc.message


def form_add_service_error(
    form: forms.BaseForm,
    exc: ApplicationError,
    *,
    aliases: dict[str, str] | None = None,
    default_field: str | None = None,
) -> None:
    """Put a service error on the field it names (through ``aliases``), else on ``default_field`` or
    the form as a whole."""
    field = (aliases or {}).get(exc.field or "", exc.field) or default_field
    form.add_error(field if field in form.fields else None, error_text(exc))


class FilterForm(forms.Form):
    """The filter form of a holder list. Its fields are the keyword arguments of the list's
    ``filters_class.build``: ``filters`` is what that returns for the cleaned values (no filters until
    then), and an error it raises shows on the field it names."""

    filters_class: ClassVar[type[Any]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters = self.filters_class()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            self.filters = self.filters_class.build(**{name: cleaned.get(name) for name in self.fields})
        except ApplicationError as error:
            form_add_service_error(self, error)
        return cleaned


def form_field_check(check: Callable[[Value], object], value: Value) -> None:
    """Run a service's check on a field's value in the field's ``clean``: a refusal becomes that field's
    error, with the service's message and code."""
    try:
        check(value)
    except ApplicationError as exc:
        raise forms.ValidationError(exc.message, code=exc.code) from exc
