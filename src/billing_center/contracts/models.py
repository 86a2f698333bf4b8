"""Contracts (SPEC §6): created by operators, read by holders.

The holder-visible status is derived, never stored: ``draft`` and ``terminated`` are set by staff,
``pending``/``active``/``expired`` follow from today's date. ``contracts.status`` holds the one
definition, in Python and as SQL conditions.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing_center.core.models import LabelledTimestampedModel


class ContractType(models.TextChoices):
    FRAMEWORK = "framework", _("Framework")
    ORDER = "order", _("Order")
    SUPPLEMENT = "supplement", _("Supplement")
    RENEWAL = "renewal", _("Renewal")


class Currency(models.TextChoices):
    CNY = "CNY", _("CNY")
    USD = "USD", _("USD")


class StaffStatus(models.TextChoices):
    """What an operator decides. ``issued`` means "shown to the holder, status follows the dates"."""

    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    TERMINATED = "terminated", _("Terminated")


class ContractStatus(models.TextChoices):
    """What the holder sees (drafts are never shown)."""

    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Not yet started")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


HOLDER_STATUSES = (
    ContractStatus.PENDING,
    ContractStatus.ACTIVE,
    ContractStatus.EXPIRED,
    ContractStatus.TERMINATED,
)


class Contract(LabelledTimestampedModel):
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    # Stored upper-case (see services.normalize_number): search by prefix is then a plain indexed LIKE.
    number = models.CharField(_("contract number"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    type = models.CharField(_("type"), max_length=16, choices=ContractType.choices)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    staff_status = models.CharField(
        _("staff status"), max_length=16, choices=StaffStatus.choices, default=StaffStatus.DRAFT
    )
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)

    class Meta:
        ordering = ["-signed_on", "-id"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        indexes = [
            # The holder's list: newest first, keyset pagination walks this index.
            models.Index(fields=["account", "-signed_on", "-id"], name="contract_account_recent"),
            # Filters by staff status (terminated, and drafts in the back office) in list order.
            models.Index(
                fields=["account", "staff_status", "-signed_on", "-id"], name="contract_account_state"
            ),
            # Date-derived statuses: active/pending/expired are ranges on these columns.
            models.Index(fields=["account", "ends_on"], name="contract_account_ends"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="contract_ends_after_start"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="contract_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(staff_status__in=StaffStatus.values), name="contract_staff_status_valid"
            ),
            models.CheckConstraint(condition=Q(type__in=ContractType.values), name="contract_type_valid"),
            models.CheckConstraint(condition=Q(currency__in=Currency.values), name="contract_currency_valid"),
            models.CheckConstraint(
                condition=(Q(staff_status=StaffStatus.TERMINATED) & Q(terminated_on__isnull=False))
                | (~Q(staff_status=StaffStatus.TERMINATED) & Q(terminated_on__isnull=True)),
                name="contract_terminated_on_iff_terminated",
            ),
            models.CheckConstraint(condition=~Q(number=""), name="contract_number_required"),
            models.CheckConstraint(condition=~Q(title=""), name="contract_title_required"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def status(self) -> str:
        from billing_center.contracts.status import contract_status

        return contract_status(
            staff_status=self.staff_status,
            starts_on=self.starts_on,
            ends_on=self.ends_on,
            today=timezone.localdate(),
        )


def attachment_upload_to(instance: ContractAttachment, filename: str) -> str:
    # A random name: the holder's file name never becomes a storage path (no traversal, no collisions).
    return str(PurePosixPath("contracts") / str(instance.contract_id) / f"{uuid.uuid4().hex}.pdf")


class ContractAttachment(LabelledTimestampedModel):
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("content type"), max_length=100, default="application/pdf")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="attachment_size_positive"),
            models.CheckConstraint(condition=~Q(original_name=""), name="attachment_name_required"),
        ]

    def __str__(self) -> str:
        return self.original_name
