"""The client address used for limits and audit.

It is the socket peer, unless that peer is a trusted proxy (``TRUSTED_PROXIES``); then it is the
right-most address of ``X-Forwarded-For`` that is not itself a trusted proxy. Left-most entries are
written by the client and never believed.

Only plain addresses count: an IPv6 zone id (``fe80::1%eth0``) is refused, since every ``%`` suffix would
otherwise be a fresh per-IP budget, and a long one does not fit the audit column or a limit key. A hop
that is not a plain address ends the walk at the proxy, as any unreadable header does.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

MAX_ADDRESS_LENGTH = 45  # the longest textual IPv6 address (IPv4-mapped, full form)


def _plain_address(text: str) -> str | None:
    """``text`` as a canonical address, or None when it is not one plain IPv4/IPv6 address."""
    if not text or len(text) > MAX_ADDRESS_LENGTH or "%" in text:
        return None
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in settings.TRUSTED_PROXIES)


def client_ip(request: HttpRequest) -> str:
    raw_peer = str(request.META.get("REMOTE_ADDR", "") or "")
    # A socket peer with a zone id (link-local IPv6) loses the zone; anything unreadable is a placeholder.
    peer: str = _plain_address(raw_peer.split("%", 1)[0]) or "0.0.0.0"  # noqa: S104 - placeholder, not a bind
    if not _is_trusted(peer):
        return peer
    forwarded: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _plain_address(hop)
        if address is None:
            return peer
        if not _is_trusted(address):
            return address
    return _plain_address(hops[0]) or peer if hops else peer
