from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
from django.test import Client

from billing_center.cloud.models import CloudAccount, InboxEvent
from billing_center.cloud.vendors.aliyun.protocol import aliyun_token
from billing_center.cloud.vendors.huawei.signing import v1_auth_token, v2_signature

ALIYUN_KEY = "isvkey"
HUAWEI_KEY = "testkey"


@pytest.fixture
def aliyun_on(settings):
    settings.ALIYUN_MARKETPLACE_KEY = ALIYUN_KEY
    return settings


def nothing_stored() -> bool:
    return not InboxEvent.objects.exists() and not CloudAccount.objects.exists()


class AliyunMarketplace:
    """Plays the marketplace: signs the parameters and calls the SPI endpoint."""

    def __init__(self, client: Client, key: str = ALIYUN_KEY) -> None:
        self.client = client
        self.key = key

    def signed(self, **params: str) -> dict[str, str]:
        return {**params, "token": aliyun_token(params, self.key)}

    def get(self, **params: str):
        return self.client.get("/marketplace/aliyun/spi?" + urlencode(self.signed(**params)))

    def post(self, **params: str):
        return self.client.post("/marketplace/aliyun/spi", self.signed(**params))

    def raw(self, query: str):
        return self.client.get("/marketplace/aliyun/spi?" + query)


@pytest.fixture
def aliyun(aliyun_on, db, client) -> AliyunMarketplace:
    return AliyunMarketplace(client)


def create_params(**overrides: str) -> dict[str, str]:
    return {
        "action": "createInstance",
        "aliUid": "1234567890",
        "orderBizId": "2001",
        "orderId": "3001",
        "productCode": "cmgj00012345",
        "skuId": "yuncode1234500001",
        "trial": "false",
        "expiredOn": "2027-01-01 00:00:00",
        **overrides,
    }


# --- Huawei --------------------------------------------------------------------------------------



APIG_AK = "apig-ak"
APIG_SK = "apig-sk"


def order_answer(order_id: str, line_id: str, **overrides: str) -> dict:
    order_type = overrides.get("orderType", "NEW")
    return {
        "resultCode": "000000",
        "resultMsg": "success",
        "orderInfo": {
            "orderId": order_id,
            "orderType": order_type,
            "createTime": "20261201080000",
            "buyerInfo": {"customerId": overrides.get("customerId", "hw-customer-1"), "customerName": "Acme"},
            "orderLine": [
                {
                    "orderLineId": line_id,
                    "chargingMode": "PERIOD",
                    "expireTime": overrides.get("expireTime", "20271201000000"),
                    "periodType": "year",
                    "periodNumber": 1,
                    "productInfo": [
                        {
                            "skuCode": overrides.get("skuCode", "sku-basic"),
                            "productId": overrides.get("productId", "00301-666666-0--0"),
                            "linearValue": 1,
                            "productName": "Billing Center",
                        }
                    ],
                }
            ],
        },
    }


