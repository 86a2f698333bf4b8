"""Huawei algorithms pinned to the reference's vectors (official V1 example, JDK-checked AES, V2/Body-Sign fixtures)."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from billing_center.cloud.vendors.huawei.apig import QueryOrderFailed, apig_sign, canonical_uri, query_order
from billing_center.cloud.vendors.huawei.signing import (
    DecryptionFailed,
    aes_decrypt,
    aes_encrypt,
    body_sign,
    sha1prng_key,
    v1_auth_token,
    v2_signature,
    v2_signature_matches,
)
from tests.cloud.conftest import APIG_AK, APIG_SK, order_answer


def test_v1_auth_token_official_example():
    params = {
        "activity": "newInstance",
        "businessId": "61e834ba-7b97-4418-b8f7-e5345137278c",
        "customerId": "68cbc86abc2018ab880d92f36422fa0e",
        "expireTime": "20200727153156",
        "orderId": "CS1906666666ABCDE",
        "productId": "00301-666666-0--0",
        "testFlag": "1",
        "timeStamp": "20200727073711903",
    }
    assert v1_auth_token(params, access_key="xxxxxxx") == "Gzbfjf9LHRBcI3bFVi++sLinCNOBF6qa7is1fvjEgYQ="


def test_sha1prng_key_derivation_matches_the_jdk():
    assert sha1prng_key(b"testkey", 32).hex() == "865ccac4bc1ff58e21d626c5c932a41e388855e7fcf35fc18e7fde9f7188522f"
    assert sha1prng_key(b"testkey", 16).hex() == "865ccac4bc1ff58e21d626c5c932a41e"


@pytest.mark.parametrize(
    ("encrypt_type", "expected"),
    [("1", "abcdefghijklmnoporZ/4+4flNsGgYJwJxlTNQ=="), ("2", "abcdefghijklmnopCMj+u6rCkoNzZw2pwUXchQ==")],
)
def test_aes_vectors(encrypt_type, expected):
    assert aes_encrypt("13800000000", access_key="testkey", encrypt_type=encrypt_type, iv="abcdefghijklmnop") == expected
    assert aes_decrypt(expected, access_key="testkey", encrypt_type=encrypt_type) == "13800000000"


def test_aes_round_trip_with_a_random_iv_and_refusals():
    sealed = aes_encrypt("buyer@example.com", access_key="k")
    assert len(sealed) > 16 and aes_decrypt(sealed, access_key="k") == "buyer@example.com"
    for bad in ["short", "abcdefghijklmnop!!!notbase64", "abcdefghijklmnoporZ/4+4flNsGgYJwJxlTNQ=="]:
        with pytest.raises(DecryptionFailed):
            aes_decrypt(bad, access_key="k")
    with pytest.raises(DecryptionFailed):
        aes_decrypt(sealed, access_key="k", encrypt_type="9")


def test_v2_signature_fixture_and_case_insensitive_compare():
    body = b'{"activity":"queryInstance","instanceId":"i-1","testFlag":"1"}'
    expected = "5DB82561ACE76F5665C0B8F3DA45CE1E583968094D205C6D10584AD7132E987F"
    assert v2_signature(access_key="testkey", nonce="N0NCE", timestamp="1700000000000", body=body) == expected
    for candidate in (expected, expected.lower()):
        assert v2_signature_matches(
            access_key="testkey", nonce="N0NCE", timestamp="1700000000000", body=body, signature=candidate
        )
    assert not v2_signature_matches(
        access_key="testkey", nonce="N0NCE", timestamp="1700000000001", body=body, signature=expected
    )


def test_body_sign_fixture():
    header = body_sign(access_key="testkey", body=b'{"resultCode":"000000","resultMsg":"success"}')
    assert header == 'sign_type="HMAC-SHA256", signature="jtr8ALJ7siWa3AmiCdlrE6pGr4NHgAxmz7IuUonE1lU="'


def test_apig_signer_pinned():
    # Self-computed with the documented SDK-HMAC-SHA256 steps (no official vector is published).
    headers = apig_sign(
        method="GET",
        url="https://mkt.myhuaweicloud.com/api/mkp-openapi-public/global/v1/order/query?orderLineId=L-1&orderId=O 1",
        headers={"Content-Type": "application/json"},
        body=b"",
        access_key="AK",
        secret_key="SK",
        now=datetime(2026, 12, 6, 10, 0, 0, tzinfo=UTC),
    )
    assert headers["X-Sdk-Date"] == "20261206T100000Z"
    assert headers["Host"] == "mkt.myhuaweicloud.com"
    assert headers["Authorization"].startswith("SDK-HMAC-SHA256 Access=AK, SignedHeaders=content-type;host;x-sdk-date, ")
    assert headers["Authorization"].endswith(PINNED_APIG_SIGNATURE)
    assert canonical_uri("/a b/c") == "/a%20b/c/"


PINNED_APIG_SIGNATURE = "Signature=93a6b1664187d27b24ca8a3eb5700e10d8a2afe8c4d8980237deaaf3cd99a37b"


def test_query_order_against_a_local_fake(settings, koogallery):
    settings.HUAWEI_APIG_ACCESS_KEY, settings.HUAWEI_APIG_SECRET_KEY = APIG_AK, APIG_SK
    settings.HUAWEI_MARKETPLACE_API_URL = koogallery.url
    koogallery.orders[("CS-1", "CS-1-000001")] = order_answer("CS-1", "CS-1-000001", customerId="buyer-9")
    order = query_order(order_id="CS-1", order_line_id="CS-1-000001")
    assert (order.customer_id, order.sku_code, order.order_type) == ("buyer-9", "sku-basic", "NEW")
    assert koogallery.requests[0]["path"].endswith("/order/query")


def test_query_order_failures(settings, koogallery):
    settings.HUAWEI_MARKETPLACE_API_URL = koogallery.url
    settings.HUAWEI_APIG_ACCESS_KEY, settings.HUAWEI_APIG_SECRET_KEY = APIG_AK, "wrong-secret"
    koogallery.orders[("CS-1", "CS-1-000001")] = order_answer("CS-1", "CS-1-000001")
    with pytest.raises(QueryOrderFailed, match="HTTP 401"):
        query_order(order_id="CS-1", order_line_id="CS-1-000001")
    settings.HUAWEI_APIG_SECRET_KEY = APIG_SK
    with pytest.raises(QueryOrderFailed, match="000002"):
        query_order(order_id="nope", order_line_id="nope-1")
    koogallery.fail_next = 1
    with pytest.raises(QueryOrderFailed, match="HTTP 500"):
        query_order(order_id="CS-1", order_line_id="CS-1-000001")
    settings.HUAWEI_APIG_ACCESS_KEY = ""
    with pytest.raises(QueryOrderFailed, match="not configured"):
        query_order(order_id="CS-1", order_line_id="CS-1-000001")


def test_the_fake_refuses_an_unsigned_call(koogallery):
    # The fake's own check is real: an unsigned request is refused.
    request = Request(f"{koogallery.url}/order/query?orderId=CS-1&orderLineId=CS-1-000001")
    with pytest.raises(HTTPError) as refused:
        urlopen(request, timeout=3)
    assert refused.value.code == 401
    assert koogallery.requests[0]["query"] == "orderId=CS-1&orderLineId=CS-1-000001"
