from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspacesConfig(AppConfig):
    name = "billing_center.workspaces"
    label = "workspaces"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from billing_center.core.overview import OverviewStat, overview_stat_register
        from billing_center.workspaces.selectors import workspace_count_for_holder

        overview_stat_register(
            OverviewStat("workspaces", _("Workspaces"), "workspaces:list", workspace_count_for_holder, order=10)
        )
