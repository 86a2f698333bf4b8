from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimestampedModel(models.Model):
    """When a row was created (set once; a data load may give it) and last saved (every save)."""

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class LabelledTimestampedModel(models.Model):
    """The same two fields with translated labels, for the models whose back-office pages name them.

    Only the labels differ from ``TimestampedModel``, but they are part of the migration state: giving
    every model the labels is one ``AlterField`` per app, left for a release that ships migrations.
    """

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class RateCounter(models.Model):
    """One fixed-window counter of the database-backed rate-limit store (``core.ratelimit``).

    Rows are written only through the atomic upsert in ``core.ratelimit``; expired rows are reused in
    place, so the table holds at most one row per live key.
    """

    key = models.CharField(max_length=255, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_ends_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["key"]
        verbose_name = "rate counter"

    def __str__(self) -> str:
        return f"{self.key}={self.count}"
