from django.apps import AppConfig


class CloudConfig(AppConfig):
    name = "billing_center.cloud"
    label = "cloud"
    default_auto_field = "django.db.models.BigAutoField"
