"""Alibaba Cloud Marketplace (SPI mode): ``/marketplace/aliyun/spi``, MD5 token with ``ALIYUN_MARKETPLACE_KEY``."""

from django.utils.translation import gettext_lazy as _

from billing_center.cloud.models import Vendor
from billing_center.cloud.vendors import MarketplaceVendor

VENDOR = MarketplaceVendor(
    key=Vendor.ALIYUN.value,
    label=_("Alibaba Cloud"),
    required_settings=("ALIYUN_MARKETPLACE_KEY",),
    urls="billing_center.cloud.vendors.aliyun.views:urlpatterns",
    handler="billing_center.cloud.vendors.aliyun.handlers:process",
)
