"""Audit events of cloud accounts and the marketplace inbox."""

from django.utils.translation import gettext_lazy as _

from billing_center.audit.events import event_type

CLOUD_ACCOUNT_RECORDED = event_type("cloud_account.recorded", _("Cloud account recorded"))
CLOUD_ACCOUNT_TRANSITIONED = event_type("cloud_account.transitioned", _("Cloud account state changed"))
CLOUD_ACCOUNT_UPDATED = event_type("cloud_account.updated", _("Cloud account details changed"))
CLOUD_EVENT_IGNORED = event_type("cloud_account.event_ignored", _("Marketplace event ignored"))
INBOX_FAILED = event_type("cloud_inbox.failed", _("Marketplace call failed to process"))
INBOX_RETRIED = event_type("cloud_inbox.retried", _("Marketplace call re-run"))
AWS_REGISTRATION_RESOLVED = event_type("cloud_account.aws_registered", _("AWS Marketplace registration resolved"))
AWS_REGISTRATION_USED = event_type("cloud_account.aws_registration_used", _("AWS Marketplace registration used"))
CLOUD_ACCOUNT_LINKED = event_type("cloud_account.linked", _("Cloud account linked"), holder_visible=True)
CLOUD_ACCOUNT_LINK_REFUSED = event_type("cloud_account.link_refused", _("Cloud account link refused"))
