"""``/marketplace/aws/…``: the buyer's registration POST, its landing page, SNS and the EventBridge relay.

Thin: authentication is ``sns`` / ``eventbridge``, the writes are ``services``. Each endpoint answers
404 while its own setting is empty (the vendor as a whole needs ``AWS_MARKETPLACE_PRODUCT_CODE``).
A refused machine call stores nothing and gets a problem document (400, 403 for a bad signature).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from billing_center.audit.services import RequestMeta
from billing_center.cloud.inbox import InboxFailed, inbox_process
from billing_center.cloud.models import Vendor
from billing_center.cloud.vendors.aws import eventbridge, metering, selectors, services, sns
from billing_center.core.api import problem
from billing_center.core.errors import Conflict
from billing_center.core.ratelimit import ip_bucket, limit_hit

logger = logging.getLogger(__name__)

TOKEN_FIELD = "x-amzn-marketplace-token"
OFFER_TYPE_FIELD = "x-amzn-marketplace-offer-type"
UNAVAILABLE_RETRY_SECONDS = 30
# Each registration POST costs a ResolveCustomer call on the seller's AWS quota: bound it per client IP.
REGISTRATIONS_PER_IP_PER_MINUTE = 20


def _rejected(request: HttpRequest, *, status: int, reason: str) -> HttpResponse:
    logger.info("AWS marketplace call to %s refused: %s", request.path, reason)
    if status == 403:
        return problem(request, status=403, code="invalid_signature", title=_("The signature is not valid."))
    return problem(request, status=400, code="invalid_request", title=_("This is not a valid marketplace call."))


def _unavailable(request: HttpRequest, *, kept: bool = True) -> HttpResponse:
    if kept:
        code, title = "marketplace_event_failed", _("The marketplace call could not be processed; it is kept for a retry.")
    else:
        code, title = "marketplace_unavailable", _("The call could not be verified now and was not stored; retry later.")
    return problem(request, status=503, code=code, title=title, retry_after=UNAVAILABLE_RETRY_SECONDS)


def _processed(request: HttpRequest, *, dedup_key: str, action: str, stored: dict[str, Any]) -> HttpResponse:
    """A verified call of either channel: stored in the inbox and handled; its answer, or 503 if it failed."""
    try:
        outcome = inbox_process(
            vendor=Vendor.AWS,
            dedup_key=dedup_key,
            action=action,
            request=stored,
            handler=services.inbox_handle,
            meta=RequestMeta.from_request(request),
        )
    except InboxFailed:
        return _unavailable(request)
    return JsonResponse(outcome.response)


_RELAY_SIGNATURE_REASONS = {"missing_signature", "malformed_signature", "stale_timestamp", "signature"}
_SIGNATURE_REASONS = {"signature", "signature_version", "certificate_url", "certificate_invalid", "certificate_expired"}


@csrf_exempt
@require_POST
def sns_endpoint(request: HttpRequest) -> HttpResponse:
    topics = settings.AWS_SNS_TOPIC_ARNS
    if not topics:
        raise Http404
    try:
        message = sns.sns_verify(
            request.body, topics=topics, message_type_header=request.headers.get("x-amz-sns-message-type")
        )
    except sns.SnsRejected as refused:
        if refused.reason == "certificate_unavailable":
            # We could not decide (AWS's certificate host did not answer): nothing stored, SNS redelivers.
            logger.warning("SNS certificate unavailable for %s", request.path)
            return _unavailable(request, kept=False)
        return _rejected(request, status=403 if refused.reason in _SIGNATURE_REASONS else 400, reason=refused.reason)
    action = message.type
    if message.type == "Notification":
        action = str(sns.notification_payload(message).get("action") or "Notification")
    return _processed(
        request, dedup_key=f"sns:{message.message_id}", action=action, stored={"channel": "sns", "message": message.raw}
    )


@csrf_exempt
@require_POST
def events_endpoint(request: HttpRequest) -> HttpResponse:
    secret = settings.AWS_EVENTS_RELAY_SECRET
    if not secret:
        raise Http404
    try:
        eventbridge.relay_verify(
            secret=secret,
            timestamp=request.headers.get("X-BC-Timestamp"),
            signature=request.headers.get("X-BC-Signature"),
            body=request.body,
            now=timezone.now(),
        )
        event = eventbridge.parse_event(request.body)
    except eventbridge.RelayRejected as refused:
        status = 403 if refused.reason in _RELAY_SIGNATURE_REASONS else 400
        return _rejected(request, status=status, reason=refused.reason)
    return _processed(
        request,
        dedup_key=f"eventbridge:{event.id}",
        action=event.detail_type,
        stored={"channel": "eventbridge", "event": event.raw},
    )


def _registration_problem(
    request: HttpRequest, *, status: int, problem_kind: str, retry_after: int = UNAVAILABLE_RETRY_SECONDS
) -> HttpResponse:
    response = render(request, "cloud/aws/registration_problem.html", {"problem": problem_kind}, status=status)
    if status in (429, 503):
        response["Retry-After"] = str(max(1, retry_after))
    return response


@csrf_exempt  # a cross-site form POST from AWS Marketplace, authenticated by its token
@require_POST
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    token = request.POST.get(TOKEN_FIELD, "")
    free_trial = request.POST.get(OFFER_TYPE_FIELD, "") == "free-trial"
    if not token.strip() or len(token) > metering.MAX_TOKEN_LENGTH:
        return _registration_problem(request, status=400, problem_kind="invalid")
    meta = RequestMeta.from_request(request)
    per_ip = limit_hit(
        f"aws:register:ip:{ip_bucket(meta.ip)}", limit=REGISTRATIONS_PER_IP_PER_MINUTE, window_seconds=60
    )
    if not per_ip.allowed:
        return _registration_problem(request, status=429, problem_kind="busy", retry_after=per_ip.retry_after)
    try:
        customer = metering.resolve_customer(token.strip())
    except metering.TokenExpired:
        return _registration_problem(request, status=400, problem_kind="expired")
    except metering.TokenInvalid:
        return _registration_problem(request, status=400, problem_kind="invalid")
    except metering.MarketplaceUnavailable as exc:
        logger.warning("ResolveCustomer unavailable: %s", exc)
        return _registration_problem(request, status=503, problem_kind="unavailable")
    try:
        entitlements: list[metering.Entitlement] | None = metering.get_entitlements(
            product_code=customer.product_code,
            customer_aws_account_id=customer.customer_aws_account_id,
            license_arn=customer.license_arn,
            customer_identifier="" if customer.customer_aws_account_id else customer.customer_identifier,
        )
    except metering.MarketplaceUnavailable as exc:
        # Not needed to register: the next entitlement event refreshes them.
        logger.warning("GetEntitlements unavailable at registration: %s", exc)
        entitlements = None
    try:
        registration = services.aws_registration_create(
            customer=customer, free_trial=free_trial, entitlements=entitlements, meta=meta
        )
    except Conflict:
        return _registration_problem(request, status=400, problem_kind="invalid")
    except metering.MarketplaceUnavailable:
        return _registration_problem(request, status=503, problem_kind="unavailable")
    return redirect(reverse("cloud:aws:landing", kwargs={"registration": registration.key}))


@require_http_methods(["GET", "POST"])
@never_cache
def landing(request: HttpRequest, registration: str) -> HttpResponse:
    if request.method == "POST":
        # "Link to my account" (logged in, after re-authentication; else log in and come back).
        from billing_center.cloud.views import aws_landing_link

        return aws_landing_link(request, registration)
    found = selectors.aws_registration_lookup(key=registration)
    if found is None:
        response = _registration_problem(request, status=404, problem_kind="landing")
    else:
        data: dict[str, Any] = found.cloud_account.vendor_data or {}
        response = render(
            request,
            "cloud/aws/landing.html",
            {
                "registration": found,
                "cloud_account": found.cloud_account,
                "licence": data.get("license") or found.cloud_account.instance_id,
                "entitlements": data.get("entitlements") or [],
                "here": request.path,
            },
        )
    # The address is a bearer id: never sent to another site as a referrer, never cached. Not
    # "no-referrer": that makes the browser send "Origin: null" with the page's own link form, which
    # Django's CSRF check refuses.
    response["Referrer-Policy"] = "same-origin"
    return response


def urlpatterns() -> list[URLPattern]:
    return [
        path("register", register, name="register"),
        path("landing/<str:registration>", landing, name="landing"),
        path("sns", sns_endpoint, name="sns"),
        path("events", events_endpoint, name="events"),
    ]
