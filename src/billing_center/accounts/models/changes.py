"""Pending changes of a login identifier (email or phone): the server-side state machine of SPEC §3.

Nothing on the account changes until a change reaches ``committed``; the row only remembers which
step the holder has proved so far. The code ``flow`` binds every one-time code to one change.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from billing_center.core.models import TimestampedModel


class ChangeKind(models.TextChoices):
    EMAIL = "email", _("email")
    PHONE = "phone", _("phone")


class ChangePath(models.TextChoices):
    # The usual path: a code to the current address of the same kind first.
    CHANGE = "change", _("change")
    # An account without a phone: the first code goes to the login email.
    ADD_PHONE = "add_phone", _("add phone")
    # The current phone is lost: the first code goes to the login email, then a waiting period.
    LOST_PHONE = "lost_phone", _("lost phone")


class ChangeState(models.TextChoices):
    STARTED = "started", _("started")
    CURRENT_VERIFIED = "current_verified", _("current address verified")
    WAITING = "waiting", _("waiting period")
    NEW_CODE_SENT = "new_code_sent", _("code sent to the new address")
    COMMITTED = "committed", _("committed")
    CANCELLED = "cancelled", _("cancelled")
    EXPIRED = "expired", _("expired")


PENDING_STATES = (
    ChangeState.STARTED,
    ChangeState.CURRENT_VERIFIED,
    ChangeState.WAITING,
    ChangeState.NEW_CODE_SENT,
)


class IdentifierChange(TimestampedModel):
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identifier_changes"
    )
    kind = models.CharField(max_length=8, choices=ChangeKind.choices)
    path = models.CharField(max_length=16, choices=ChangePath.choices, default=ChangePath.CHANGE)
    state = models.CharField(max_length=20, choices=ChangeState.choices, default=ChangeState.STARTED)
    # The flow id every one-time code of this change is bound to.
    flow = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Where the first code went (the current address, or the login email for add/lost phone).
    current_target = models.CharField(max_length=254)
    new_value = models.CharField(max_length=254, blank=True)
    end_other_sessions = models.BooleanField(default=True)
    expires_at = models.DateTimeField()
    # Lost-phone path only: the new phone can be entered from this moment on.
    ready_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind"],
                condition=models.Q(state__in=[state.value for state in PENDING_STATES]),
                name="identifier_change_one_pending",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[kind.value for kind in ChangeKind]),
                name="identifier_change_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=[state.value for state in ChangeState]),
                name="identifier_change_state_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(path=ChangePath.LOST_PHONE) | models.Q(kind=ChangeKind.PHONE),
                name="identifier_change_lost_phone_is_phone",
            ),
            models.CheckConstraint(
                condition=~models.Q(state=ChangeState.NEW_CODE_SENT) | ~models.Q(new_value=""),
                name="identifier_change_new_value_when_sent",
            ),
        ]
        indexes = [models.Index(fields=["account", "kind", "-created_at"], name="identifier_change_recent")]

    def __str__(self) -> str:
        return f"{self.kind} change #{self.pk} ({self.state})"

    @property
    def is_pending(self) -> bool:
        return self.state in PENDING_STATES

    def is_expired_at(self, moment: object) -> bool:
        return self.is_pending and self.expires_at <= moment  # type: ignore[operator]
