"""A read-only, lazy view of the repository at the scanned revision, for rules and context that
need other files than the changed ones (DESIGN.md section 1). Reads only what is asked for."""

from __future__ import annotations

from collections.abc import Callable, Iterable

# Lists every file path (repo-relative, "/"); reads a batch of them (None: unreadable or absent).
ListFiles = Callable[[], list[str]]
ReadFiles = Callable[[list[str]], dict[str, "bytes | None"]]


class RepoView:
    def __init__(self, *, list_files: ListFiles, read_files: ReadFiles, max_size: int) -> None:
        self._list_files = list_files
        self._read_files = read_files
        self._max_size = max_size
        self._paths: list[str] | None = None
        self._by_suffixes: dict[tuple[str, ...], list[str]] = {}
        self._by_name: dict[str, list[str]] | None = None
        self._texts: dict[str, str | None] = {}

    def hiding(self, hidden: Callable[[str], bool]) -> RepoView:
        """The same repository without the paths `hidden` names: never listed, never read."""
        list_files, read_files = self._list_files, self._read_files
        return RepoView(
            list_files=lambda: [p for p in list_files() if not hidden(p)],
            read_files=lambda paths: read_files([p for p in paths if not hidden(p)]),
            max_size=self._max_size,
        )

    def paths(self, suffixes: Iterable[str]) -> list[str]:
        """The repository's files whose names end with one of `suffixes`."""
        wanted = tuple(suffixes)
        if wanted not in self._by_suffixes:
            if self._paths is None:
                self._paths = self._list_files()
            self._by_suffixes[wanted] = [p for p in self._paths if p.endswith(wanted)]
        return self._by_suffixes[wanted]

    def named(self, name: str) -> list[str]:
        """The repository's files whose last path component is `name`."""
        if self._by_name is None:
            if self._paths is None:
                self._paths = self._list_files()
            self._by_name = {}
            for path in self._paths:
                self._by_name.setdefault(path.rsplit("/", 1)[-1], []).append(path)
        return self._by_name.get(name, [])

    def texts(self, paths: list[str]) -> dict[str, str]:
        """The UTF-8 text of each readable path; binary, huge and undecodable files left out."""
        missing = [p for p in paths if p not in self._texts]
        if missing:
            for path, content in self._read_files(missing).items():
                self._texts[path] = _decode(content, self._max_size)
        return {p: t for p in paths if (t := self._texts.get(p)) is not None}


def _decode(content: bytes | None, max_size: int) -> str | None:
    if content is None or len(content) > max_size or b"\0" in content[:8000]:
        return None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return None
