from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "billing_center.certification"
    label = "certification"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from billing_center.certification.selectors import certification_state_label
        from billing_center.core.overview import OverviewStat, overview_stat_register

        overview_stat_register(
            OverviewStat(
                "certification-state",
                _("Enterprise certification"),
                "certification:page",
                certification_state_label,
                order=40,
                text=True,
            )
        )
