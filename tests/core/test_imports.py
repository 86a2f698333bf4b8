"""Every module imports on its own right after ``django.setup()``: no import cycle hides behind import order."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys

import billing_center

# One interpreter sets Django up, then forks a child per module: each child imports exactly one module
# first, as a fresh process would (a fork shares only what django.setup() imported).
SCRIPT = """
import importlib, os, sys, traceback
import django
django.setup()
failed = []
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except BaseException:
            sys.stdout.write(name + ": " + traceback.format_exc().splitlines()[-1] + "\\n")
            sys.stdout.flush()
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        failed.append(name)
sys.exit(1 if failed else 0)
"""


def _modules() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.walk_packages(billing_center.__path__, prefix="billing_center.")
        if ".migrations" not in info.name
    )


def test_every_module_imports_first_after_django_setup():
    # Given every module of the package
    modules = _modules()
    # When each one is the first module a process imports after django.setup()
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *modules],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "billing_center.settings"},
        timeout=300,
        check=False,
    )
    # Then none raises
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert len(modules) > 50
