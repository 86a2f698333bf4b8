"""Fuzz the platform API with the console's token (the suite-wide fuzz runs without it, so there every
platform path is a 404): no input may cause a 5xx (SPEC §11)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from billing_center.workspaces.models import Workspace
from tests.api.test_schemathesis import _test_transaction_kept_open, schema
from tests.platform.conftest import TOKEN

FUZZ = hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)


@schema.include(path_regex="^/api/v1/platform/").parametrize()
@FUZZ
@pytest.mark.django_db
def test_console_requests_cause_no_server_error(case, settings):
    # given the platform API switched on and a registered workspace to aim at
    settings.PLATFORM_API_TOKEN = TOKEN
    Workspace.objects.get_or_create(id="ws-1", defaults={"name": "Fuzzed", "site": "cn1"})
    # when any request the schema allows (and many it does not) is sent with the token
    with _test_transaction_kept_open():
        response = case.call(headers={"Authorization": f"Bearer {TOKEN}"})
    # then the server answers without a 5xx
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:500]}"

