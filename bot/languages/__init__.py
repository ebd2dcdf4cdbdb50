"""Which language a file is written in, from its name."""

from __future__ import annotations

from pathlib import PurePosixPath

# Defaults the settings need without loading any scanner (`bot --version` stays fast).
DEFAULT_TAGS = ("TODO", "FIXME", "XXX")
STUB_KINDS = ("pass", "...", "NotImplementedError")  # the stub idioms the scanners know

# Extension -> language, for the languages fim-bot scans. A data table, not code.
_EXTENSIONS: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".pyw": "python",
}


def language_of(path: str) -> str | None:
    """The language of `path`, or None when fim-bot does not scan it."""
    return _EXTENSIONS.get(PurePosixPath(path).suffix.lower())
