"""Writes on enterprise certification (SPEC §7). Each writes its audit row (old and new values) in the
same transaction; the file is stored through Django's storage API and decision notices go out after
commit.

States: ``none → pending → verified | rejected (reason) → pending`` on resubmission. A pending
submission may be replaced by a new one (the holder corrects a mistake before the review); a verified
one is read-only for the holder."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_center.audit.services import SYSTEM, RequestMeta, audit_record
from billing_center.certification import events
from billing_center.certification.files import licence_file_check
from billing_center.certification.models import Certification, CertificationState
from billing_center.certification.notices import decision_email
from billing_center.certification.selectors import verified_taxpayer_id
from billing_center.certification.validation import licence_name_clean, taxpayer_id_normalize
from billing_center.core.errors import ApplicationError, Conflict, ValidationFailed
from billing_center.verification.services import notice_send

REASON_MAX = 500
# SPEC §7: a workspace moves between two accounts only when both hold the same verified certification.
MOVE_REFUSED_CODE = "certification_mismatch"


def _snapshot(certification: Certification | None) -> dict[str, Any]:
    if certification is None:
        return {"state": CertificationState.NONE}
    return {
        "state": certification.state,
        "licence_name": certification.licence_name,
        "taxpayer_id": certification.taxpayer_id,
        "reason": certification.reason,
        "licence_sha256": certification.licence_sha256,
    }


@transaction.atomic
def certification_submit(
    *, account: Any, licence_name: str, taxpayer_id: str, upload: Any, meta: RequestMeta = SYSTEM
) -> Certification:
    """Submit (or resubmit) the certification for review; the state becomes ``pending``."""
    name = licence_name_clean(licence_name)
    normalized = taxpayer_id_normalize(taxpayer_id)
    if upload is None:
        raise ValidationFailed(
            _("Choose the licence file."), field="licence_file", code="licence_file_required"
        )
    checked = licence_file_check(upload)
    current = Certification.objects.select_for_update().filter(account_id=account.pk).first()
    if current is not None and current.state == CertificationState.VERIFIED:
        raise Conflict(
            _("A verified certification cannot be changed. Contact support if the licence changed."),
            code="certification_verified",
        )
    before = _snapshot(current)
    old_file = current.licence_file.name if current is not None else ""
    certification = current or Certification(account=account)
    certification.state = CertificationState.PENDING
    certification.licence_name = name
    certification.taxpayer_id = normalized
    certification.reason = ""
    certification.submitted_at = timezone.now()
    certification.decided_at = None
    certification.decided_by = None
    certification.licence_content_type = checked.content_type
    certification.licence_size = checked.size
    certification.licence_sha256 = checked.sha256
    certification.licence_file.save(f"licence{checked.extension}", ContentFile(checked.content), save=False)
    stored = certification.licence_file.name or ""
    try:
        certification.save()
        audit_record(
            event=events.CERTIFICATION_SUBMITTED,
            meta=meta,
            account=account,
            target=certification,
            old=before,
            new=_snapshot(certification),
        )
    except Exception:
        default_storage.delete(stored)
        raise
    # The replaced file goes once the new submission is committed; a rollback deletes the new one.
    if old_file:
        transaction.on_commit(lambda: default_storage.delete(old_file))
    return certification


def _locked_pending(certification: Certification) -> Certification:
    current = Certification.objects.select_for_update().select_related("account").get(pk=certification.pk)
    if current.state != CertificationState.PENDING:
        raise Conflict(
            _("Only a certification under review can be decided."), code="certification_not_pending"
        )
    return current


@transaction.atomic
def certification_approve(
    *, certification: Certification, operator: Any, meta: RequestMeta = SYSTEM
) -> Certification:
    current = _locked_pending(certification)
    before = _snapshot(current)
    current.state = CertificationState.VERIFIED
    current.decided_at = timezone.now()
    current.decided_by = operator
    current.save()
    _decided(current, operator=operator, meta=meta, before=before, event=events.CERTIFICATION_APPROVED)
    return current


@transaction.atomic
def certification_reject(
    *, certification: Certification, operator: Any, reason: str, meta: RequestMeta = SYSTEM
) -> Certification:
    text = " ".join((reason or "").split())
    if not text or len(text) > REASON_MAX or "\x00" in text:
        raise ValidationFailed(
            _("Give the reason for the rejection (at most %(max)s characters).") % {"max": REASON_MAX},
            field="reason",
            code="reason_required",
        )
    current = _locked_pending(certification)
    before = _snapshot(current)
    current.state = CertificationState.REJECTED
    current.reason = text
    current.decided_at = timezone.now()
    current.decided_by = operator
    current.save()
    _decided(current, operator=operator, meta=meta, before=before, event=events.CERTIFICATION_REJECTED)
    return current


def _decided(
    certification: Certification, *, operator: Any, meta: RequestMeta, before: dict[str, Any], event: Any
) -> None:
    account = certification.account
    audit_record(
        event=event,
        meta=meta,
        account=account,
        actor=operator,
        target=certification,
        old=before,
        new=_snapshot(certification),
    )
    subject, body = decision_email(
        language=account.language,
        username=account.username,
        licence_name=certification.licence_name,
        verified=certification.state == CertificationState.VERIFIED,
        reason=certification.reason,
    )
    notice_send(channel="email", target=account.email, subject=subject, body=body, account=account, meta=meta)


def licence_viewed_record(*, certification: Certification, operator: Any, meta: RequestMeta = SYSTEM) -> None:
    """An operator opened a holder's licence file (the holder's own views are not recorded)."""
    audit_record(
        event=events.CERTIFICATION_LICENCE_VIEWED,
        meta=meta,
        account=certification.account,
        actor=operator,
        target=certification,
    )


def workspace_move_allowed(*, from_account: Any, to_account: Any) -> None:
    """Refuse moving a workspace between two accounts unless both hold the same verified certification
    (the same normalized taxpayer id). Raises ApplicationError(code="certification_mismatch", 422)."""
    source = verified_taxpayer_id(account=from_account)
    destination = verified_taxpayer_id(account=to_account)
    if source is None or destination is None or source != destination:
        raise ApplicationError(
            _("Both accounts must hold the same verified enterprise certification to move a workspace."),
            code=MOVE_REFUSED_CODE,
            status=422,
        )
