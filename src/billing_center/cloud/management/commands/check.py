"""Django's ``check``, followed by which marketplace vendors are configured (their endpoints exist)."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.check import Command as DjangoCheckCommand

from billing_center.cloud.checks import marketplace_vendors


class Command(DjangoCheckCommand):
    def handle(self, *app_labels: list[str], **options: Any) -> None:
        super().handle(*app_labels, **options)
        for message in marketplace_vendors(None):
            hint = f" {message.hint}" if message.hint else ""
            self.stdout.write(f"{message.msg}{hint}")
