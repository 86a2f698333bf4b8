"""The unified social credit code (统一社会信用代码) and the licence name."""

from __future__ import annotations

from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumValidationError

from billing_center.core.errors import ValidationFailed

LICENCE_NAME_MAX = 100


def taxpayer_id_normalize(value: str) -> str:
    """The 18 characters of a valid unified social credit code, upper case, without spaces or dashes.

    Raises ValidationFailed(field="taxpayer_id") when the format or the check character is wrong.
    """
    text = (value or "").strip()
    if not text.isascii():
        raise _invalid()
    try:
        return uscc.validate(text)
    except StdnumValidationError as exc:
        raise _invalid() from exc


def _invalid() -> ValidationFailed:
    return ValidationFailed(
        _("Enter a valid 18-character unified social credit code."),
        field="taxpayer_id",
        code="taxpayer_id_invalid",
    )


def licence_name_clean(value: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise ValidationFailed(
            _("Enter the enterprise name shown on the business licence."),
            field="licence_name",
            code="licence_name_required",
        )
    if len(name) > LICENCE_NAME_MAX or "\x00" in name:
        raise ValidationFailed(
            _("The enterprise name is at most %(max)s characters.") % {"max": LICENCE_NAME_MAX},
            field="licence_name",
            code="licence_name_invalid",
        )
    return name
