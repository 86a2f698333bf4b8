from ninja import Router

from billing_center.api import HolderSession

router = Router(tags=["contracts"], auth=HolderSession())
