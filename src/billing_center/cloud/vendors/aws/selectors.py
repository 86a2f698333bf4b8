"""Reads of the AWS intake: landing ids and the cloud accounts a lifecycle event names."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from billing_center.cloud.models import AwsRegistration, CloudAccount, Vendor


def registration_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def aws_registration_lookup(*, key: str, now: datetime | None = None) -> AwsRegistration | None:
    """The unused, unexpired registration of a landing id (with its cloud account), else None."""
    if not key or len(key) > 128 or not key.isascii():
        return None
    return (
        AwsRegistration.objects.select_related("cloud_account")
        .filter(key_hash=registration_key_hash(key), used_at__isnull=True, expires_at__gt=now or timezone.now())
        .first()
    )


def aws_cloud_accounts_named(keys: dict[str, str]) -> list[CloudAccount]:
    """The AWS cloud accounts an event names by customer identifier, agreement id or licence suffix."""
    match = Q()
    if keys.get("customer_identifier"):
        match |= Q(vendor_data__customer_identifier=keys["customer_identifier"])
    if keys.get("agreement_id"):
        match |= Q(vendor_data__agreement_id=keys["agreement_id"])
    if keys.get("license"):
        match |= Q(vendor_data__license=keys["license"])
    if not match:
        return []
    return list(CloudAccount.objects.filter(Q(vendor=Vendor.AWS) & match).order_by("id"))
