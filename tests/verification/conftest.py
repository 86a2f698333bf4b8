from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
import time_machine

from billing_center.audit.services import RequestMeta

START = datetime.fromisoformat("2025-03-03T09:00:00+00:00")


@pytest.fixture
def meta() -> RequestMeta:
    return RequestMeta(ip="198.51.100.7", user_agent="pytest", request_id="req-verification")


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    """Frozen time that tests move forward with ``clock.shift(seconds)``."""
    with time_machine.travel(START, tick=False) as coordinates:
        yield coordinates
