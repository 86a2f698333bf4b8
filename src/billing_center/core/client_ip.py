"""The client address used for limits and audit.

It is the socket peer, unless that peer is a trusted proxy (``TRUSTED_PROXIES``); then it is the
right-most address of ``X-Forwarded-For`` that is not itself a trusted proxy. Left-most entries are
written by the client and never believed.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in settings.TRUSTED_PROXIES)


def client_ip(request: HttpRequest) -> str:
    peer: str = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104 - placeholder, not a bind
    if not _is_trusted(peer):
        return peer
    forwarded: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer
        if not _is_trusted(hop):
            return hop
    return hops[0] if hops else peer
