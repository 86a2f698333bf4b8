"""Audit events of enterprise certification."""

from django.utils.translation import gettext_lazy as _

from billing_center.audit.events import event_type

CERTIFICATION_SUBMITTED = event_type(
    "certification.submitted", _("Enterprise certification submitted"), holder_visible=True
)
CERTIFICATION_APPROVED = event_type(
    "certification.approved", _("Enterprise certification verified"), holder_visible=True
)
CERTIFICATION_REJECTED = event_type(
    "certification.rejected", _("Enterprise certification rejected"), holder_visible=True
)
CERTIFICATION_LICENCE_VIEWED = event_type(
    "certification.licence_viewed", _("Licence file viewed by an operator")
)
