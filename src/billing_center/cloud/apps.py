from django.apps import AppConfig


class CloudConfig(AppConfig):
    name = "billing_center.cloud"
    label = "cloud"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.checks import register

        from billing_center.cloud.checks import marketplace_problems

        register(marketplace_problems, "marketplaces")
