"""Enterprise certification (SPEC §7): one per account, reviewed by operators."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing_center.core.models import LabelledTimestampedModel


class CertificationState(models.TextChoices):
    # "none" is the absence of a row; it is listed so the API and pages share one vocabulary.
    NONE = "none", _("Not submitted")
    PENDING = "pending", _("Under review")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


STORED_STATES = (CertificationState.PENDING, CertificationState.VERIFIED, CertificationState.REJECTED)


def licence_upload_to(instance: Certification, filename: str) -> str:
    # A random name: the holder's file name never becomes a storage path. The extension is the checked type.
    extension = PurePosixPath(filename).suffix.lower() or ".bin"
    return str(PurePosixPath("certification") / str(instance.account_id) / f"{uuid.uuid4().hex}{extension}")


class Certification(LabelledTimestampedModel):
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="certification",
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=[(state.value, state.label) for state in STORED_STATES],
        default=CertificationState.PENDING,
    )
    licence_name = models.CharField(_("enterprise name on the licence"), max_length=100)
    # Normalized: the 18 characters of the unified social credit code, upper case, no separators.
    taxpayer_id = models.CharField(_("taxpayer id"), max_length=18)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    licence_file = models.FileField(_("licence file"), upload_to=licence_upload_to, max_length=255)
    licence_content_type = models.CharField(_("licence content type"), max_length=32)
    licence_size = models.PositiveIntegerField(_("licence size in bytes"))
    licence_sha256 = models.CharField(_("licence SHA-256"), max_length=64)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("enterprise certification")
        verbose_name_plural = _("enterprise certifications")
        indexes = [
            models.Index(fields=["state", "submitted_at"], name="certification_queue_idx"),
            models.Index(fields=["taxpayer_id"], name="certification_taxpayer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[state.value for state in STORED_STATES]),
                name="certification_state_valid",
            ),
            models.CheckConstraint(condition=~Q(licence_name=""), name="certification_licence_name_required"),
            models.CheckConstraint(
                condition=Q(taxpayer_id__regex=r"^[0-9A-Z]{18}$"), name="certification_taxpayer_id_format"
            ),
            # A rejection always carries its reason; other states carry none.
            models.CheckConstraint(
                condition=(Q(state="rejected") & ~Q(reason="")) | (~Q(state="rejected") & Q(reason="")),
                name="certification_reason_iff_rejected",
            ),
            # Pending means undecided; a decision has its time.
            models.CheckConstraint(
                condition=(Q(state="pending") & Q(decided_at__isnull=True))
                | (~Q(state="pending") & Q(decided_at__isnull=False)),
                name="certification_decided_iff_not_pending",
            ),
            models.CheckConstraint(
                condition=Q(licence_size__gt=0), name="certification_licence_size_positive"
            ),
            models.CheckConstraint(
                condition=Q(licence_content_type__in=["image/png", "image/jpeg", "application/pdf"]),
                name="certification_licence_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.licence_name} ({self.taxpayer_id})"
