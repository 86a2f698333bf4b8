"""The local outbox: a JSON-lines file where the outbox backends put every email and SMS.

It is a file, not a table, because messages hold raw codes and codes never go into the database.
Appends take an exclusive ``fcntl`` lock on a side file, so the server's processes never interleave
lines, and the file is trimmed to the newest ``OUTBOX_KEEP`` messages.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone


def outbox_path() -> Path:
    return Path(settings.OUTBOX_PATH)


@contextmanager
def _locked(path: Path, *, exclusive: bool) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def outbox_append(*, channel: str, to: str, subject: str, body: str) -> None:
    path = outbox_path()
    record = {
        "channel": channel,
        "to": to,
        "subject": subject,
        "body": body,
        "created_at": timezone.now().isoformat(),
    }
    line = json.dumps(record, ensure_ascii=False) + "\n"
    with _locked(path, exclusive=True):
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line)
        _trim(path, keep=settings.OUTBOX_KEEP)


def _trim(path: Path, *, keep: int) -> None:
    with open(path, encoding="utf-8") as handle:
        lines = handle.readlines()
    if len(lines) <= keep:
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.writelines(lines[-keep:])
    os.replace(temporary, path)


def outbox_read() -> list[dict[str, Any]]:
    """Every message in the outbox, newest first."""
    path = outbox_path()
    if not path.exists():
        return []
    with _locked(path, exclusive=False), open(path, encoding="utf-8") as handle:
        lines = handle.readlines()
    messages = []
    for line in reversed(lines):
        try:
            messages.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return messages
