import subprocess
import sys

import pytest

from billing_center.cli import COMMANDS


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "billing_center.cli", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_top_level_help_lists_every_command():
    result = _cli("--help")
    assert result.returncode == 0
    for name in ("serve", "migrate", "createoperator", "demo", "check", "worker"):
        assert name in result.stdout


@pytest.mark.parametrize("command", sorted(set(COMMANDS) - {"manage"}))
def test_each_command_has_help(command):
    result = _cli(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


def test_unknown_command_fails_with_usage():
    result = _cli("nope")
    assert result.returncode == 2
    assert "unknown command" in result.stderr
