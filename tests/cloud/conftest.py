from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

from billing_center.cloud.models import CloudAccount, InboxEvent
from billing_center.cloud.vendors.aliyun.protocol import aliyun_token

ALIYUN_KEY = "isvkey"
HUAWEI_KEY = "testkey"


@pytest.fixture
def aliyun_on(settings):
    settings.ALIYUN_MARKETPLACE_KEY = ALIYUN_KEY
    return settings


def nothing_stored() -> bool:
    return not InboxEvent.objects.exists() and not CloudAccount.objects.exists()


class AliyunMarketplace:
    """Plays the marketplace: signs the parameters and calls the SPI endpoint."""

    def __init__(self, client: Client, key: str = ALIYUN_KEY) -> None:
        self.client = client
        self.key = key

    def signed(self, **params: str) -> dict[str, str]:
        return {**params, "token": aliyun_token(params, self.key)}

    def get(self, **params: str):
        return self.client.get("/marketplace/aliyun/spi?" + urlencode(self.signed(**params)))

    def post(self, **params: str):
        return self.client.post("/marketplace/aliyun/spi", self.signed(**params))

    def raw(self, query: str):
        return self.client.get("/marketplace/aliyun/spi?" + query)


@pytest.fixture
def aliyun(aliyun_on, db, client) -> AliyunMarketplace:
    return AliyunMarketplace(client)


def create_params(**overrides: str) -> dict[str, str]:
    return {
        "action": "createInstance",
        "aliUid": "1234567890",
        "orderBizId": "2001",
        "orderId": "3001",
        "productCode": "cmgj00012345",
        "skuId": "yuncode1234500001",
        "trial": "false",
        "expiredOn": "2027-01-01 00:00:00",
        **overrides,
    }
