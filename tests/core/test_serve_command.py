"""``serve``: granian's access log is off unless ACCESS_LOG or ``--access-log`` turns it on."""

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


@pytest.fixture
def started(monkeypatch) -> list[list[str]]:
    commands: list[list[str]] = []

    def popen(args: list[str], **kwargs: Any) -> _FakeProcess:
        commands.append(args)
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
