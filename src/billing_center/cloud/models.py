"""Cloud accounts (marketplace subscriptions) and the inbox of every inbound marketplace call.

The shared ground of the marketplace intake (vendors write here) and of the holder side (linking,
settlement): both build on these two models.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing_center.core.models import TimestampedModel


class Vendor(models.TextChoices):
    AWS = "aws", _("AWS")
    ALIYUN = "aliyun", _("Alibaba Cloud")
    HUAWEI = "huawei", _("Huawei Cloud")


class CloudAccountState(models.TextChoices):
    PENDING = "pending", _("pending")
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended")
    CANCELLING = "cancelling", _("cancelling")
    CANCELLED = "cancelled", _("cancelled")
    RELEASED = "released", _("released")
    FAILED = "failed", _("failed")


class CloudAccount(TimestampedModel):
    """One marketplace subscription, recorded from the vendor's own calls; linked to an account later."""

    vendor = models.CharField(_("vendor"), max_length=8, choices=Vendor.choices)
    # aliUid, Huawei account id, or the AWS customer account id.
    vendor_account_id = models.CharField(_("vendor account id"), max_length=128, blank=True)
    # Alibaba instanceId, Huawei instanceId, or the AWS licence ARN (or customer identifier without one).
    instance_id = models.CharField(_("instance id"), max_length=256)
    product = models.CharField(_("product"), max_length=256, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=CloudAccountState.choices, default=CloudAccountState.PENDING
    )
    trial = models.BooleanField(_("trial"), default=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    # {"active": "2026-…", "suspended": "…"}: when each state was last entered.
    transitions = models.JSONField(default=dict, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    # Vendor-specific fields (validated by the vendor module): order ids, SKU, legacy customer id, …
    vendor_data = models.JSONField(default=dict, blank=True)

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cloud_accounts",
    )
    linked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("cloud account")
        verbose_name_plural = _("cloud accounts")
        constraints = [
            models.UniqueConstraint(fields=["vendor", "instance_id"], name="cloud_account_instance_unique"),
            models.CheckConstraint(
                condition=Q(account__isnull=True, linked_at__isnull=True)
                | Q(account__isnull=False, linked_at__isnull=False),
                name="cloud_account_linked_at_with_account",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "-created_at", "-id"], name="cloud_account_by_account"),
            models.Index(fields=["vendor", "vendor_account_id"], name="cloud_account_vendor_account"),
        ]

    def __str__(self) -> str:
        return f"{self.vendor}:{self.instance_id}"


class InboxStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    PROCESSED = "processed", _("processed")
    FAILED = "failed", _("failed")


class InboxEvent(TimestampedModel):
    """Every authenticated inbound marketplace call, stored before it acts, in the transaction of its effect.

    ``dedup_key`` makes a retried call find its first answer (``response``) instead of acting twice.
    """

    vendor = models.CharField(max_length=8, choices=Vendor.choices)
    dedup_key = models.CharField(max_length=255)
    action = models.CharField(max_length=64, blank=True)
    # The request as received (method, path, query, headers that matter, body): never a secret key.
    request = models.JSONField(default=dict)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=InboxStatus.choices, default=InboxStatus.RECEIVED)
    # What the call changed ({"state": ["pending", "active"], …}) and the answer given to the vendor.
    result = models.JSONField(default=dict, blank=True)
    response = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    cloud_account = models.ForeignKey(
        CloudAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbox_events"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("marketplace inbox event")
        verbose_name_plural = _("marketplace inbox")
        constraints = [
            models.UniqueConstraint(fields=["vendor", "dedup_key"], name="cloud_inbox_dedup_unique"),
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="cloud_inbox_status")]

    def __str__(self) -> str:
        return f"{self.vendor}:{self.action}:{self.dedup_key}"


class AwsRegistration(TimestampedModel):
    """An AWS Marketplace registration resolved by ``ResolveCustomer``, waiting for the buyer to link it.

    The landing page ``/marketplace/aws/landing/{registration}`` carries an opaque id; only its SHA-256
    is stored (``key_hash``), so the database alone does not let anyone claim a subscription. It is
    valid until ``expires_at`` (24 h) and single-use (``used_at``, set when the link consumes it).
    """

    key_hash = models.CharField(max_length=64, unique=True)
    cloud_account = models.ForeignKey(CloudAccount, on_delete=models.CASCADE, related_name="aws_registrations")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("AWS Marketplace registration")
        verbose_name_plural = _("AWS Marketplace registrations")
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="aws_registration_expiry"),
            models.CheckConstraint(condition=Q(key_hash__regex=r"^[0-9a-f]{64}$"), name="aws_registration_key_hash"),
        ]

    def __str__(self) -> str:
        return f"aws-registration:{self.pk}"
