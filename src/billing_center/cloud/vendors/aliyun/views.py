"""``GET`` or form-``POST /marketplace/aliyun/spi``: the SPI actions of Alibaba Cloud Marketplace.

Order of checks (a refused call stores nothing): parameters well-formed → token → action and its
parameters → the inbox (store + effect + answer in one transaction; a retry gets the stored answer).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from billing_center.cloud.inbox import InboxFailed, inbox_process
from billing_center.cloud.models import CloudAccountState, Vendor
from billing_center.cloud.selectors import cloud_account_find
from billing_center.cloud.vendors._common import Rejected, json_answer, request_meta, single_values
from billing_center.cloud.vendors.aliyun import handlers
from billing_center.cloud.vendors.aliyun.protocol import (
    VERIFY_WINDOW_SECONDS,
    action_check,
    time_param,
    token_check,
)

logger = logging.getLogger(__name__)

REJECTION_STATUS = {"invalid_token": 403, "invalid_parameters": 400}


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def spi(request: HttpRequest) -> HttpResponse:
    try:
        params = single_values(request, include_body=True)
        token_check(params, settings.ALIYUN_MARKETPLACE_KEY)
        action = action_check(params)
    except Rejected as rejected:
        logger.info("Alibaba Cloud SPI call refused: %s", rejected.code)
        return json_answer(
            {"success": False, "code": rejected.code, "message": rejected.message},
            status=REJECTION_STATUS.get(rejected.code, 400),
        )
    if action.name == "verify":
        return _verify(request, params)
    try:
        outcome = inbox_process(
            vendor=Vendor.ALIYUN,
            dedup_key=dedup_key(params),
            action=action.name,
            request={"method": request.method, "params": params, "received_at": timezone.now().isoformat()},
            handler=handlers.process,
            meta=request_meta(request),
        )
    except InboxFailed:
        # Kept for a retry. instanceId 0 tells the marketplace to call createInstance again (up to 120 times).
        if action.name == "createInstance":
            return json_answer({"instanceId": "0"})
        return json_answer({"success": False, "code": "retry_later"})
    return json_answer(outcome.response)


def dedup_key(params: dict[str, str]) -> str:
    """One key per distinct call (reference §4.3); a retried call finds its first answer by it."""
    action = params["action"]
    if action == "createInstance":
        return f"createInstance|{params['orderBizId']}"
    instance_id = params["instanceId"]
    if action == "renewInstance":
        return f"renewInstance|{instance_id}|{params['orderId']}|{params['expiredOn']}"
    if action == "upgradeInstance":
        return f"upgradeInstance|{instance_id}|{params.get('orderId', '')}|{params['skuId']}"
    if action == "expiredInstance":
        # The call names nothing but the instance: one expiry per stretch of activity, i.e. per the
        # time the instance last became active (a renewal starts a new stretch, so a new expiry counts).
        cloud_account = cloud_account_find(vendor=Vendor.ALIYUN, instance_id=instance_id)
        since = (cloud_account.transitions or {}).get(CloudAccountState.ACTIVE, "") if cloud_account else ""
        return f"expiredInstance|{instance_id}|{since}"
    return f"releaseInstance|{instance_id}"


def _verify(request: HttpRequest, params: dict[str, str]) -> HttpResponse:
    """The buyer's single sign-on hop from the marketplace console: fresh, signed, known → the login page."""
    sent_at = time_param(params, "timeStamp")
    fresh = abs(timezone.now() - sent_at) <= timedelta(seconds=VERIFY_WINDOW_SECONDS)
    known = cloud_account_find(vendor=Vendor.ALIYUN, instance_id=params["instanceId"]) is not None
    if not fresh or not known:
        reason = "stale_timestamp" if not fresh else "unknown_instance"
        return render(request, "cloud/sign_in_refused.html", {"reason": reason}, status=403)
    return HttpResponseRedirect(reverse(settings.LOGIN_URL))


def urlpatterns() -> list[URLPattern]:
    return [path("spi", spi, name="spi")]
