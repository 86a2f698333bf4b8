"""Helpers for tests that need an account with two-factor on (or an operator who passed it)."""

from __future__ import annotations

import time

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from billing_center.accounts.services.two_factor import two_factor_enrol_operator

SECOND_FACTOR_AT = "_bc_2fa_at"


def enrol(account) -> list[str]:
    """Turn two-factor on for ``account``; returns its recovery codes."""
    return two_factor_enrol_operator(account=account).recovery_codes


def totp_now(account, *, at: float | None = None) -> str:
    device = TOTPDevice.objects.get(user=account, confirmed=True)
    return totp_for(device, at=at)


def totp_for(device: TOTPDevice, *, at: float | None = None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"


def verified_client(account) -> Client:
    """A client logged in as ``account`` whose session passed the second factor (enrols if needed)."""
    if not TOTPDevice.objects.filter(user=account, confirmed=True).exists():
        enrol(account)
    client = Client()
    client.force_login(account)
    session = client.session
    session[SECOND_FACTOR_AT] = time.time()
    session.save()
    return client


def pass_second_factor(client: Client, account) -> Client:
    """Give ``client`` (already logged in as ``account``) a session that passed the second factor, as
    the back office requires; enrols ``account`` first when needed."""
    if not TOTPDevice.objects.filter(user=account, confirmed=True).exists():
        enrol(account)
    session = client.session
    session[SECOND_FACTOR_AT] = time.time()
    session.save()
    return client
