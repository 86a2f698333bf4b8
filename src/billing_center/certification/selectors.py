"""Reads of enterprise certification."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from billing_center.certification.models import Certification, CertificationState
from billing_center.core.rawread import first_where


@dataclass(frozen=True)
class CertificationView:
    state: str
    licence_name: str
    taxpayer_id: str
    reason: str
    submitted_at: datetime | None
    decided_at: datetime | None
    has_file: bool
    content_type: str

    @property
    def editable(self) -> bool:
        return self.state != CertificationState.VERIFIED


NONE = CertificationView(
    state=CertificationState.NONE,
    licence_name="",
    taxpayer_id="",
    reason="",
    submitted_at=None,
    decided_at=None,
    has_file=False,
    content_type="",
)


def certification_for(*, account: Any) -> Certification | None:
    # Read on the profile page and the Overview: one hand-written SELECT (core.rawread).
    return first_where(Certification, [("account", "=", account.pk)], order_by=("submitted_at", "id"))


def certification_view(*, account: Any) -> CertificationView:
    """What the holder sees: state ``none`` when nothing was submitted."""
    found = certification_for(account=account)
    if found is None:
        return NONE
    return CertificationView(
        state=found.state,
        licence_name=found.licence_name,
        taxpayer_id=found.taxpayer_id,
        reason=found.reason,
        submitted_at=found.submitted_at,
        decided_at=found.decided_at,
        has_file=bool(found.licence_file),
        content_type=found.licence_content_type,
    )


def verified_taxpayer_id(*, account: Any) -> str | None:
    return (
        Certification.objects.filter(account_id=account.pk, state=CertificationState.VERIFIED)
        .values_list("taxpayer_id", flat=True)
        .first()
    )


def pending_count() -> int:
    return Certification.objects.filter(state=CertificationState.PENDING).count()


def certification_state_label(account: Any) -> str:
    """The state's label, "Not submitted" without a submission (the Overview's figure)."""
    found = certification_for(account=account)
    return str(CertificationState.NONE.label if found is None else found.get_state_display())
