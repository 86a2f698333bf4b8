from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "billing_center.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from billing_center.core import checks, lookups  # noqa: F401  (registers checks and lookups)