class FakeKooGallery:
    """Query Order on 127.0.0.1: checks the APIG signature itself, serves the orders the test sets."""

    def __init__(self) -> None:
        self.orders: dict[tuple[str, str], dict] = {}
        self.requests: list[dict] = []
        self.fail_next = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                headers = dict(self.headers.items())
                fake.requests.append({"path": parts.path, "query": parts.query, "headers": headers})
                if fake.fail_next:
                    fake.fail_next -= 1
                    self._send(500, {"error": "down"})
                    return
                if not fake.signature_ok(self.command, self.path, headers):
                    self._send(401, {"error_code": "APIG.0301"})
                    return
                query = dict(parse_qsl(parts.query))
                key = (query.get("orderId", ""), query.get("orderLineId", ""))
                answer = fake.orders.get(key) or {"resultCode": "000002", "resultMsg": "no such order"}
                self._send(200, answer)

            def _send(self, status: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/mkp-openapi-public/global/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def signature_ok(self, method: str, raw_path: str, headers: dict[str, str]) -> bool:
        authorization = headers.get("Authorization", "")
        if not authorization.startswith("SDK-HMAC-SHA256 "):
            return False
        fields = dict(item.strip().split("=", 1) for item in authorization[len("SDK-HMAC-SHA256 ") :].split(","))
        if fields.get("Access") != APIG_AK:
            return False
        signed_names = fields.get("SignedHeaders", "").split(";")
        lowered = {name.lower(): value for name, value in headers.items()}
        if "host" not in signed_names or "x-sdk-date" not in signed_names:
            return False
        date = lowered["x-sdk-date"]
        parts = urlsplit(raw_path)
        path = parts.path if parts.path.endswith("/") else parts.path + "/"
        pairs = sorted(parse_qsl(parts.query, keep_blank_values=True))
        query = "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in pairs)
        canonical = "\n".join(
            [
                method,
                path,
                query,
                "".join(f"{name}:{lowered[name].strip()}\n" for name in signed_names),
                ";".join(signed_names),
                hashlib.sha256(b"").hexdigest(),
            ]
        )
        to_sign = f"SDK-HMAC-SHA256\n{date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        expected = hmac.new(APIG_SK.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, fields.get("Signature", ""))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def koogallery():
    fake = FakeKooGallery()
    yield fake
    fake.close()


@pytest.fixture(autouse=True)
def _patient_query_order(monkeypatch):
    """The local fake answers at once, but on a loaded test machine its thread may wait: no 3 s timeouts."""
    from billing_center.cloud.vendors.huawei import apig

    monkeypatch.setattr(apig, "TIMEOUT_SECONDS", 30)


@pytest.fixture
def huawei_on(settings, koogallery):
    settings.HUAWEI_MARKETPLACE_ACCESS_KEY = HUAWEI_KEY
    settings.HUAWEI_APIG_ACCESS_KEY = APIG_AK
    settings.HUAWEI_APIG_SECRET_KEY = APIG_SK
    settings.HUAWEI_MARKETPLACE_API_URL = koogallery.url
    return settings


def body_sign_ok(response, key: str = HUAWEI_KEY) -> bool:
    header = response["Body-Sign"]
    digest = base64.b64encode(hmac.new(key.encode(), response.content, hashlib.sha256).digest()).decode()
    return header == f'sign_type="HMAC-SHA256", signature="{digest}"'


def _v1_now() -> str:
    # One clock reading for the seconds and the milliseconds: two readings can straddle a second and
    # give a stamp older than the previous call's, which the stale-event rule rightly refuses.
    now_ms = time.time_ns() // 1_000_000
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(now_ms // 1000)) + f"{now_ms % 1000:03d}"


class HuaweiMarketplace:
    """Plays KooGallery: signs V2 bodies and V1 queries and checks every answer's Body-Sign."""

    def __init__(self, client: Client, key: str = HUAWEI_KEY) -> None:
        self.client = client
        self.key = key

    def v2_raw(self, body: bytes, *, timestamp: str | None = None, nonce: str | None = None, key: str | None = None, extra_query: str = "", signature: str | None = None):
        timestamp = timestamp or str(int(time.time() * 1000))
        nonce = nonce or uuid.uuid4().hex
        signature = signature or v2_signature(access_key=key or self.key, nonce=nonce, timestamp=timestamp, body=body)
        query = urlencode({"signature": signature, "timestamp": timestamp, "nonce": nonce}) + extra_query
        response = self.client.post(f"/marketplace/huawei/v2?{query}", data=body, content_type="application/json")
        if response.status_code == 200:
            assert body_sign_ok(response), "every answer carries a valid Body-Sign"
        return response

    def v2(self, **fields: str):
        return self.v2_raw(json.dumps(fields).encode())

    def v1_params(self, *, key: str | None = None, time_stamp: str | None = None, **params: str) -> dict[str, str]:
        params = {**params, "timeStamp": time_stamp or _v1_now()}
        return {**params, "authToken": v1_auth_token(params, access_key=key or self.key)}

    def v1(self, *, key: str | None = None, time_stamp: str | None = None, **params: str):
        return self.v1_query(urlencode(self.v1_params(key=key, time_stamp=time_stamp, **params)))

    def v1_query(self, query: str):
        response = self.client.get(f"/marketplace/huawei/v1?{query}")
        if response.status_code == 200:
            assert body_sign_ok(response)
        return response


@pytest.fixture
def huawei(huawei_on, db, client) -> HuaweiMarketplace:
    return HuaweiMarketplace(client)
