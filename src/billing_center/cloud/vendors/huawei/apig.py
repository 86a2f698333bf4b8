"""Outbound calls to KooGallery's open API: the APIG ``SDK-HMAC-SHA256`` signer and Query Order.

The signer follows the algorithm ``huaweicloudsdkcore.signer.Signer`` implements (reference §3.1):

    canonical request = METHOD \\n URI (each segment percent-encoded, ending in "/") \\n
                        sorted query (k=v, RFC 3986-encoded) \\n
                        lowercased "name:value\\n" of each signed header \\n
                        signed header names (sorted, ";"-joined) \\n hex(SHA-256(body))
    string to sign    = "SDK-HMAC-SHA256" \\n X-Sdk-Date \\n hex(SHA-256(canonical request))
    signature         = hex(HMAC-SHA256(secret key, string to sign))
    Authorization     = SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<names>, Signature=<signature>
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
# Huawei waits 5 s for our answer, and Query Order runs inside it.
TIMEOUT_SECONDS = 3


def _quote(value: str) -> str:
    return urllib.parse.quote(value, safe="~")


def canonical_uri(path: str) -> str:
    segments = [_quote(urllib.parse.unquote(segment)) for segment in path.split("/")]
    uri = "/".join(segments)
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(query: list[tuple[str, str]]) -> str:
    return "&".join(f"{_quote(name)}={_quote(value)}" for name, value in sorted(query))


def apig_sign(
    *,
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    access_key: str,
    secret_key: str,
    now: datetime | None = None,
) -> dict[str, str]:
    """``headers`` plus ``Host``, ``X-Sdk-Date`` and ``Authorization`` for the request."""
    parts = urllib.parse.urlsplit(url)
    signed_headers = {name.lower(): value.strip() for name, value in headers.items()}
    signed_headers["host"] = parts.netloc
    signed_headers["x-sdk-date"] = (now or datetime.now(UTC)).strftime(DATE_FORMAT)
    names = sorted(signed_headers)
    canonical = "\n".join(
        [
            method.upper(),
            canonical_uri(parts.path or "/"),
            canonical_query(urllib.parse.parse_qsl(parts.query, keep_blank_values=True)),
            "".join(f"{name}:{signed_headers[name]}\n" for name in names),
            ";".join(names),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    to_sign = f"{ALGORITHM}\n{signed_headers['x-sdk-date']}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    signature = hmac.new(secret_key.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    return {
        **headers,
        "Host": parts.netloc,
        "X-Sdk-Date": signed_headers["x-sdk-date"],
        "Authorization": f"{ALGORITHM} Access={access_key}, SignedHeaders={';'.join(names)}, Signature={signature}",
    }


class QueryOrderFailed(Exception):
    """Query Order could not be called or did not answer with the order."""


@dataclass(frozen=True)
class Order:
    order_id: str
    order_type: str
    customer_id: str
    customer_name: str
    line_id: str
    charging_mode: str
    expire_time: str
    sku_code: str
    product_id: str
    product_name: str


def query_order(*, order_id: str, order_line_id: str) -> Order:
    """The order (and the buyer's account id) behind a newInstance/upgrade/refresh, from KooGallery."""
    if not (settings.HUAWEI_APIG_ACCESS_KEY and settings.HUAWEI_APIG_SECRET_KEY):
        raise QueryOrderFailed("HUAWEI_APIG_ACCESS_KEY / HUAWEI_APIG_SECRET_KEY are not configured")
    base = settings.HUAWEI_MARKETPLACE_API_URL
    if not base.startswith(("https://", "http://")):
        raise QueryOrderFailed("HUAWEI_MARKETPLACE_API_URL must be an http(s) URL")
    query = urllib.parse.urlencode({"orderId": order_id, "orderLineId": order_line_id})
    url = f"{base}/order/query?{query}"
    headers = apig_sign(
        method="GET",
        url=url,
        headers={"Content-Type": "application/json"},
        body=b"",
        access_key=settings.HUAWEI_APIG_ACCESS_KEY,
        secret_key=settings.HUAWEI_APIG_SECRET_KEY,
    )
    request = urllib.request.Request(url, headers=headers, method="GET")  # noqa: S310 - scheme checked above
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raise QueryOrderFailed(f"Query Order answered HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise QueryOrderFailed(f"Query Order unreachable: {exc.__class__.__name__}") from exc
    return _order(answer, order_line_id)


def _order(answer: Any, order_line_id: str) -> Order:
    if not isinstance(answer, dict) or answer.get("resultCode") != "000000":
        code = answer.get("resultCode", "?") if isinstance(answer, dict) else "?"
        raise QueryOrderFailed(f"Query Order refused: {code}")
    info = answer.get("orderInfo")
    if not isinstance(info, dict):
        raise QueryOrderFailed("Query Order answered without orderInfo")
    buyer_value = info.get("buyerInfo")
    buyer: dict[str, Any] = buyer_value if isinstance(buyer_value, dict) else {}
    lines = [line for line in info.get("orderLine") or [] if isinstance(line, dict)]
    line = next((item for item in lines if item.get("orderLineId") == order_line_id), None)
    if line is None:
        raise QueryOrderFailed("Query Order answered without the order line")
    products = [item for item in line.get("productInfo") or [] if isinstance(item, dict)]
    product: dict[str, Any] = products[0] if products else {}
    customer_id = str(buyer.get("customerId") or "")
    if not customer_id:
        raise QueryOrderFailed("Query Order answered without the buyer's account id")
    return Order(
        order_id=str(info.get("orderId") or ""),
        order_type=str(info.get("orderType") or ""),
        customer_id=customer_id[:128],
        customer_name=str(buyer.get("customerName") or "")[:256],
        line_id=order_line_id,
        charging_mode=str(line.get("chargingMode") or ""),
        expire_time=str(line.get("expireTime") or ""),
        sku_code=str(product.get("skuCode") or "")[:256],
        product_id=str(product.get("productId") or "")[:256],
        product_name=str(product.get("productName") or "")[:256],
    )
