from __future__ import annotations

from django.db import models


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
