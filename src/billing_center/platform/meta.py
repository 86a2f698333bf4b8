"""Who a platform call is for: the console may name its end user's address for the code limits."""

from __future__ import annotations

import ipaddress
from dataclasses import replace

from django.http import HttpRequest

from billing_center.audit.services import RequestMeta

# Set by the console (an authenticated caller) to the address of the person in front of it, so the
# per-IP code limits count people, not the console's own server address.
END_USER_IP_HEADER = "HTTP_X_CONSOLE_CLIENT_IP"


def platform_meta(request: HttpRequest) -> RequestMeta:
    meta = RequestMeta.from_request(request)
    raw = request.META.get(END_USER_IP_HEADER, "").strip()
    if not raw:
        return meta
    try:
        address = str(ipaddress.ip_address(raw))
    except ValueError:
        return meta
    return replace(meta, ip=address)
