"""The demo account of ``billing-center demo``: created once, through the same audit as a sign-up."""

from __future__ import annotations

from django.db import transaction

from billing_center.accounts import events
from billing_center.accounts.models import Account
from billing_center.audit.services import audit_record
from billing_center.core.masking import mask_email, mask_phone

DEMO_USERNAME = "demo"


@transaction.atomic
def demo_account_ensure(*, password: str) -> tuple[Account, bool]:
    """The demo account and whether it was created now (``password`` is used only then)."""
    account = Account.objects.filter(username__lower_exact=DEMO_USERNAME).first()
    if account is not None:
        return account, False
    account = Account.objects.create_user(
        DEMO_USERNAME,
        "demo@example.com",
        password,
        phone="+8613800138000",
        enterprise_name="Demo Enterprise Ltd.",
        industry="internet",
        region="cn-east",
        contact_name="Demo Contact",
    )
    audit_record(
        event=events.SIGNUP,
        actor_label="cli",
        account=account,
        new={"username": account.username, "email": mask_email(account.email), "phone": mask_phone(account.phone or "")},
        detail={"source": "demo"},
    )
    return account, True
