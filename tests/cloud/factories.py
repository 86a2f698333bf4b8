from __future__ import annotations

from datetime import UTC, datetime

import factory

from billing_center.cloud.models import CloudAccount, CloudAccountState, Vendor

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


class CloudAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CloudAccount

    vendor = Vendor.ALIYUN
    vendor_account_id = factory.Sequence(lambda n: f"12345{n:05d}")
    instance_id = factory.Sequence(lambda n: f"inst-{n:05d}")
    product = "cmgj00012345"
    state = CloudAccountState.ACTIVE
    transitions = factory.LazyAttribute(lambda o: {o.state: T0.isoformat()})
    last_event_at = T0
