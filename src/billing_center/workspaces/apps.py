from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "billing_center.workspaces"
    label = "workspaces"
    default_auto_field = "django.db.models.BigAutoField"
