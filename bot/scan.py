"""The scan stage: the holes of the changed files, by language."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator, Sequence

from bot.data import Hole, SourceFile
from bot.languages import DEFAULT_TAGS, STUB_KINDS, python
from bot.languages.python_overrides import Overrides
from bot.languages.table import language_for
from bot.repo import RepoView

__all__ = ["DEFAULT_TAGS", "STUB_KINDS", "Scanner", "might_hold_holes", "scan"]

# Below this much text a pool of processes costs more than it saves (forking, sending holes
# back); above it the scan, which is CPU-bound parsing, spreads over the machine's cores.
_POOL_MIN_CHARS = 2_000_000
_POOL_MAX_WORKERS = 4


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

    def holes_by_file(self, files: Sequence[SourceFile]) -> dict[str, list[Hole]]:
        """The holes of each of `files`, by path. Many files on a machine with several cores
        are scanned by forked processes (DESIGN.md section 3a: "a process pool is fair game")."""
        with _no_cycle_collection():
            return self._holes_by_file(files)

    def _holes_by_file(self, files: Sequence[SourceFile]) -> dict[str, list[Hole]]:
        workers = min(_cores(), _POOL_MAX_WORKERS, len(files))
        size = sum(len(f.text) for f in files)
        if workers < 2 or size < _POOL_MIN_CHARS or "fork" not in _start_methods():
            return {f.path: self.holes(f) for f in files}
        # The largest first, so that no worker is left with a big file at the end.
        order = sorted(files, key=lambda f: len(f.text), reverse=True)
        global _JOB
        _JOB = (self, order)  # the forked workers inherit it: nothing is pickled on the way in
        import multiprocessing  # here: most runs scan a few files, and it costs 5 ms to import

        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                found = pool.map(_scan_at, range(len(order)), chunksize=4)
        finally:
            _JOB = None
        return {f.path: holes for f, holes in zip(order, found, strict=True)}

    def holes(self, file: SourceFile) -> list[Hole]:
        """The holes of `file` whose marker sits on an added line, in line order."""
        language = language_for(file.path)
        if language is None:
            return []
        if language.name == python.LANGUAGE:
            return python.find_holes(file, self._tags, self._overrides, self._stub_kinds)
        from bot.languages import code  # tree-sitter's and the lexer's: not for Python alone

        return code.find_holes(file, language, self._tags)


_JOB: tuple[Scanner, list[SourceFile]] | None = None  # what the pool's workers scan


def _scan_at(index: int) -> list[Hole]:
    assert _JOB is not None
    scanner, files = _JOB
    return scanner.holes(files[index])


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Syntax trees hold no reference cycles, yet the cycle collector walks every tree still
    alive each time parsing allocates enough: a third of the scan's time on the standard
    library. Memory is freed by reference counting as usual; forked workers inherit this."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


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
    found = Scanner(tags=tags, repo=repo).holes_by_file(files)
    return [hole for path in sorted(found) for hole in found[path]]


def might_hold_holes(path: str, added: list[str], tags: tuple[str, ...]) -> bool:
    """Whether any added line could hold a marker: a cheap test before reading a whole file."""
    language = language_for(path)
    if language is None:
        return False
    if language.name == python.LANGUAGE:
        return python.has_candidate(added, tags)
    from bot.languages import code

    return code.has_candidate(added, language, tags)
