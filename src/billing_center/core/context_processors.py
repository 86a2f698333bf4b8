from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {"OUTBOX_ENABLED": settings.OUTBOX_ENABLED, "SITE_NAME": "Billing Center"}
