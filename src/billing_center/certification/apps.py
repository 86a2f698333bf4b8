from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "billing_center.certification"
    label = "certification"
    default_auto_field = "django.db.models.BigAutoField"
