"""Writes on contracts and attachments. Each writes its audit row (old and new values) in the same
transaction; file deletions wait for the commit."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_center.audit.events import EventType
from billing_center.audit.services import SYSTEM, RequestMeta, audit_record
from billing_center.contracts import events
from billing_center.contracts.files import pdf_check
from billing_center.contracts.models import (
    Contract,
    ContractAttachment,
    ContractType,
    Currency,
    StaffStatus,
)
from billing_center.core.errors import Conflict, ValidationFailed
from billing_center.core.filters import filter_params

NUMBER_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{0,63}$")
AMOUNT_MAX = Decimal("9999999999999999.99")
EDITABLE_FIELDS = (
    "account",
    "number",
    "title",
    "type",
    "currency",
    "amount",
    "signed_on",
    "starts_on",
    "ends_on",
    "staff_status",
)
_AUDITED_FIELDS = (*EDITABLE_FIELDS, "terminated_on")


def normalize_number(number: str) -> str:
    return (number or "").strip().upper()


def contract_fields_check(
    *,
    number: str,
    title: str,
    type: str,
    currency: str,
    amount: Decimal,
    starts_on: date,
    ends_on: date,
    exclude_id: int | None = None,
) -> None:
    """The rules a contract's fields must follow; raises ValidationFailed naming the field.

    Forms call it for friendly messages; the services call it again and the database constraints
    make races safe.
    """
    normalized = normalize_number(number)
    if not NUMBER_PATTERN.match(normalized):
        raise ValidationFailed(
            _("Use 1 to 64 letters, digits and . _ / - for the contract number, starting with a letter or digit."),
            field="number",
            code="contract_number_invalid",
        )
    taken = Contract.objects.filter(number=normalized)
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise ValidationFailed(
            _("Another contract already has this number."), field="number", code="contract_number_taken"
        )
    if not (title or "").strip() or len(title.strip()) > 200:
        raise ValidationFailed(_("Enter a title of 1 to 200 characters."), field="title", code="contract_title_invalid")
    if type not in ContractType.values:
        raise ValidationFailed(_("Choose a contract type."), field="type", code="contract_type_invalid")
    if currency not in Currency.values:
        raise ValidationFailed(_("Choose a currency."), field="currency", code="contract_currency_invalid")
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0 or amount > AMOUNT_MAX:
        raise ValidationFailed(_("Enter an amount of 0 or more."), field="amount", code="contract_amount_invalid")
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationFailed(
            _("Use at most two decimal places for the amount."), field="amount", code="contract_amount_invalid"
        )
    if ends_on < starts_on:
        raise ValidationFailed(
            _("The end date must not be before the start date."), field="ends_on", code="contract_dates_invalid"
        )


def staff_status_change_check(*, current: str, new: str) -> None:
    """``draft → issued`` is the only change of the staff status an edit may make (termination has its
    own service); raises Conflict naming the field. Forms call it for a friendly message."""
    if new != current and not (current == StaffStatus.DRAFT and new == StaffStatus.ISSUED):
        raise Conflict(
            _("An issued contract cannot go back to draft; terminate it instead."),
            field="staff_status",
            code="contract_status_change_invalid",
        )


def _snapshot(contract: Contract, fields: tuple[str, ...] = _AUDITED_FIELDS) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in fields:
        if field == "account":
            values["account_id"] = contract.account_id
            continue
        value = getattr(contract, field)
        values[field] = None if value is None else str(value) if not isinstance(value, int | str) else value
    return values


def _attachment_snapshot(attachment: ContractAttachment) -> dict[str, Any]:
    """What the audit row of an added or removed attachment keeps of it."""
    return {
        "attachment_id": attachment.pk,
        "original_name": attachment.original_name,
        "size": attachment.size,
        "sha256": attachment.sha256,
    }


def _save(contract: Contract) -> None:
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError as exc:
        # A concurrent writer took the number between the check and the insert.
        if Contract.objects.filter(number=contract.number).exclude(pk=contract.pk).exists():
            raise ValidationFailed(
                _("Another contract already has this number."), field="number", code="contract_number_taken"
            ) from exc
        raise


@transaction.atomic
def contract_create(
    *,
    account: Any,
    number: str,
    title: str,
    type: str,
    currency: str,
    amount: Decimal,
    signed_on: date,
    starts_on: date,
    ends_on: date,
    issue: bool = False,
    actor: Any = None,
    meta: RequestMeta = SYSTEM,
) -> Contract:
    """A new contract, as a draft (hidden from the holder) unless ``issue``."""
    contract_fields_check(
        number=number, title=title, type=type, currency=currency, amount=amount, starts_on=starts_on, ends_on=ends_on
    )
    contract = Contract(
        account=account,
        number=normalize_number(number),
        title=title.strip(),
        type=type,
        currency=currency,
        amount=amount,
        signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
        staff_status=StaffStatus.ISSUED if issue else StaffStatus.DRAFT,
    )
    _save(contract)
    _operator_audit(
        event=events.CONTRACT_CREATED,
        meta=meta,
        account=account,
        actor=actor,
        contract=contract,
        new=_snapshot(contract),
    )
    return contract


def _locked(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().get(pk=contract.pk)


@transaction.atomic
def contract_update(
    *, contract: Contract, changes: Mapping[str, Any], actor: Any = None, meta: RequestMeta = SYSTEM
) -> Contract:
    """Edit a draft or issued contract. Terminated contracts are frozen; an issued contract never goes
    back to draft (the holder has seen it) and moves to another account only while a draft."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    current = _locked(contract)
    if current.staff_status == StaffStatus.TERMINATED:
        raise Conflict(_("A terminated contract cannot be changed."), code="contract_terminated")
    staff_status_change_check(current=current.staff_status, new=changes.get("staff_status", current.staff_status))
    if "account" in changes and changes["account"].pk != current.account_id and current.staff_status != StaffStatus.DRAFT:
        raise Conflict(
            _("Only a draft contract can move to another account."), field="account", code="contract_account_locked"
        )
    before = _snapshot(current)
    previous_account = current.account
    for field, value in changes.items():
        setattr(current, field, value)
    current.number = normalize_number(current.number)
    current.title = current.title.strip()
    contract_fields_check(
        number=current.number,
        title=current.title,
        type=current.type,
        currency=current.currency,
        amount=current.amount,
        starts_on=current.starts_on,
        ends_on=current.ends_on,
        exclude_id=current.pk,
    )
    after = _snapshot(current)
    changed = [field for field in after if after[field] != before[field]]
    if not changed:
        return current
    _save(current)
    # The previous holder's log also records that the contract left their account.
    logs = [current.account, previous_account] if "account_id" in changed else [current.account]
    for account in logs:
        _operator_audit(
            event=events.CONTRACT_UPDATED,
            meta=meta,
            account=account,
            actor=actor,
            contract=current,
            old={field: before[field] for field in changed},
            new={field: after[field] for field in changed},
        )
    return current


