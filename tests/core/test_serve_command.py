"""``serve``: granian's access log is off unless ACCESS_LOG or ``--access-log`` turns it on; the workers
get glibc's memory settings."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from billing_center.core.management.commands import serve


class _FakeProcess:
    def __init__(self, args: list[str], **kwargs: Any) -> None:
        self.args = args

    def wait(self, timeout: float | None = None) -> int:
        return 0

    def poll(self) -> int:
        return 0

    def terminate(self) -> None:
        pass


class _Started(list[list[str]]):
    """The command lines started, in order; ``environments`` holds each one's ``env``."""

    def __init__(self) -> None:
        super().__init__()
        self.environments: list[dict[str, str] | None] = []


@pytest.fixture
def started(monkeypatch) -> _Started:
    commands = _Started()

    def popen(args: list[str], **kwargs: Any) -> _FakeProcess:
        commands.append(args)
        commands.environments.append(kwargs.get("env"))
        return _FakeProcess(args, **kwargs)

    monkeypatch.setattr(serve.subprocess, "Popen", popen)
    monkeypatch.setattr(serve.signal, "signal", lambda *args: None)
    monkeypatch.setattr("django.core.management.call_command", lambda *args, **kwargs: None)
    return commands


def _granian(commands: list[list[str]]) -> list[str]:
    return next(command for command in commands if "granian" in command)


@pytest.mark.parametrize(
    ("setting", "flags", "expected"),
    [
        (False, [], "--no-access-log"),
        (True, [], "--access-log"),
        (False, ["--access-log"], "--access-log"),
        (True, ["--no-access-log"], "--no-access-log"),
    ],
)
def test_the_access_log_follows_the_setting_unless_a_flag_says_otherwise(started, settings, setting, flags, expected):
    settings.ACCESS_LOG = setting
    with pytest.raises(SystemExit):
        call_command("serve", "--no-worker", *flags)
    granian = _granian(started)
    assert expected in granian
    assert ({"--access-log", "--no-access-log"} - {expected}).isdisjoint(granian)


def test_the_server_gets_glibc_settings_that_return_argon2_memory(started, monkeypatch):
    # given no malloc settings in the environment
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    # when serve starts granian
    with pytest.raises(SystemExit):
        call_command("serve", "--no-worker")
    # then the server process gets two arenas and a fixed 128 KiB mmap threshold
    env = started.environments[started.index(_granian(started))]
    assert env is not None
    assert env["MALLOC_ARENA_MAX"] == "2" and env["MALLOC_MMAP_THRESHOLD_"] == "131072"


def test_malloc_settings_from_the_environment_win(started, monkeypatch):
    # given an operator's own values
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "1048576")
    # when serve starts granian, then they pass through unchanged
    with pytest.raises(SystemExit):
        call_command("serve", "--no-worker")
    env = started.environments[started.index(_granian(started))]
    assert env is not None
    assert env["MALLOC_ARENA_MAX"] == "4" and env["MALLOC_MMAP_THRESHOLD_"] == "1048576"
