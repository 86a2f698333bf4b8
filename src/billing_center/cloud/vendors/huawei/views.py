"""``POST /marketplace/huawei/v2`` and ``GET /marketplace/huawei/v1``: KooGallery's calls.

Order of checks (a refused call stores nothing; every answer carries ``Body-Sign``): signature
parameters present → timestamp within 60 s → signature → nonce never seen (shared store) → body and
activity fields → ``testFlag=1`` probes answered without a subscription → the instance exists → the
inbox (store + effect + answer in one transaction; a retry gets the stored answer).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from billing_center.cloud.inbox import InboxFailed, inbox_process
from billing_center.cloud.models import Vendor
from billing_center.cloud.selectors import cloud_account_find, cloud_account_instances_live
from billing_center.cloud.vendors._common import (
    MAX_BODY_BYTES,
    Rejected,
    clean_text,
    json_bytes,
    nonce_claim,
    request_meta,
    single_values,
)
from billing_center.cloud.vendors.huawei import handlers
from billing_center.cloud.vendors.huawei.protocol import (
    NONCE_TTL_SECONDS,
    RESULT_CODES,
    RESULT_MESSAGES,
    SUCCESS,
    TIMESTAMP_WINDOW_SECONDS,
    V1_ACTIVITIES,
    V2_ACTIVITIES,
    Activity,
    activity_check,
    dedup_key,
    probe_instance_id,
    v1_time_stamp,
)
from billing_center.cloud.vendors.huawei.signing import (
    AES_256,
    DecryptionFailed,
    aes_decrypt,
    body_sign,
    v1_auth_token_matches,
    v2_signature_matches,
)
from billing_center.core.masking import mask_email, mask_phone

logger = logging.getLogger(__name__)

V2_QUERY = frozenset({"signature", "timestamp", "nonce"})


def signed_answer(payload: dict[str, Any]) -> HttpResponse:
    """The JSON answer with its ``Body-Sign`` over the exact bytes sent; HTTP 200 (codes travel in the body)."""
    body = json_bytes(payload)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Body-Sign"] = body_sign(access_key=settings.HUAWEI_MARKETPLACE_ACCESS_KEY, body=body)
    return response


def result(code: str, **extra: Any) -> HttpResponse:
    return signed_answer({"resultCode": code, "resultMsg": RESULT_MESSAGES.get(code, ""), **extra})


def _rejected(rejected: Rejected) -> HttpResponse:
    logger.info("Huawei call refused: %s", rejected.code)
    return result(RESULT_CODES.get(rejected.code, "000002"))


@csrf_exempt
@never_cache
@require_POST
def v2(request: HttpRequest) -> HttpResponse:
    key = settings.HUAWEI_MARKETPLACE_ACCESS_KEY
    try:
        query = single_values(request, include_body=False)
        if not set(query) >= V2_QUERY:
            raise Rejected("invalid_token", "signature, timestamp and nonce are required")
        if set(query) - V2_QUERY:
            raise Rejected("invalid_parameters", "unexpected URL parameters")
        event_at = _fresh_ms(query["timestamp"])
        body = request.body
        if len(body) > MAX_BODY_BYTES:
            raise Rejected("invalid_parameters", "body too large")
        if not v2_signature_matches(
            access_key=key, nonce=query["nonce"], timestamp=query["timestamp"], body=body, signature=query["signature"]
        ):
            raise Rejected("invalid_token", "signature mismatch")
        if not nonce_claim(vendor=Vendor.HUAWEI, nonce=query["nonce"], window_seconds=NONCE_TTL_SECONDS):
            raise Rejected("replayed_nonce", "nonce already used")
        fields = _body_fields(body)
        activity = activity_check(fields, V2_ACTIVITIES)
    except Rejected as rejected:
        return _rejected(rejected)
    raw = {"query": query, "body": body.decode("utf-8")}
    return _dispatch(request, "v2", activity, fields, event_at, raw)


@csrf_exempt
@never_cache
@require_GET
def v1(request: HttpRequest) -> HttpResponse:
    key = settings.HUAWEI_MARKETPLACE_ACCESS_KEY
    try:
        fields = single_values(request, include_body=False)
        if not fields.get("authToken") or not fields.get("timeStamp"):
            raise Rejected("invalid_token", "authToken and timeStamp are required")
        event_at = v1_time_stamp(fields["timeStamp"])
        _check_window(event_at)
        if not v1_auth_token_matches(fields, access_key=key):
            raise Rejected("invalid_token", "authToken mismatch")
        # V1 has no nonce: the signed token itself is used once.
        if not nonce_claim(vendor=Vendor.HUAWEI, nonce="v1:" + fields["authToken"], window_seconds=NONCE_TTL_SECONDS):
            raise Rejected("replayed_nonce", "authToken already used")
        activity = activity_check(fields, V1_ACTIVITIES)
        if activity.kind == "new":
            fields = _decrypt_contacts(fields, key)
        fields = {name: value for name, value in fields.items() if name != "authToken"}
    except Rejected as rejected:
        return _rejected(rejected)
    # The query as received: contacts stay the ciphertexts sent (only masked plaintext is kept).
    raw = {"query": single_values(request, include_body=False)}
    return _dispatch(request, "v1", activity, fields, event_at, raw)


def _dispatch(
    request: HttpRequest,
    version: str,
    activity: Activity,
    fields: dict[str, str],
    event_at: datetime,
    raw: dict[str, Any],
) -> HttpResponse:
    if fields.get("testFlag") == "1":
        return _probe(activity, fields)
    if activity.kind == "query":
        return _query(fields["instanceId"])
    cloud_account = None
    if activity.kind != "new":
        cloud_account = cloud_account_find(vendor=Vendor.HUAWEI, instance_id=fields["instanceId"])
        if cloud_account is None:
            return result(RESULT_CODES["unknown_instance"])
    try:
        outcome = inbox_process(
            vendor=Vendor.HUAWEI,
            dedup_key=dedup_key(version, activity, fields, cloud_account),
            action=activity.name,
            request={
                "version": version,
                "activity": activity.name,
                "fields": fields,
                "event_at": event_at.isoformat(),
                "received": raw,
            },
            handler=handlers.process,
            meta=request_meta(request),
        )
    except InboxFailed:
        # Kept for a retry: Huawei re-sends (create/upgrade for 3 h, others 1-2 h).
        return result(RESULT_CODES["internal_error"])
    return signed_answer(outcome.response)


def _probe(activity: Activity, fields: dict[str, str]) -> HttpResponse:
    """The platform's ``testFlag=1`` debug calls: a correct answer, no subscription, nothing stored."""
    if activity.kind == "new":
        return result(SUCCESS, instanceId=probe_instance_id(fields["orderId"], fields.get("orderLineId", "")))
    if activity.kind == "query":
        ids = [item.strip() for item in fields["instanceId"].split(",") if item.strip()][:100]
        return result(SUCCESS, info=[_instance_info(instance_id) for instance_id in ids])
    return result(SUCCESS)


