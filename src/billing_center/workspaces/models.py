"""Workspaces (the SaaS console's tenants) and the history of every change made to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing_center.core.models import TimestampedModel


class SettlementMethod(models.TextChoices):
    ACCOUNT = "account", _("Billing Center account")
    CLOUD = "cloud", _("cloud account")


class LockState(models.TextChoices):
    ACTIVE = "active", _("active")
    GRACE = "grace", _("grace period")
    LOCKED = "locked", _("locked")


class Workspace(TimestampedModel):
    """A console workspace: bound to at most one account, settled by exactly one method."""

    # The console's own id: the key of every platform call.
    id = models.CharField(_("workspace id"), max_length=64, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    site = models.CharField(_("site"), max_length=16)
    language = models.CharField(_("language"), max_length=8, default="en")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="workspaces"
    )
    bound_at = models.DateTimeField(null=True, blank=True)

    settlement_method = models.CharField(
        _("settlement method"),
        max_length=8,
        choices=SettlementMethod.choices,
        default=SettlementMethod.ACCOUNT,
    )
    cloud_account = models.ForeignKey(
        "cloud.CloudAccount", null=True, blank=True, on_delete=models.PROTECT, related_name="workspaces"
    )
    settlement_changed_at = models.DateTimeField(null=True, blank=True)

    lock_state = models.CharField(
        _("lock state"), max_length=8, choices=LockState.choices, default=LockState.ACTIVE
    )
    lock_reason = models.CharField(_("lock reason"), max_length=200, blank=True)
    lock_deadline = models.DateTimeField(_("grace deadline"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")
        constraints = [
            # Exactly one settlement method: the account itself, or one cloud account.
            models.CheckConstraint(
                condition=Q(settlement_method="account", cloud_account__isnull=True)
                | Q(settlement_method="cloud", cloud_account__isnull=False),
                name="workspace_one_settlement_method",
            ),
            models.CheckConstraint(
                condition=Q(lock_state="grace", lock_deadline__isnull=False) | ~Q(lock_state="grace"),
                name="workspace_grace_has_deadline",
            ),
            # A cloud settlement needs a bound account (the cloud account is that account's).
            models.CheckConstraint(
                condition=Q(cloud_account__isnull=True) | Q(account__isnull=False),
                name="workspace_cloud_needs_account",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "-created_at", "-id"], name="workspace_by_account"),
            models.Index(fields=["lock_state"], name="workspace_lock_state"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class Actor(models.TextChoices):
    HOLDER = "holder", _("account holder")
    OPERATOR = "operator", _("operator")
    CONSOLE = "console", _("SaaS console")
    MARKETPLACE = "marketplace", _("marketplace")
    SYSTEM = "system", _("system")


class WorkspaceHistory(TimestampedModel):
    """One change of a workspace: who, when, what, old and new, why. Append-only."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(default=timezone.now)
    actor = models.CharField(max_length=12, choices=Actor.choices)
    actor_account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # "registered", "renamed", "bound", "settlement", "lock", …
    change = models.CharField(max_length=32)
    old = models.JSONField(default=dict, blank=True)
    new = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("workspace history entry")
        verbose_name_plural = _("workspace history")
        indexes = [models.Index(fields=["workspace", "-at", "-id"], name="workspace_history_recent")]

    def __str__(self) -> str:
        return f"{self.workspace_id} {self.change} @ {self.at:%Y-%m-%d %H:%M}"
