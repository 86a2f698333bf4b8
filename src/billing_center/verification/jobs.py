"""Periodic jobs of verification, run by ``billing-center worker``."""

from billing_center.core.jobs import periodic_job
from billing_center.verification.delivery import deliveries_process_due

DELIVERIES = periodic_job("deliveries", run=deliveries_process_due, noun="due deliveries")