def _query(instance_ids: str) -> HttpResponse:
    """queryInstance: what the buyer's console shows for each recorded instance (read-only, not stored)."""
    ids = [item.strip() for item in instance_ids.split(",") if item.strip()]
    if not ids or len(ids) > 100:
        return result(RESULT_CODES["invalid_parameters"])
    known = cloud_account_instances_live(vendor=Vendor.HUAWEI, instance_ids=ids)
    if not known:
        return result(RESULT_CODES["unknown_instance"])
    return result(SUCCESS, info=[_instance_info(instance_id) for instance_id in ids if instance_id in known])


def _instance_info(instance_id: str) -> dict[str, Any]:
    return {"instanceId": instance_id, "appInfo": {"frontEndUrl": f"{settings.SITE_URL}/", "adminUrl": f"{settings.SITE_URL}/"}}


def _fresh_ms(value: str) -> datetime:
    if not value.isascii() or not value.isdigit() or len(value) > 16:
        raise Rejected("stale_timestamp", "timestamp must be Unix milliseconds")
    # Compare as numbers first: a far-off value would not even make a datetime.
    if abs(int(value) - int(timezone.now().timestamp() * 1000)) > TIMESTAMP_WINDOW_SECONDS * 1000:
        raise Rejected("stale_timestamp", "timestamp outside the 60 s window")
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC)


def _check_window(moment: datetime) -> None:
    if abs(timezone.now() - moment) > timedelta(seconds=TIMESTAMP_WINDOW_SECONDS):
        raise Rejected("stale_timestamp", "timestamp outside the 60 s window")


def _body_fields(body: bytes) -> dict[str, str]:
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Rejected("invalid_parameters", "the body is not JSON") from None
    if not isinstance(payload, dict) or len(payload) > 64:
        raise Rejected("invalid_parameters", "the body is not a JSON object")
    fields: dict[str, str] = {}
    for name, value in payload.items():
        clean_text("name", name, max_length=128)
        if isinstance(value, bool) or value is None:
            text = "" if value is None else str(value).lower()
        elif isinstance(value, str | int | float):
            text = str(value)
        else:
            # Nested extension fields (saasExtendParams, …) are kept as their JSON text.
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        fields[name] = clean_text(name, text)
    return fields


def _decrypt_contacts(fields: dict[str, str], key: str) -> dict[str, str]:
    """V1 newInstance: mobilePhone/email arrive AES-encrypted; only masked forms are kept."""
    cleaned = dict(fields)
    encrypt_type = fields.get("encryptType") or AES_256
    for name, target, mask in (("mobilePhone", "contactPhone", mask_phone), ("email", "contactEmail", mask_email)):
        value = cleaned.pop(name, "")
        if not value:
            continue
        try:
            cleaned[target] = mask(aes_decrypt(value, access_key=key, encrypt_type=encrypt_type))
        except DecryptionFailed:
            raise Rejected("invalid_parameters", f"{name} cannot be decrypted") from None
    return cleaned


def urlpatterns() -> list[URLPattern]:
    return [path("v2", v2, name="v2"), path("v1", v1, name="v1")]
