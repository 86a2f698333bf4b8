"""The local outbox pages (``/dev/outbox``): only while an outbox backend is configured."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from billing_center.core.client_ip import client_ip
from billing_center.verification.channels.outbox import outbox_read

OUTBOX_FIELDS = ("channel", "to", "subject", "body", "created_at")


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _require_outbox(request: HttpRequest) -> None:
    """The outbox shows every code: only with an outbox backend, and only to a client on this machine
    (the socket peer and the client address both loopback), so HOST=0.0.0.0 does not publish it."""
    if not settings.OUTBOX_ENABLED:
        raise Http404
    if not (_loopback(request.META.get("REMOTE_ADDR", "")) and _loopback(client_ip(request))):
        raise Http404


def _messages() -> list[dict[str, str]]:
    return [{name: message.get(name, "") for name in OUTBOX_FIELDS} for message in outbox_read()]


@require_GET
@never_cache
def outbox_page(request: HttpRequest) -> HttpResponse:
    _require_outbox(request)
    return render(request, "verification/outbox.html", {"outbox_messages": _messages()})


@require_GET
@never_cache
def outbox_json(request: HttpRequest) -> JsonResponse:
    _require_outbox(request)
    return JsonResponse(_messages(), safe=False, json_dumps_params={"ensure_ascii": False})
