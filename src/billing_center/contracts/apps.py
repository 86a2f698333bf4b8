from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "billing_center.contracts"
    label = "contracts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from billing_center.contracts.selectors import active_contract_count_for_holder
        from billing_center.core.overview import OverviewStat, overview_stat_register

        overview_stat_register(
            OverviewStat("active-contracts", _("Active contracts"), "contracts:list", active_contract_count_for_holder, order=30)
        )
