from django.conf import settings
from django.http import HttpRequest

from billing_center.core.navigation import navigation_items


def site(request: HttpRequest) -> dict[str, object]:
    """What every page's shell needs: the outbox link (dev), and the product navigation for a
    logged-in holder (empty for visitors)."""
    user = getattr(request, "user", None)
    logged_in = user is not None and user.is_authenticated
    return {
        "OUTBOX_ENABLED": settings.OUTBOX_ENABLED,
        "SITE_NAME": "Billing Center",
        "NAVIGATION": navigation_items(request.path) if logged_in else [],
    }
