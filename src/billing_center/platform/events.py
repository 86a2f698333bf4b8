"""Audit events of the platform API: one row for every authenticated call of the SaaS console."""

from django.utils.translation import gettext_lazy as _

from billing_center.audit.events import event_type

PLATFORM_CALL = event_type("platform.call", _("Platform API call"))