@transaction.atomic
def contract_terminate(
    *, contract: Contract, terminated_on: date, actor: Any = None, meta: RequestMeta = SYSTEM
) -> Contract:
    """Mark an issued contract terminated as of ``terminated_on`` (today or earlier, not before signing)."""
    current = _locked(contract)
    if current.staff_status == StaffStatus.TERMINATED:
        raise Conflict(_("The contract is already terminated."), code="contract_terminated")
    if current.staff_status == StaffStatus.DRAFT:
        raise Conflict(_("A draft contract cannot be terminated."), code="contract_not_issued")
    if terminated_on > timezone.localdate():
        raise ValidationFailed(
            _("The termination date cannot be in the future."), field="terminated_on", code="termination_date_invalid"
        )
    if terminated_on < current.signed_on:
        raise ValidationFailed(
            _("The termination date cannot be before the signing date."),
            field="terminated_on",
            code="termination_date_invalid",
        )
    before = _snapshot(current, ("staff_status", "terminated_on"))
    current.staff_status = StaffStatus.TERMINATED
    current.terminated_on = terminated_on
    current.save(update_fields=["staff_status", "terminated_on", "updated_at"])
    _operator_audit(
        event=events.CONTRACT_TERMINATED,
        meta=meta,
        account=current.account,
        actor=actor,
        contract=current,
        old=before,
        new=_snapshot(current, ("staff_status", "terminated_on")),
    )
    return current


