"""Load the demo data: an account ``demo`` and, with --contracts N (or any app's --<name> N), N of that
app's sample rows for it. Idempotent for the account."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import autodiscover_modules

from billing_center.accounts.services.demo import demo_account_ensure
from billing_center.core.demo import demo_load, demo_loaders


class Command(BaseCommand):
    help = (
        "Create the demo account 'demo' (password from DEMO_PASSWORD, else a random one that is printed) "
        "and its sample data. Running it again changes nothing unless an option asks for more."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Every app's demo.py registers its loader (contracts: --contracts N).
        autodiscover_modules("demo")
        for loader in demo_loaders():
            if loader.always:
                continue
            parser.add_argument(f"--{loader.name}", type=int, default=None, help=loader.help)

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(12)
        account, created = demo_account_ensure(password=password)
        if created:
            self.stdout.write(self.style.SUCCESS("Demo account created. Log in with any of:"))
            self.stdout.write(f"  username: demo   email: {account.email}   phone: {account.phone}")
            self.stdout.write(f"  password: {password}")
        else:
            self.stdout.write(
                f"Demo account already exists (username: demo, email: {account.email}, phone: {account.phone})."
            )
            self.stdout.write("  Forgot its password? Set a new one with: billing-center manage changepassword demo")
        for loader in demo_loaders():
            asked = options.get(loader.name)
            count = asked if asked is not None else (loader.first_run if created else 0)
            if loader.always or count:
                demo_load(loader.name, account=account, count=count, stdout=self.stdout)
