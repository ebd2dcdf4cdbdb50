"""Which language a file is written in, from its name."""

from __future__ import annotations

from pathlib import PurePosixPath

# Extension -> language, for the languages fim-bot scans. A data table, not code.
_EXTENSIONS: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".pyw": "python",
}


def language_of(path: str) -> str | None:
    """The language of `path`, or None when fim-bot does not scan it."""
    return _EXTENSIONS.get(PurePosixPath(path).suffix.lower())
