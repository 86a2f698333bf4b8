"""Huawei Cloud KooGallery: ``/marketplace/huawei/v2`` (JSON, signed) and ``/marketplace/huawei/v1`` (authToken)."""

from django.utils.translation import gettext_lazy as _

from billing_center.cloud.models import Vendor
from billing_center.cloud.vendors import MarketplaceVendor

VENDOR = MarketplaceVendor(
    key=Vendor.HUAWEI.value,
    label=_("Huawei Cloud"),
    required_settings=("HUAWEI_MARKETPLACE_ACCESS_KEY",),
    # Query Order (the buyer's account id of a V2 newInstance) needs the APIG AK/SK.
    optional_settings=("HUAWEI_APIG_ACCESS_KEY", "HUAWEI_APIG_SECRET_KEY"),
    urls="billing_center.cloud.vendors.huawei.views:urlpatterns",
    handler="billing_center.cloud.vendors.huawei.handlers:process",
)
