"""Reports written into a GitHub Actions log, where they must stay text.

The runner acts on a line of stdout or stderr that starts with `::` (after any spaces) and on
`##[` anywhere in a line. A report quotes the repository and the model, so inside a job it sits
between `::stop-commands::TOKEN` and `::TOKEN::`: the runner obeys nothing in between, and
nothing in between can end the pause, as no one can guess the token.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TextIO


@contextmanager
def commands_stopped(out: TextIO, *, active: bool = True) -> Iterator[None]:
    """What is written to `out` inside is text to the runner (when `active`)."""
    if not active:
        yield
        return
    token = secrets.token_hex(16)
    out.write(f"::stop-commands::{token}\n")
    try:
        yield
    finally:
        out.write(f"::{token}::\n")
        out.flush()


def read_by_runner(out: TextIO, env: Mapping[str, str]) -> bool:
    """Whether `out` goes to a GitHub Actions log: in a job, and not redirected to a file (a
    report saved for another step stays as it is)."""
    if env.get("GITHUB_ACTIONS") != "true":
        return False
    try:
        return not stat.S_ISREG(os.fstat(out.fileno()).st_mode)
    except (OSError, ValueError):  # no file descriptor behind it
        return True
