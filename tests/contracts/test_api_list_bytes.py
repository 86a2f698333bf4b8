"""The contract list answer (written without ninja's output validation) is the schema's dump, byte for byte."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from ninja.renderers import JSONRenderer

from billing_center.contracts.api import ContractOut, ContractPageOut
from billing_center.contracts.selectors import ContractFilters, contract_page_for_holder
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


def test_the_list_answer_is_the_schemas_validated_dump(holder_client, holder):
    # given contracts of every status, exact and round amounts, a title to escape
    today = timezone.localdate()
    ContractFactory(account=holder, amount="1234567890123.45", title='Zoë "quoted" <b> & co')
    ContractFactory(account=holder, amount="10", signed_on=today - dt.timedelta(days=900),
                    starts_on=today - dt.timedelta(days=900), ends_on=today - dt.timedelta(days=10))
    ContractFactory(account=holder, starts_on=today + dt.timedelta(days=5), ends_on=today + dt.timedelta(days=400))
    for _ in range(25):
        ContractFactory(account=holder)
    for params in ({}, {"limit": 3}, {"status": "expired"}):
        # when listed
        response = holder_client.get("/api/v1/contracts", params)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json; charset=utf-8"
        # then the bytes are those of the same page validated against ContractPageOut
        page = contract_page_for_holder(
            account=holder, filters=ContractFilters.build(**{k: v for k, v in params.items() if k != "limit"}),
            cursor=None, limit=params.get("limit"),
        )
        validated = ContractPageOut.model_validate(
            {"items": [ContractOut.of(row) for row in page.items], "next_cursor": page.next_cursor}
        ).model_dump()
        expected = json.dumps(validated, cls=JSONRenderer.encoder_class).encode()
        body, want = json.loads(response.content), json.loads(expected)
        # the cursor is signed with the same key and values: identical
        assert response.content == expected, (body, want)
