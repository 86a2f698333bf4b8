"""Random input at every Alibaba Cloud and Huawei endpoint: never a 5xx; unsigned input stores nothing."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from billing_center.cloud.vendors.aliyun.protocol import ACTIONS, aliyun_token
from billing_center.cloud.vendors.huawei.protocol import V1_ACTIVITIES, V2_ACTIVITIES
from billing_center.cloud.vendors.huawei.signing import v1_auth_token, v2_signature
from tests.cloud.conftest import ALIYUN_KEY, HUAWEI_KEY, nothing_stored

pytestmark = pytest.mark.django_db

RUNS = hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

names = st.one_of(
    st.sampled_from(["action", "token", "instanceId", "orderBizId", "aliUid", "activity", "authToken", "timeStamp",
                     "signature", "timestamp", "nonce", "expiredOn", "trial", "status", "testFlag"]),
    st.text(min_size=1, max_size=12),
)
edge_values = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.datetimes().map(lambda moment: moment.strftime("%Y-%m-%d %H:%M:%S")),
    st.datetimes().map(lambda moment: moment.strftime("%Y%m%d%H%M%S")),
    st.text(alphabet="0123456789\uff10\uff11\u0663", min_size=10, max_size=20),
)
values = st.one_of(
    st.text(max_size=40),
    edge_values,
    st.sampled_from(["", "0", "true", "createInstance", "newInstance", "2027-01-01 00:00:00", "é" * 32, "\u0663" * 44]),
)
params = st.dictionaries(names, values, max_size=10)
headers = st.dictionaries(
    st.sampled_from(["HTTP_X_FORWARDED_FOR", "HTTP_USER_AGENT", "HTTP_BODY_SIGN", "HTTP_AUTHORIZATION", "CONTENT_TYPE"]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
    max_size=3,
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
bodies = st.one_of(
    st.binary(max_size=200),
    st.dictionaries(st.sampled_from(["activity", "instanceId", "orderId", "orderLineId", "businessId", "status", "scene", "testFlag", "x"]), json_values, max_size=7).map(lambda d: json.dumps(d).encode()),
)


@pytest.fixture
def vendors_on(settings, koogallery):
    settings.ALIYUN_MARKETPLACE_KEY = ALIYUN_KEY
    settings.HUAWEI_MARKETPLACE_ACCESS_KEY = HUAWEI_KEY
    settings.HUAWEI_APIG_ACCESS_KEY = "ak"
    settings.HUAWEI_APIG_SECRET_KEY = "sk"
    settings.HUAWEI_MARKETPLACE_API_URL = koogallery.url


def _safe(query: dict[str, str]) -> str:
    return urlencode({k.encode("utf-8", "surrogatepass"): v.encode("utf-8", "surrogatepass") for k, v in query.items()})


@RUNS
@given(query=params, body=bodies, extra=headers, method=st.sampled_from(["get", "post", "put"]))
def test_random_calls_to_every_endpoint(vendors_on, query, body, extra, method):
    client = Client(raise_request_exception=False)
    for path in ("/marketplace/aliyun/spi", "/marketplace/huawei/v2", "/marketplace/huawei/v1"):
        url = f"{path}?{_safe(query)}"
        if method == "get":
            response = client.get(url, **extra)
        elif method == "post":
            response = client.post(url, data=body, content_type=extra.get("CONTENT_TYPE", "application/json"), **{k: v for k, v in extra.items() if k != "CONTENT_TYPE"})
        else:
            response = client.put(url, data=body, content_type="application/json")
        assert response.status_code < 500, (path, response.status_code)
    assert nothing_stored()


@RUNS
@given(query=params)
def test_random_form_posts_to_the_spi(vendors_on, query):
    client = Client(raise_request_exception=False)
    response = client.post("/marketplace/aliyun/spi", {k: v for k, v in query.items() if "\x00" not in k})
    assert response.status_code < 500
    assert nothing_stored()


@RUNS
@given(action=st.sampled_from(sorted(ACTIONS)), query=params)
def test_validly_signed_random_spi_calls_never_fail(vendors_on, action, query):
    client = Client(raise_request_exception=False)
    signed = {**query, "action": action}
    signed.pop("token", None)
    signed["token"] = aliyun_token(signed, ALIYUN_KEY)
    response = client.get(f"/marketplace/aliyun/spi?{_safe(signed)}")
    assert response.status_code < 500


@RUNS
@given(activity=st.sampled_from(sorted(V2_ACTIVITIES)), body=bodies, timestamp=st.one_of(st.none(), edge_values))
def test_validly_signed_random_huawei_v2_calls_never_fail(vendors_on, activity, body, timestamp):
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        body = json.dumps({**payload, "activity": activity}).encode()
    client = Client(raise_request_exception=False)
    timestamp, nonce = timestamp or str(int(time.time() * 1000)), f"n{time.monotonic_ns()}"
    signature = v2_signature(access_key=HUAWEI_KEY, nonce=nonce, timestamp=timestamp, body=body)
    query = urlencode({"signature": signature, "timestamp": timestamp, "nonce": nonce})
    response = client.post(f"/marketplace/huawei/v2?{query}", data=body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["resultCode"] in {"000000", "000001", "000002", "000003", "000005"}


@RUNS
@given(activity=st.sampled_from(sorted(V1_ACTIVITIES)), query=params)
def test_validly_signed_random_huawei_v1_calls_never_fail(vendors_on, activity, query):
    client = Client(raise_request_exception=False)
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime()) + f"{time.monotonic_ns() % 1000:03d}"
    signed = {k: v for k, v in query.items() if k not in {"authToken", "timeStamp"}}
    signed |= {"activity": activity, "timeStamp": stamp}
    signed["authToken"] = v1_auth_token(signed, access_key=HUAWEI_KEY)
    response = client.get(f"/marketplace/huawei/v1?{_safe(signed)}")
    assert response.status_code == 200
    assert response.json()["resultCode"] in {"000000", "000001", "000002", "000003", "000005"}
