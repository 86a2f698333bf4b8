from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "billing_center.verification"
    label = "verification"
    default_auto_field = "django.db.models.BigAutoField"
