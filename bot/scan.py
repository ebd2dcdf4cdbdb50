"""The scan stage: the holes of the changed files, by language."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.data import Hole, SourceFile
from bot.languages import language_of, python

DEFAULT_TAGS = ("TODO", "FIXME", "XXX")

_Scanner = Callable[[SourceFile, tuple[str, ...]], list[Hole]]
_SCANNERS: dict[str, _Scanner] = {python.LANGUAGE: python.find_holes}


def scan(files: Sequence[SourceFile], *, tags: tuple[str, ...] = DEFAULT_TAGS) -> list[Hole]:
    """Every hole of `files` whose marker sits on an added line, in path and line order."""
    holes: list[Hole] = []
    for file in sorted(files, key=lambda f: f.path):
        scanner = _SCANNERS.get(language_of(file.path) or "")
        if scanner is not None:
            holes += scanner(file, tags)
    return holes
