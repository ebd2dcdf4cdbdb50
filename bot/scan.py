"""The scan stage: the holes of the changed files, by language."""

from __future__ import annotations

from collections.abc import Sequence

from bot.data import Hole, SourceFile
from bot.languages import DEFAULT_TAGS, STUB_KINDS, code, python
from bot.languages.python_overrides import Overrides
from bot.languages.table import language_for
from bot.repo import RepoView

__all__ = ["DEFAULT_TAGS", "STUB_KINDS", "Scanner", "might_hold_holes", "scan"]


class Scanner:
    """Finds holes file by file; rules that look at other files share what they read."""

    def __init__(
        self,
        *,
        tags: tuple[str, ...] = DEFAULT_TAGS,
        stub_kinds: tuple[str, ...] = STUB_KINDS,
        repo: RepoView | None = None,
    ):
        self._tags = tags
        self._stub_kinds = stub_kinds
        self._overrides = Overrides(repo)

    def holes(self, file: SourceFile) -> list[Hole]:
        """The holes of `file` whose marker sits on an added line, in line order."""
        language = language_for(file.path)
        if language is None:
            return []
        if language.name == python.LANGUAGE:
            return python.find_holes(file, self._tags, self._overrides, self._stub_kinds)
        return code.find_holes(file, language, self._tags)


def scan(
    files: Sequence[SourceFile],
    *,
    tags: tuple[str, ...] = DEFAULT_TAGS,
    repo: RepoView | None = None,
) -> list[Hole]:
    """Every hole of `files` whose marker sits on an added line, in path and line order.

    `repo`, when the scanned revision is on disk, lets rules look at other files (a subclass
    elsewhere that overrides a stub method makes it a hook, not a hole).
    """
    scanner = Scanner(tags=tags, repo=repo)
    return [hole for file in sorted(files, key=lambda f: f.path) for hole in scanner.holes(file)]


def might_hold_holes(path: str, added: list[str], tags: tuple[str, ...]) -> bool:
    """Whether any added line could hold a marker: a cheap test before reading a whole file."""
    language = language_for(path)
    if language is None:
        return False
    if language.name == python.LANGUAGE:
        return python.has_candidate(added, tags)
    return code.has_candidate(added, language, tags)
