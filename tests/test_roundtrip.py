"""The quick round-trip benchmark meets its targets: holes cut from real code come back exact."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_round_trip_meets_its_targets() -> None:
    """`bench/roundtrip.py --quick --check`: every hole found, fills exact, none breaks a file."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "roundtrip.py"), "--quick", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
