from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class AuditConfig(AppConfig):
    name = "billing_center.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every app's events.py declares its audit vocabulary; load them all so any stored name resolves.
        autodiscover_modules("events")
