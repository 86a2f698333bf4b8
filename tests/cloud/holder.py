"""Helpers of the holder-side cloud tests: a logged-in client with or without a fresh re-authentication."""

from __future__ import annotations

import time

from django.test import Client

from billing_center.accounts.sessions import REAUTH_AT


def logged_in(account, *, reauthenticated: bool = True, ip: str = "203.0.113.7") -> Client:
    client = Client(REMOTE_ADDR=ip)
    client.force_login(account)
    # A login counts as an authentication; an old session has neither.
    session = client.session
    session[REAUTH_AT] = time.time() if reauthenticated else time.time() - 86400
    session.save()
    return client


def post_json(client: Client, path: str, body: dict):
    return client.post(path, body, content_type="application/json")
