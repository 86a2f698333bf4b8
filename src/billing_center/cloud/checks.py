"""``billing-center check``: which marketplace vendors are configured (their endpoints exist)."""

from __future__ import annotations

from typing import Any

from django.core.checks import WARNING, CheckMessage, Info, Warning

from billing_center.cloud.vendors import vendors


def marketplace_vendors(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for key, vendor in vendors().items():
        if not vendor.configured():
            messages.append(
                Info(
                    f"Marketplace {key}: not configured, its endpoints answer 404.",
                    hint="Set " + ", ".join(vendor.missing_settings()) + " to enable it.",
                    id=f"billing_center.cloud.I_{key}_off",
                )
            )
            continue
        missing = vendor.missing_optional_settings()
        if missing:
            messages.append(
                Warning(
                    f"Marketplace {key}: configured, but {', '.join(missing)} missing.",
                    hint="Part of the vendor's protocol cannot run without them (see docs/marketplaces.md).",
                    id=f"billing_center.cloud.W_{key}_partial",
                )
            )
        else:
            messages.append(Info(f"Marketplace {key}: configured.", id=f"billing_center.cloud.I_{key}_on"))
    return messages


def marketplace_problems(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """The system check run by every command: only what is wrong (a vendor half configured). Which vendors
    are on is told by ``billing-center check`` itself, not printed before every command."""
    return [message for message in marketplace_vendors(app_configs) if message.level >= WARNING]
