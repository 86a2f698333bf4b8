"""Test-wide set-up: an isolated data directory and outbox per worker, factories, helpers."""

from __future__ import annotations

import os
import tempfile
import uuid

# pytest-django has already read the settings when this file is imported, so these variables reach
# the processes the tests start (servers, the CLI); the fixtures below give the test process itself a
# fresh outbox, media directory and Redis key prefix per test and per worker.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
_DATA_DIR = tempfile.mkdtemp(prefix=f"bc-test-{_WORKER}-")
os.environ["DATA_DIR"] = _DATA_DIR
os.environ["OUTBOX_PATH"] = os.path.join(_DATA_DIR, "outbox.jsonl")
os.environ["CACHE_KEY_PREFIX"] = f"bc-test-{_WORKER}-{uuid.uuid4().hex[:8]}"
os.environ.setdefault("EMAIL_BACKEND", "outbox")
os.environ.setdefault("SMS_BACKEND", "outbox")

import pytest  # noqa: E402

pytest_plugins = ["tests.fixtures"]


@pytest.fixture(autouse=True)
def _isolated_state(settings, tmp_path):
    """A fresh outbox and media directory for every test."""
    settings.OUTBOX_PATH = tmp_path / "outbox.jsonl"
    # pytest-django forces the locmem email backend; the configured one is the outbox (tests.outbox reads it).
    settings.EMAIL_BACKEND = settings.EMAIL_BACKEND.replace(
        "django.core.mail.backends.locmem.EmailBackend", "billing_center.verification.channels.email.OutboxEmailBackend"
    )
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    yield


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    """Redis counters outlive a test (database ones roll back with it): start every test from zero."""
    from billing_center.core.ratelimit import limits_clear_all_for_tests

    if settings.RATE_LIMIT_STORE == "redis":
        # pytest-django imports the settings before this file sets CACHE_KEY_PREFIX, so xdist workers
        # would inherit the controller's prefix and share (and wipe) each other's Redis keys.
        default_cache = {**settings.CACHES["default"], "KEY_PREFIX": os.environ["CACHE_KEY_PREFIX"]}
        settings.CACHES = {**settings.CACHES, "default": default_cache}
        limits_clear_all_for_tests()
    yield
    if settings.RATE_LIMIT_STORE == "redis":
        limits_clear_all_for_tests()


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    """MD5 instead of Argon2id (about 50 ms a hash) except in tests marked ``argon2``, which check hashing.
    Argon2 stays listed so a hash made by it still verifies."""
    if request.node.get_closest_marker("argon2") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]
    yield


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A console request activates the account's or browser's language in this thread and nothing turns
    it back; without this, a test after a zh-Hans page would run in Chinese."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
