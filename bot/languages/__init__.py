"""Which language a file is written in, from its name (the table in language_rows.py)."""

from __future__ import annotations

# Defaults the settings need without loading any scanner (`bot --version` stays fast).
DEFAULT_TAGS = ("TODO", "FIXME", "XXX")
STUB_KINDS = ("pass", "...", "NotImplementedError")  # the Python stub idioms `stub-kinds` picks


def language_of(path: str) -> str | None:
    """The language of `path`, or None when fim-bot does not scan it."""
    from bot.languages.table import language_for

    language = language_for(path)
    return language.name if language else None
