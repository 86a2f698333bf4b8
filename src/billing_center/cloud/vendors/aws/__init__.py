"""AWS Marketplace: the registration landing flow, SNS and relayed EventBridge lifecycle events.

- ``views``: ``/marketplace/aws/register`` (the buyer's browser POST), ``landing/<registration>``,
  ``sns`` and ``events``; each answers 404 while its own setting is empty.
- ``sns`` / ``eventbridge``: authentication of the two lifecycle channels.
- ``metering``: ``ResolveCustomer`` and ``GetEntitlements`` through boto3.
- ``services``: the registration (cloud account + landing id) and the inbox handler of lifecycle events;
  ``selectors``: the landing id lookup and the accounts an event names.
"""

from django.utils.translation import gettext_lazy as _

from billing_center.cloud.vendors import MarketplaceVendor

VENDOR = MarketplaceVendor(
    key="aws",
    label=_("AWS Marketplace"),
    required_settings=("AWS_MARKETPLACE_PRODUCT_CODE",),
    urls="billing_center.cloud.vendors.aws.views:urlpatterns",
    handler="billing_center.cloud.vendors.aws.services:inbox_handle",
    # SNS (legacy listings) and the EventBridge relay each need their own setting; usually one is used.
    optional_settings=("AWS_SNS_TOPIC_ARNS", "AWS_EVENTS_RELAY_SECRET"),
)