@transaction.atomic
def attachment_add(
    *, contract: Contract, upload: Any, uploaded_by: Any = None, name: str | None = None, meta: RequestMeta = SYSTEM
) -> ContractAttachment:
    """Store a PDF (checked by content and size) through the configured storage and record it."""
    checked = pdf_check(upload, name=name)
    current = _locked(contract)
    if current.staff_status == StaffStatus.TERMINATED:
        raise Conflict(_("A terminated contract cannot be changed."), code="contract_terminated")
    attachment = ContractAttachment(
        contract=current,
        original_name=checked.original_name,
        size=checked.size,
        sha256=checked.sha256,
        content_type="application/pdf",
        uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None,
    )
    attachment.file.save("upload.pdf", upload, save=False)
    stored_name = attachment.file.name or ""
    try:
        attachment.save()
        audit_record(
            event=events.ATTACHMENT_ADDED,
            meta=meta,
            account=current.account,
            actor=uploaded_by,
            actor_label="" if uploaded_by else "system",
            target=current,
            new=_attachment_snapshot(attachment),
        )
    except Exception:
        default_storage.delete(stored_name)
        raise
    # Storage is not transactional: a rollback of an enclosing transaction after this point leaves an
    # unreferenced file under a random name (harmless; see docs/contracts.md).
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: ContractAttachment, actor: Any = None, meta: RequestMeta = SYSTEM) -> None:
    contract = _locked(attachment.contract)
    if contract.staff_status == StaffStatus.TERMINATED:
        raise Conflict(_("A terminated contract cannot be changed."), code="contract_terminated")
    stored_name = attachment.file.name or ""
    old = _attachment_snapshot(attachment)
    attachment.delete()
    _operator_audit(
        event=events.ATTACHMENT_REMOVED,
        meta=meta,
        account=contract.account,
        actor=actor,
        contract=contract,
        old=old,
    )
    transaction.on_commit(lambda: default_storage.delete(stored_name))


@transaction.atomic
def attachment_download_record(
    *, account: Any, attachment: ContractAttachment, actor: Any = None, meta: RequestMeta = SYSTEM
) -> None:
    """Audit one download (the holder's own, or an operator's from the back office)."""
    audit_record(
        event=events.ATTACHMENT_DOWNLOADED,
        meta=meta,
        account=account,
        actor=actor or account,
        target=attachment,
        detail={"contract_id": attachment.contract_id, "original_name": attachment.original_name},
    )


@transaction.atomic
def contracts_export_record(*, account: Any, filters: Mapping[str, Any], meta: RequestMeta = SYSTEM) -> None:
    audit_record(
        event=events.CONTRACTS_EXPORTED,
        meta=meta,
        account=account,
        detail=filter_params(filters),
    )


def _operator_audit(
    *,
    event: EventType,
    meta: RequestMeta,
    account: Any,
    actor: Any,
    contract: Contract,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> None:
    """An audit row on the holder's account for what an operator (or, without one, the system) did to
    a contract; never attributed to the holder."""
    audit_record(
        event=event,
        meta=meta,
        account=account,
        actor=actor,
        actor_label="" if actor else "system",
        target=contract,
        old=old,
        new=new,
    )
