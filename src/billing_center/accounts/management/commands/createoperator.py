from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Create a back-office operator (a staff account in the Operators group). Prompts for the password "
        "unless --password-file (a file, or - for standard input)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--password-file", help="Read the password from this file (- reads standard input) instead of prompting."
        )
        parser.add_argument("--superuser", action="store_true", help="Grant every back-office permission.")

    def handle(self, *args: Any, **options: Any) -> None:
        from billing_center.accounts.services import operator_create
        from billing_center.accounts.services.operators import operator_group_join
        from billing_center.core.errors import ApplicationError

        if options["password_file"] == "-":
            password = sys.stdin.readline().strip()
        elif options["password_file"]:
            try:
                with open(options["password_file"], encoding="utf-8") as handle:
                    password = handle.read().strip()
            except OSError as exc:
                raise CommandError(f"Cannot read the password file: {exc.strerror}") from exc
        elif not sys.stdin.isatty():
            raise CommandError(
                "No terminal to ask for the password. Pass it in a file: --password-file FILE, "
                "or on standard input: echo \"$PASSWORD\" | billing-center createoperator ... --password-file -"
            )
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
        try:
            with transaction.atomic():  # an operator is never left outside the group
                account = operator_create(
                    username=options["username"],
                    email=options["email"],
                    password=password,
                    superuser=options["superuser"],
                )
                if not account.is_superuser:
                    operator_group_join(account=account)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        from django.conf import settings

        from billing_center.accounts.services.two_factor import two_factor_enrol_operator

        # The back office needs two-factor: the enrolment is printed once, here.
        enrolment = two_factor_enrol_operator(account=account)
        self.stdout.write(self.style.SUCCESS(f"Operator {account.username} created; log in at /{settings.BACKOFFICE_PATH}/"))
        self.stdout.write("Two-factor authentication (add it to an authenticator app now; shown only once):")
        self.stdout.write(f"  key: {enrolment.secret}")
        self.stdout.write(f"  URI: {enrolment.uri}")
        self.stdout.write("  Recovery codes (each works once): " + "  ".join(enrolment.recovery_codes))
