"""Helpers for tests that run real server/worker processes against one shared, migrated database.

Without ``DATABASE_URL`` in the environment: a SQLite file in a temporary data directory. With a
PostgreSQL ``DATABASE_URL`` (CI): a database ``bc_xproc_<random>`` created on that server, migrated, and
dropped afterwards. With ``REDIS_URL``: the processes use Redis under a key prefix of their own.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _postgres_admin(url: str, statement: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@contextmanager
def isolated_database_env(**overrides: str) -> Iterator[dict[str, str]]:
    """An environment for child processes: own data dir and outbox, a freshly migrated database."""
    data_dir = tempfile.mkdtemp(prefix="bc-xproc-")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_ALLOW"))}
    env.update(
        DJANGO_SETTINGS_MODULE="billing_center.settings",
        DEPLOYMENT="embedded",
        DATA_DIR=data_dir,
        OUTBOX_PATH=str(Path(data_dir) / "outbox.jsonl"),
        EMAIL_BACKEND="outbox",
        SMS_BACKEND="outbox",
        PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]),
        CACHE_KEY_PREFIX=f"bc-xproc-{uuid.uuid4().hex[:10]}",
    )
    env.update(overrides)
    shared_url = os.environ.get("DATABASE_URL", "")
    database_name = ""
    if shared_url.startswith(("postgres://", "postgresql://")):
        database_name = f"bc_xproc_{uuid.uuid4().hex[:10]}"
        _postgres_admin(shared_url, f'CREATE DATABASE "{database_name}"')
        env["DATABASE_URL"] = _with_database(shared_url, database_name)
    else:
        env["DATABASE_URL"] = f"sqlite:///{Path(data_dir) / 'xproc.sqlite3'}"
    try:
        subprocess.run(
            [sys.executable, "-m", "billing_center.cli", "migrate", "--noinput", "-v", "0"],
            env=env, check=True, capture_output=True, timeout=300,
        )
        yield env
    finally:
        if database_name:
            _postgres_admin(shared_url, f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)')
        if env.get("REDIS_URL"):
            _redis_forget(env["REDIS_URL"], env["CACHE_KEY_PREFIX"])
        shutil.rmtree(data_dir, ignore_errors=True)


def _redis_forget(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    names = list(client.scan_iter(match=f"{prefix}:*", count=500))
    if names:
        client.delete(*names)


@contextmanager
def server_process(env: dict[str, str], port: int) -> Iterator[str]:
    """One granian WSGI server (one worker) on 127.0.0.1:``port``; yields its base URL."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
                "--port", str(port), "--workers", "1", "--no-ws", "billing_center.wsgi:application",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(base_url, process, log)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _wait_healthy(base_url: str, process: subprocess.Popen[bytes], log: object) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)  # type: ignore[attr-defined]
            raise AssertionError(f"Server exited early: {log.read()[-3000:]!r}")  # type: ignore[attr-defined]
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{base_url} did not become healthy")
