"""Load the demo data: an account ``demo`` with a few dozen contracts (some with PDFs) when it is first
created, and with --contracts N, N more. Idempotent."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

# Contracts a new demo account starts with, so no console page is empty on the first run.
FIRST_RUN_CONTRACTS = 36


class Command(BaseCommand):
    help = (
        "Create the demo account 'demo' (password from DEMO_PASSWORD, else a random one that is printed) "
        "and its sample data. Running it again changes nothing unless --contracts asks for more."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--contracts",
            type=int,
            default=None,
            help=f"Create N contracts for the demo account (batched; {FIRST_RUN_CONTRACTS} when it is created).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from billing_center.accounts.models import Account

        account = Account.objects.filter(username__lower_exact="demo").first()
        contracts = options["contracts"]
        if account is None:
            password = os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(12)
            account = Account.objects.create_user(
                "demo",
                "demo@example.com",
                password,
                phone="+8613800138000",
                enterprise_name="Demo Enterprise Ltd.",
                industry="internet",
                region="cn-east",
                contact_name="Demo Contact",
            )
            self.stdout.write(self.style.SUCCESS("Demo account created. Log in with any of:"))
            self.stdout.write(f"  username: demo   email: {account.email}   phone: {account.phone}")
            self.stdout.write(f"  password: {password}")
            if contracts is None:
                contracts = FIRST_RUN_CONTRACTS
        else:
            self.stdout.write(
                f"Demo account already exists (username: demo, email: {account.email}, phone: {account.phone})."
            )
            self.stdout.write("  Forgot its password? Set a new one with: billing-center manage changepassword demo")
        if contracts:
            from billing_center.contracts.demo import demo_contracts_load

            demo_contracts_load(account=account, count=contracts, stdout=self.stdout)
