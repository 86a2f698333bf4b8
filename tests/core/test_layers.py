"""The import layers of the house rules hold (pyproject's [tool.importlinter], also run by `make lint`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_are_kept():
    # given the checkout's contracts (layers, nothing imports billing_center.api, core imports no app)
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    # when import-linter checks the package
    result = subprocess.run([command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    # then every contract is kept
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout
