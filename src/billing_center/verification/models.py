"""One-time codes and the delivery queue.

The raw code is never stored: ``OneTimeCode.code_hmac`` is an HMAC under ``CODE_HMAC_KEY`` (kept out of
the database), and a ``Delivery`` keeps its message only Fernet-encrypted under a key derived from the
same secret, and only until it is sent or finally fails.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing_center.core.models import TimestampedModel


class Purpose(models.TextChoices):
    SIGNUP_EMAIL = "signup_email", _("sign-up (email)")
    SIGNUP_PHONE = "signup_phone", _("sign-up (phone)")
    LOGIN = "login", _("log in")
    PASSWORD_RESET = "password_reset", _("password reset")
    REAUTH = "reauth", _("re-authentication")
    EMAIL_CHANGE_CURRENT = "email_change_current", _("email change (current address)")
    EMAIL_CHANGE_NEW = "email_change_new", _("email change (new address)")
    PHONE_CHANGE_CURRENT = "phone_change_current", _("phone change (current number)")
    PHONE_CHANGE_NEW = "phone_change_new", _("phone change (new number)")
    WORKSPACE_BIND = "workspace_bind", _("workspace binding")


class Channel(models.TextChoices):
    EMAIL = "email", _("email")
    SMS = "sms", _("SMS")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    RETRYING = "retrying", _("retrying")
    FAILED = "failed", _("failed")


class Delivery(TimestampedModel):
    """One outgoing email or SMS (a code or a notice), sent after commit and retried on failure."""

    channel = models.CharField(max_length=8, choices=Channel.choices)
    to = models.CharField(max_length=254)
    purpose = models.CharField(max_length=32, blank=True)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Fernet token of {"subject", "body", "code"}; emptied once sent or finally failed.
    payload = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A sender holds the row until this moment, so the request's first attempt and the worker never
    # send the same message twice.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["sent", "failed"], payload="") | Q(status__in=["queued", "retrying"]),
                name="delivery_payload_wiped_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} {self.status}"


class OneTimeCode(TimestampedModel):
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="one_time_codes"
    )
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    target = models.CharField(max_length=254)
    # Binds the code to one run of a flow (e.g. a pending email change id); "" when the flow has none.
    flow = models.CharField(max_length=64, blank=True)
    code_hmac = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    # The address got a notice instead of a code (enumeration-safe paths); such a code never passes.
    is_decoy = models.BooleanField(default=False)
    delivery = models.ForeignKey(Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["purpose", "target", "flow", "-created_at"], name="otc_lookup"),
            models.Index(fields=["account", "purpose"], name="otc_account"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(attempts__gte=0), name="otc_attempts_non_negative"),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="otc_expires_after_created"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} code #{self.pk}"

    def is_live(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return self.used_at is None and self.voided_at is None and self.expires_at > moment  # type: ignore[operator]
