"""Load the demo data: an account ``demo`` (and, with --contracts N, N contracts for it). Idempotent."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Create the demo account 'demo' (password from DEMO_PASSWORD, else a random one that is printed) "
        "and its sample data. Running it again changes nothing unless --contracts asks for more."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--contracts", type=int, default=0, help="Also create N contracts for the demo account (batched)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from billing_center.accounts.models import Account

        account = Account.objects.filter(username__lower_exact="demo").first()
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
            self.stdout.write(self.style.SUCCESS("Demo account created."))
            self.stdout.write(f"  username: demo   password: {password}")
        else:
            self.stdout.write("Demo account already exists (username: demo).")
            if os.environ.get("DEMO_PASSWORD"):
                self.stdout.write("  its password is the one set when it was created.")
        __import__("billing_center.workspaces.demo", fromlist=["_"]).demo_workspaces_load(account=account, stdout=self.stdout)
        if options["contracts"]:
            from billing_center.contracts.demo import demo_contracts_load

            demo_contracts_load(account=account, count=options["contracts"], stdout=self.stdout)
