"""Reads of cloud accounts for the vendor endpoints (and, later, the holder side)."""

from __future__ import annotations

from collections.abc import Iterable

from billing_center.cloud.models import CloudAccount, CloudAccountState


def cloud_account_find(*, vendor: str, instance_id: str) -> CloudAccount | None:
    """The cloud account of (vendor, instance id), or None."""
    return CloudAccount.objects.filter(vendor=vendor, instance_id=instance_id).first()


def cloud_account_instances_live(*, vendor: str, instance_ids: Iterable[str]) -> set[str]:
    """Which of ``instance_ids`` are recorded for ``vendor`` and not released (one query)."""
    return set(
        CloudAccount.objects.filter(vendor=vendor, instance_id__in=list(instance_ids))
        .exclude(state=CloudAccountState.RELEASED)
        .values_list("instance_id", flat=True)
    )
