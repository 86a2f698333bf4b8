"""The Alibaba Cloud SMS backend against a local fake endpoint that checks the RPC signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from billing_center.audit.services import RequestMeta
from billing_center.verification.channels.sms.aliyun import AliyunSmsBackend, aliyun_phone_number
from billing_center.verification.channels.sms.base import SmsDeliveryError
from billing_center.verification.models import Delivery
from billing_center.verification.services import code_send

ACCESS_KEY_ID = "LTAI-test-key"
SECRET = "test-secret/with+chars"


def expected_signature(params: dict[str, str], secret: str) -> str:
    """Alibaba Cloud's documented algorithm, written out independently of the backend's code."""

    def enc(text: str) -> str:
        return urllib.parse.quote(text, safe="-_.~")

    canonical = "&".join(f"{enc(key)}={enc(params[key])}" for key in sorted(params))
    string_to_sign = "POST&%2F&" + enc(canonical)
    return base64.b64encode(hmac.new((secret + "&").encode(), string_to_sign.encode(), hashlib.sha1).digest()).decode()


class FakeDysms(BaseHTTPRequestHandler):
    received: list[dict[str, str]] = []
    answer_code = "OK"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        params = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
        signature = params.pop("Signature", "")
        if not hmac.compare_digest(signature, expected_signature(params, SECRET)):
            self._answer(400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched."})
            return
        type(self).received.append(params)
        self._answer(200, {"Code": self.answer_code, "Message": "OK", "BizId": "1", "RequestId": "r"})

    def _answer(self, status: int, body: dict[str, str]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def fake_endpoint(settings) -> Iterator[type[FakeDysms]]:
    FakeDysms.received = []
    FakeDysms.answer_code = "OK"
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeDysms)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "billing_center.verification.channels.sms.aliyun.AliyunSmsBackend"
    settings.ALIYUN_SMS_ENDPOINT = f"http://127.0.0.1:{server.server_address[1]}/"
    settings.ALIYUN_SMS_ACCESS_KEY_ID = ACCESS_KEY_ID
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = SECRET
    settings.ALIYUN_SMS_SIGN_NAME = "计费中心"
    settings.ALIYUN_SMS_TEMPLATE_CODE = "SMS_100001"
    settings.ALIYUN_SMS_NOTICE_TEMPLATE_CODE = ""
    settings.SMS_TIMEOUT = 5
    yield FakeDysms
    server.shutdown()
    server.server_close()


def test_a_code_sms_is_a_signed_sendsms_call(fake_endpoint):
    # given the fake endpoint / when a code SMS is sent
    AliyunSmsBackend().send(to="+8613800001234", body="...", purpose="login", code="123456")
    # then the endpoint verified the signature and got the documented parameters
    [params] = fake_endpoint.received
    assert params["Action"] == "SendSms" and params["Version"] == "2017-05-25"
    assert params["SignatureMethod"] == "HMAC-SHA1" and params["SignatureVersion"] == "1.0"
    assert params["AccessKeyId"] == ACCESS_KEY_ID
    assert params["PhoneNumbers"] == "13800001234"
    assert params["SignName"] == "计费中心"
    assert params["TemplateCode"] == "SMS_100001"
    assert json.loads(params["TemplateParam"]) == {"code": "123456"}


def test_a_wrong_secret_is_rejected_by_the_endpoint(fake_endpoint, settings):
    # given a backend configured with a wrong secret
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "not-the-secret"
    # when it sends / then the endpoint refuses the signature and the backend raises
    with pytest.raises(SmsDeliveryError, match="HTTP 400"):
        AliyunSmsBackend().send(to="+8613800001234", body="...", purpose="login", code="123456")
    assert fake_endpoint.received == []


def test_a_non_ok_answer_raises(fake_endpoint):
    fake_endpoint.answer_code = "isv.BUSINESS_LIMIT_CONTROL"
    with pytest.raises(SmsDeliveryError, match="BUSINESS_LIMIT_CONTROL"):
        AliyunSmsBackend().send(to="+8613800001234", body="...", purpose="login", code="123456")


def test_an_unreachable_endpoint_raises(settings, fake_endpoint):
    settings.ALIYUN_SMS_ENDPOINT = "http://127.0.0.1:9/"
    with pytest.raises(SmsDeliveryError, match="unreachable"):
        AliyunSmsBackend().send(to="+8613800001234", body="...", purpose="login", code="123456")


def test_a_notice_without_a_notice_template_is_not_sent(fake_endpoint):
    with pytest.raises(SmsDeliveryError, match="not configured"):
        AliyunSmsBackend().send(to="+8613800001234", body="Your number changed", purpose="")


@pytest.mark.django_db
def test_code_send_through_aliyun_delivers_the_code_in_the_template(fake_endpoint, clock):
    # given the Aliyun backend / when a sign-up SMS code is asked for
    sent = code_send(purpose="signup_phone", channel="sms", target="+85261234567", meta=RequestMeta(ip="192.0.2.1"))
    # then it went out at once with a six-digit code, to the international number without "+"
    assert sent.delivery == "sent"
    [params] = fake_endpoint.received
    assert params["PhoneNumbers"] == "85261234567"
    assert len(json.loads(params["TemplateParam"])["code"]) == 6
    assert Delivery.objects.get().status == "sent"


def test_phone_numbers_follow_aliyuns_format():
    assert aliyun_phone_number("+8613800001234") == "13800001234"
    assert aliyun_phone_number("+14155550100") == "14155550100"
