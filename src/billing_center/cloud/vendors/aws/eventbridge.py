"""EventBridge events relayed to ``/marketplace/aws/events`` by the seller's own forwarder (SPEC §12).

EventBridge signs nothing, so the relay hop is authenticated with our header pair:
``X-BC-Timestamp`` (Unix seconds, within ±300 s) and
``X-BC-Signature: sha256=<hex HMAC-SHA256(AWS_EVENTS_RELAY_SECRET, timestamp + "." + raw body)>``.
The envelope is ``reference/marketplaces.md`` §1.3 (source ``aws.agreement-marketplace``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from billing_center.cloud.vendors.aws.payloads import DeliveryRejected, json_object, parse_utc

TIMESTAMP_WINDOW_SECONDS = 300
MAX_BODY_BYTES = 256 * 1024
SOURCE = "aws.agreement-marketplace"
_SIGNATURE = re.compile(r"sha256=([0-9a-f]{64})", re.ASCII)
_TIMESTAMP = re.compile(r"[0-9]{1,12}", re.ASCII)
_EVENT_ID = re.compile(r"[A-Za-z0-9._:/-]{1,128}", re.ASCII)


class RelayRejected(DeliveryRejected):
    """The relayed call is not a validly signed marketplace event."""


@dataclass(frozen=True)
class MarketplaceEvent:
    id: str
    detail_type: str
    time: datetime
    detail: dict[str, Any]
    raw: dict[str, Any]


def relay_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The header value a relay sends for ``body`` at ``timestamp``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def relay_verify(*, secret: str, timestamp: str | None, signature: str | None, body: bytes, now: datetime) -> None:
    """Refuse a missing, malformed, stale or wrong signature (compared in constant time)."""
    if not secret:
        raise RelayRejected("not_configured")
    if timestamp is None or signature is None:
        raise RelayRejected("missing_signature")
    if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
        raise RelayRejected("malformed_signature")
    if abs(now.timestamp() - int(timestamp)) > TIMESTAMP_WINDOW_SECONDS:
        raise RelayRejected("stale_timestamp")
    if len(body) > MAX_BODY_BYTES:
        raise RelayRejected("too_large")
    if not hmac.compare_digest(relay_signature(secret, timestamp, body), signature):
        raise RelayRejected("signature")


def parse_event(body: bytes) -> MarketplaceEvent:
    """The EventBridge envelope, shape-checked."""
    data = json_object(body, RelayRejected)
    event_id, detail_type, time, detail = (data.get(k) for k in ("id", "detail-type", "time", "detail"))
    if data.get("source") != SOURCE:
        raise RelayRejected("source")
    if not isinstance(event_id, str) or not _EVENT_ID.fullmatch(event_id):
        raise RelayRejected("bad_id")
    if not isinstance(detail_type, str) or not 0 < len(detail_type) <= 128:
        raise RelayRejected("bad_detail_type")
    if not isinstance(detail, dict):
        raise RelayRejected("bad_detail")
    stamp = parse_utc(time)
    if stamp is None:
        raise RelayRejected("bad_time")
    return MarketplaceEvent(id=event_id, detail_type=detail_type, time=stamp, detail=detail, raw=data)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def event_keys(event: MarketplaceEvent) -> dict[str, str]:
    """What the event names: agreement id, licence ``l-…`` suffix, buyer account, product code."""
    detail = event.detail
    agreement, license_, acceptor, product = (_object(detail.get(k)) for k in ("agreement", "license", "acceptor", "product"))
    arn = _text(license_.get("arn"))
    return {
        "agreement_id": _text(agreement.get("id")),
        "agreement_status": _text(agreement.get("status")),
        "previous_agreement_id": _text(agreement.get("previousAgreementId")),
        "license": re.split(r"[:/]", arn)[-1] if arn else "",
        "account_id": _text(acceptor.get("accountId")),
        "product_code": _text(product.get("code")),
    }
