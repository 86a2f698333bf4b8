"""The holder-visible contract status, defined once in Python and once as SQL conditions.

- ``draft`` (staff): never shown to the holder.
- ``terminated`` (staff, with a date): shown as terminated whatever the dates say.
- otherwise by today's date, both ends inclusive: before ``starts_on`` → ``pending``;
  ``starts_on`` ≤ today ≤ ``ends_on`` → ``active``; after ``ends_on`` → ``expired``.

The SQL form filters on the raw columns (staff_status, starts_on, ends_on), so a status filter is an
indexed range query rather than a computed column scan. A property test keeps the two forms equal.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Case, CharField, Q, Value, When

from billing_center.contracts.models import ContractStatus, StaffStatus


def contract_status(*, staff_status: str, starts_on: date, ends_on: date, today: date) -> str:
    if staff_status == StaffStatus.DRAFT:
        return ContractStatus.DRAFT
    if staff_status == StaffStatus.TERMINATED:
        return ContractStatus.TERMINATED
    if today < starts_on:
        return ContractStatus.PENDING
    if today > ends_on:
        return ContractStatus.EXPIRED
    return ContractStatus.ACTIVE


def status_q(status: str, *, today: date) -> Q:
    """Rows whose derived status is ``status`` on ``today``."""
    issued = Q(staff_status=StaffStatus.ISSUED)
    conditions = {
        ContractStatus.DRAFT: Q(staff_status=StaffStatus.DRAFT),
        ContractStatus.TERMINATED: Q(staff_status=StaffStatus.TERMINATED),
        ContractStatus.PENDING: issued & Q(starts_on__gt=today),
        ContractStatus.ACTIVE: issued & Q(starts_on__lte=today, ends_on__gte=today),
        ContractStatus.EXPIRED: issued & Q(ends_on__lt=today),
    }
    return conditions[ContractStatus(status)]


def status_annotation(*, today: date) -> Case:
    """``Case``/``When`` giving each row its derived status, for ``.annotate(holder_status=...)``."""
    return Case(
        *[When(status_q(status, today=today), then=Value(status.value)) for status in ContractStatus],
        output_field=CharField(),
    )


def visible_to_holder_q() -> Q:
    return ~Q(staff_status=StaffStatus.DRAFT)
