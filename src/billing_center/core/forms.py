"""Showing service errors in console forms (the API shows the same errors as problem details)."""

from __future__ import annotations

from django import forms
from django.utils.translation import ngettext

from billing_center.core.errors import ApplicationError


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
