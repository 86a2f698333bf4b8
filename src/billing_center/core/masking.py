"""Masked renderings of addresses for UI, notices and the audit log."""

from __future__ import annotations


def mask_email(email: str) -> str:
    if not email or "@" not in email:
        return ""
    local, _, domain = email.rpartition("@")
    visible = local[:2] if len(local) > 3 else local[:1]
    return f"{visible}{'*' * max(3, len(local) - len(visible))}@{domain}"


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    if len(phone) <= 7:
        return phone[:2] + "*" * (len(phone) - 2)
    return f"{phone[:-8]}****{phone[-4:]}" if len(phone) > 8 else f"{phone[:3]}****{phone[-1:]}"


def mask_target(target: str) -> str:
    return mask_email(target) if "@" in target else mask_phone(target)
