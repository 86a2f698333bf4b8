from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine

from billing_center.contracts.models import Contract, ContractStatus, StaffStatus
from billing_center.contracts.status import contract_status, status_annotation, status_q
from tests.factories import ContractFactory

TODAY = dt.date(2025, 6, 15)


@pytest.mark.parametrize(
    ("starts", "ends", "expected"),
    [
        (TODAY, TODAY + dt.timedelta(days=30), ContractStatus.ACTIVE),  # starts today
        (TODAY - dt.timedelta(days=30), TODAY, ContractStatus.ACTIVE),  # ends today
        (TODAY, TODAY, ContractStatus.ACTIVE),  # a one-day contract, today
        (TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=30), ContractStatus.PENDING),  # starts tomorrow
        (TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=1), ContractStatus.EXPIRED),  # ended yesterday
    ],
)
@pytest.mark.django_db
def test_derived_status_at_the_boundaries(holder_client, holder, starts, ends, expected):
    # given an issued contract with these dates, on a frozen "today"
    with time_machine.travel(dt.datetime(2025, 6, 15, 23, 59, tzinfo=dt.UTC), tick=False):
        contract = ContractFactory(account=holder, signed_on=starts, starts_on=starts, ends_on=ends)
        holder_client.force_login(holder)
        # when the holder reads it and filters by the expected status
        detail = holder_client.get(f"/api/v1/contracts/{contract.pk}")
        listed = holder_client.get("/api/v1/contracts", {"status": expected.value})
    # then the status is derived from the dates, ends inclusive, the same in the API and the filter
    assert detail.json()["status"] == expected.value
    assert [item["id"] for item in listed.json()["items"]] == [contract.pk]
    assert contract.status == contract_status(
        staff_status=contract.staff_status, starts_on=starts, ends_on=ends, today=dt.date.today()
    )


@pytest.mark.django_db
def test_python_and_sql_definitions_agree_on_every_date_combination(holder):
    # given contracts for every staff status and start/end around today (exhaustive small grid)
    offsets = range(-2, 3)
    for index, (staff_status, start, length) in enumerate(
        itertools.product(StaffStatus.values, offsets, range(0, 3))
    ):
        starts = TODAY + dt.timedelta(days=start)
        ContractFactory(
            account=holder,
            number=f"GRID-{index}",
            signed_on=starts,
            starts_on=starts,
            ends_on=starts + dt.timedelta(days=length),
            staff_status=staff_status,
            terminated_on=starts if staff_status == StaffStatus.TERMINATED else None,
        )
    # when each row's status is computed in SQL (annotation and filter) and in Python
    rows = Contract.objects.annotate(holder_status=status_annotation(today=TODAY))
    # then all three agree for every row
    for row in rows:
        expected = contract_status(
            staff_status=row.staff_status, starts_on=row.starts_on, ends_on=row.ends_on, today=TODAY
        )
        assert row.holder_status == expected, row.number
        assert Contract.objects.filter(status_q(expected, today=TODAY), pk=row.pk).exists()
    assert rows.count() == 3 * 5 * 3


@pytest.mark.django_db
def test_terminated_wins_over_dates_and_drafts_stay_drafts(holder):
    # given a terminated contract still inside its term, and a draft
    terminated = ContractFactory(account=holder, staff_status="terminated", terminated_on=dt.date.today())
    draft = ContractFactory(account=holder, staff_status="draft")
    # then the staff decision decides the status
    assert terminated.status == ContractStatus.TERMINATED
    assert draft.status == ContractStatus.DRAFT
