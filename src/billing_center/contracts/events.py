"""Audit events of contracts (operator and system actions; shown in the back office)."""

from django.utils.translation import gettext_lazy as _

from billing_center.audit.events import event_type

CONTRACT_CREATED = event_type("contract.created", _("Contract created"))
CONTRACT_UPDATED = event_type("contract.updated", _("Contract updated"))
CONTRACT_TERMINATED = event_type("contract.terminated", _("Contract terminated"))
ATTACHMENT_ADDED = event_type("contract.attachment_added", _("Contract attachment added"))
ATTACHMENT_REMOVED = event_type("contract.attachment_removed", _("Contract attachment removed"))
ATTACHMENT_DOWNLOADED = event_type("contract.attachment_downloaded", _("Contract attachment downloaded"))
CONTRACTS_EXPORTED = event_type("contract.exported", _("Contracts exported"))
DEMO_LOADED = event_type("contract.demo_loaded", _("Demo contracts loaded"))
