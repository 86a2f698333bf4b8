"""Alibaba Cloud SMS (Dysmsapi ``SendSms``, RPC style, signature version 1.0 with HMAC-SHA1).

Codes go out through the template ``ALIYUN_SMS_TEMPLATE_CODE`` with ``{"code": ...}``; notices (no
code) through ``ALIYUN_SMS_NOTICE_TEMPLATE_CODE`` with ``{"purpose": ...}`` when that is configured.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime

from django.conf import settings

from billing_center.verification.channels.sms.base import SmsBackend, SmsDeliveryError

API_VERSION = "2017-05-25"


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as Alibaba Cloud's signature wants it (space as %20, ``~`` kept)."""
    return urllib.parse.quote(value, safe="~")


def canonical_query(params: dict[str, str]) -> str:
    return "&".join(f"{percent_encode(key)}={percent_encode(params[key])}" for key in sorted(params))


def rpc_signature(params: dict[str, str], *, secret: str, method: str = "POST") -> str:
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def aliyun_phone_number(e164: str) -> str:
    """Mainland numbers without the country code; others as country code + number, no ``+``."""
    digits = e164.lstrip("+")
    return digits[2:] if e164.startswith("+86") else digits


class AliyunSmsBackend(SmsBackend):
    def send(self, *, to: str, body: str, purpose: str, code: str | None = None) -> None:
        if code is not None:
            template, template_param = settings.ALIYUN_SMS_TEMPLATE_CODE, {"code": code}
        else:
            template, template_param = settings.ALIYUN_SMS_NOTICE_TEMPLATE_CODE, {"purpose": purpose}
        if not (template and settings.ALIYUN_SMS_ACCESS_KEY_ID and settings.ALIYUN_SMS_SIGN_NAME):
            raise SmsDeliveryError("Alibaba Cloud SMS is not configured for this message")
        params = {
            "AccessKeyId": settings.ALIYUN_SMS_ACCESS_KEY_ID,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": aliyun_phone_number(to),
            "SignName": settings.ALIYUN_SMS_SIGN_NAME,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template,
            "TemplateParam": json.dumps(template_param, separators=(",", ":")),
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": API_VERSION,
        }
        params["Signature"] = rpc_signature(params, secret=settings.ALIYUN_SMS_ACCESS_KEY_SECRET)
        self._post(params)

    def _post(self, params: dict[str, str]) -> None:
        endpoint = settings.ALIYUN_SMS_ENDPOINT
        if not endpoint.startswith(("https://", "http://")):
            raise SmsDeliveryError("ALIYUN_SMS_ENDPOINT must be an http(s) URL")
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            endpoint,
            data=urllib.parse.urlencode(params).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            answer = _json_or_empty(exc.read())
            raise SmsDeliveryError(f"Alibaba Cloud SMS answered HTTP {exc.code}: {answer.get('Code', '')}") from exc
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise SmsDeliveryError(f"Alibaba Cloud SMS unreachable: {exc.__class__.__name__}") from exc
        if answer.get("Code") != "OK":
            raise SmsDeliveryError(
                f"Alibaba Cloud SMS refused the message: {answer.get('Code', '?')} {answer.get('Message', '')}"[:300]
            )


def _json_or_empty(raw: bytes) -> dict[str, str]:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
