from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CloudConfig(AppConfig):
    name = "billing_center.cloud"
    label = "cloud"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.checks import register

        from billing_center.cloud.checks import marketplace_problems
        from billing_center.cloud.selectors import cloud_account_count_for_holder
        from billing_center.core.overview import OverviewStat, overview_stat_register

        register(marketplace_problems, "marketplaces")
        overview_stat_register(
            OverviewStat("cloud-accounts", _("Cloud Accounts"), "cloud:accounts", cloud_account_count_for_holder, order=20)
        )
