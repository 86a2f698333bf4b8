"""``billing-center check``: which marketplace vendors are configured (their endpoints exist)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Info, Warning

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
