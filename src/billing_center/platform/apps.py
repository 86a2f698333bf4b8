from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "billing_center.platform"
    label = "platform"
    default_auto_field = "django.db.models.BigAutoField"
