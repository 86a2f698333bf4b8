"""The SMS backend interface: one method, ``send``, that raises ``SmsDeliveryError`` when it cannot."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string


class SmsDeliveryError(Exception):
    """The provider did not accept the message (outage, refusal, bad configuration)."""


class SmsBackend:
    def __init__(self, *, timeout: int | None = None) -> None:
        self.timeout = timeout or settings.SMS_TIMEOUT

    def send(self, *, to: str, body: str, purpose: str, code: str | None = None) -> None:
        """Send ``body`` to the E.164 number ``to``. Template providers use ``purpose`` and ``code``."""
        raise NotImplementedError


def sms_backend(*, timeout: int | None = None) -> SmsBackend:
    backend_class = import_string(settings.SMS_BACKEND)
    backend: SmsBackend = backend_class(timeout=timeout)
    return backend
