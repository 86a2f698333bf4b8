"""Audit events of one-time codes and deliveries."""

from django.utils.translation import gettext_lazy as _

from billing_center.audit.events import event_type

CODE_SENT = event_type("code.sent", _("Verification code sent"), holder_visible=True)
CODE_SEND_REFUSED = event_type("code.send_refused", _("Verification code refused"), holder_visible=True)
CODE_VERIFIED = event_type("code.verified", _("Verification code accepted"), holder_visible=True)
CODE_CHECK_FAILED = event_type("code.check_failed", _("Wrong verification code"), holder_visible=True)
CODE_LOCKED = event_type("code.locked", _("Verification codes locked"), holder_visible=True)
NOTICE_QUEUED = event_type("notice.queued", _("Notice queued"))
DELIVERY_FAILED = event_type("delivery.failed", _("Delivery failed"))
