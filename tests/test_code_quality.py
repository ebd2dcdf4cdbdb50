"""The project's own code stays lint-clean, formatted, and strictly typed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["ruff", "check", "--no-cache", "."], id="ruff-check"),
        pytest.param(["ruff", "format", "--check", "--no-cache", "."], id="ruff-format"),
        pytest.param(["mypy", "--no-incremental", "--cache-dir", "/dev/null"], id="mypy-strict"),
    ],
)
def test_tool_is_clean(command: list[str]) -> None:
    """ruff and mypy (strict on bot/, as pyproject.toml configures them) report nothing."""
    proc = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
