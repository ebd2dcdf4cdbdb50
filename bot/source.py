"""The source stage: which files changed, which lines were added, and their full new text."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.data import Changes, SkippedFile, SourceFile
from bot.errors import BotError
from bot.git import EMPTY_TREE, INDEX, DiffEntry, Git, short_ref
from bot.languages import language_of
from bot.patch import parse_patch
from bot.repo import RepoView

Mode = Literal["worktree", "staged", "head", "all"]

_LFS_POINTER = b"version https://git-lfs.github.com/spec/"
_BINARY_SNIFF = 8000  # git's own heuristic: a NUL byte in the first 8000 bytes means binary
_VENDORED = re.compile(r"(^|/)(vendor|vendors|third[-_]party|node_modules|bower_components)/")
_MODE_SYMLINK = "120000"
_MODE_SUBMODULE = "160000"


@dataclass(frozen=True, slots=True, kw_only=True)
class Selection:
    """What to read: the mode and its revisions, and the paths that narrow it."""

    mode: Mode
    base: str | None = None
    head: str | None = None
    paths: tuple[str, ...] = ()
    max_file_size: int = 1_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Collected:
    changes: Changes
    root: Path  # the directory that the paths in `changes` are relative to
    repo: RepoView  # the whole repository at the scanned revision, read lazily


def collect(selection: Selection, *, cwd: Path, git: Git | None) -> Collected:
    """Read the diff and file texts that `selection` names; `git` is the repository that holds
    `cwd` (`Git.find`), None outside one."""
    cap = selection.max_file_size
    if selection.mode == "all" and git is None:
        view = _view(lambda: _walk_paths(cwd, ()), _disk_fetch(cwd, cap), cap)
        return Collected(changes=_walk(cwd, selection), root=cwd, repo=view)
    if git is None:
        raise BotError(
            "not a git repository: run bot inside one, or use --all PATH to scan files as new"
        )
    if selection.mode == "all":
        changes = _listed(git, cwd, selection)
    else:
        changes = _diff(git, cwd, selection)
    return Collected(changes=changes, root=git.root, repo=_repo_view(git, selection))


def _repo_view(git: Git, selection: Selection) -> RepoView:
    cap = selection.max_file_size
    if selection.mode == "head":
        assert selection.head is not None
        return head_view(git, git.resolve(selection.head), cap)
    if selection.mode == "staged":
        return _view(lambda: list(git.blob_ids("")), blob_fetch(git, "", cap), cap)
    return _view(lambda: git.listed(()), _disk_fetch(git.root, cap), cap)


def head_view(git: Git, rev: str, cap: int) -> RepoView:
    """The repository as commit `rev` holds it, read from git objects."""
    return _view(lambda: list(git.blob_ids(rev)), blob_fetch(git, rev, cap), cap)


def _view(list_files: Callable[[], list[str]], fetch: Fetch, cap: int) -> RepoView:
    def read(paths: list[str]) -> dict[str, bytes | None]:
        return {p: c if isinstance(c, bytes) else None for p, c in fetch(paths).items()}

    return RepoView(list_files=list_files, read_files=read, max_size=cap)


def _pathspecs(paths: tuple[str, ...], cwd: Path, root: Path) -> tuple[str, ...]:
    specs = []
    for path in paths:
        absolute = (cwd / path).resolve()
        try:
            relative = absolute.relative_to(root.resolve())
        except ValueError:
            raise BotError(f"{path}: outside the repository at {root}") from None
        specs.append(f":(literal){relative.as_posix()}" if str(relative) != "." else ".")
    return tuple(specs)


def _sides(git: Git, selection: Selection) -> tuple[str, str | None]:
    """The base commit (or the empty tree) and the new side, as `Git.diff_*` take them."""
    if selection.mode == "head":
        assert selection.head is not None
        new = git.resolve(selection.head)
        if selection.base:
            return git.resolve(selection.base), new
        return _default_base(git, new, fallback=git.commit(f"{new}^") or EMPTY_TREE), new
    head = git.commit("HEAD")
    side = INDEX if selection.mode == "staged" else None
    if selection.base:
        return git.resolve(selection.base), side
    if head is None:  # no commit yet: everything is new
        return EMPTY_TREE, side
    if selection.mode == "staged":
        return head, side
    return _default_base(git, head, fallback=head), side


def _default_base(git: Git, commit: str, *, fallback: str) -> str:
    """The merge-base of `commit` and the default branch (`fallback` when there is none)."""
    branch = git.default_branch()
    if branch is None:
        return fallback
    base = git.merge_base(commit, branch)
    if base is None:
        raise BotError(f"no common ancestor with {short_ref(branch)}: pass --base REV")
    return base


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    path: str
    mode: str = ""  # git's file mode; "" when git did not say (untracked files)
    added: frozenset[int] | None = None  # None: the whole file is new
    binary: bool = False


# Reads a batch of paths: bytes, a reason to skip (str), or None for a file that is gone.
Fetch = Callable[[list[str]], "dict[str, bytes | str | None]"]


def _diff(git: Git, cwd: Path, selection: Selection) -> Changes:
    specs = _pathspecs(selection.paths, cwd, git.root)
    base, new = _sides(git, selection)
    entries = [e for e in git.diff_raw(base, new, specs) if e.status != "D"]
    # Every line of a file the change adds is added: its patch is not read (git's numstat
    # says which are binary), and its lines are counted once it is read, as untracked files'.
    added = _added_lines(git, base, new, [e for e in entries if e.status != "A"])
    new_files = any(e.status == "A" for e in entries)
    binary = git.binary_added(base, new, specs) if new_files else set()
    candidates = [
        Candidate(
            path=e.path,
            mode=e.new_mode,
            added=None if e.status == "A" else added.get(e.path) or frozenset(),
            binary=e.path in binary or (e.path in added and added[e.path] is None),
        )
        for e in entries
    ]
    fetch: Fetch
    if selection.mode == "worktree":
        candidates += [Candidate(path=p) for p in git.untracked(specs)]
        fetch = _disk_fetch(git.root, selection.max_file_size)
    else:
        ids = {e.path: e.new_id for e in entries}  # what the diff compared, by object id
        fetch = blob_fetch(git, "" if new == INDEX else str(new), selection.max_file_size, ids)
    return read(candidates, fetch, git)


def _added_lines(
    git: Git, base: str, new: str | None, entries: list[DiffEntry]
) -> dict[str, frozenset[int] | None]:
    """Added line numbers per path; None for a binary file."""
    if not entries:
        return {}
    by_path = parse_patch(git.diff_patch(base, new, (), added_files=False))
    for entry in entries:
        if entry.path not in by_path:
            # A name git quotes in patches ("a\"b.py"): ask for that file alone, by its exact
            # name from the -z listing, and take the one patch that comes back.
            alone = parse_patch(git.diff_patch(base, new, (f":(literal){entry.path}",)))
            if len(alone) == 1:
                by_path[entry.path] = next(iter(alone.values()))
    return by_path


def _listed(git: Git, cwd: Path, selection: Selection) -> Changes:
    _require_exists(selection.paths, cwd)
    specs = _pathspecs(selection.paths, cwd, git.root)
    candidates = [Candidate(path=p) for p in git.listed(specs)]
    return read(candidates, _disk_fetch(git.root, selection.max_file_size), git)


def _walk(cwd: Path, selection: Selection) -> Changes:
    """--all outside a git repository: every file under the paths, hidden folders left out."""
    _require_exists(selection.paths, cwd)
    candidates = [Candidate(path=p) for p in _walk_paths(cwd, selection.paths)]
    return read(candidates, _disk_fetch(cwd, selection.max_file_size), None)


def _walk_paths(cwd: Path, paths: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for path in paths or (".",):
        top = cwd / path
        if not top.is_dir():
            found.append(Path(os.path.relpath(top, cwd)).as_posix())
            continue
        for folder, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found += [Path(os.path.relpath(Path(folder, f), cwd)).as_posix() for f in sorted(files)]
    return list(dict.fromkeys(found))


def _require_exists(paths: tuple[str, ...], cwd: Path) -> None:
    for path in paths:
        if not (cwd / path).exists():
            raise BotError(f"{path}: no such file or directory")


def _disk_fetch(root: Path, cap: int) -> Fetch:
    def fetch(paths: list[str]) -> dict[str, bytes | str | None]:
        return {path: _read_disk(root / path, cap) for path in paths}

    return fetch


def _read_disk(full: Path, cap: int) -> bytes | str | None:
    try:
        info = full.lstat()
        if stat.S_ISLNK(info.st_mode):
            return "symlink"
        if stat.S_ISDIR(info.st_mode):
            return "submodule"
        if info.st_size > cap:
            return f"larger than {cap} bytes"
        return full.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        return f"unreadable: {error.strerror}"


def blob_fetch(git: Git, rev: str, cap: int, ids: Mapping[str, str] | None = None) -> Fetch:
    """Read from git objects by their ids: those of `ids` when given (a diff's new side), else
    those that the tree of commit `rev` (or the index, when `rev` is empty) lists."""

    def fetch(paths: list[str]) -> dict[str, bytes | str | None]:
        known = git.blob_ids(rev) if ids is None else ids
        blobs = git.read_blobs([known[p] for p in paths if p in known])
        found: dict[str, bytes | str | None] = {}
        for path in paths:
            blob = blobs.get(known[path]) if path in known else None
            found[path] = f"larger than {cap} bytes" if blob and len(blob) > cap else blob
        return found

    return fetch


# The git attributes of paths: {path: {attribute: value}} for the named ones that are set.
Attributes = Callable[[list[str], tuple[str, ...]], "dict[str, dict[str, str]]"]


def read(
    candidates: list[Candidate],
    fetch: Fetch,
    git: Git | None,
    *,
    attributes: Attributes | None = None,
) -> Changes:
    """Skip what cannot be scanned, with a reason; read and decode the rest. The attributes
    that mark files generated or vendored come from `git`, or from `attributes` when given
    (a commit that is not on disk)."""
    skipped: list[SkippedFile] = []
    wanted: list[Candidate] = []
    for candidate in candidates:
        reason = _reason_by_mode(candidate)
        if reason:
            skipped.append(SkippedFile(path=candidate.path, reason=reason))
        elif language_of(candidate.path) and candidate.added != frozenset():
            wanted.append(candidate)
    ask = attributes or (git.attributes if git else None)
    found = ask([c.path for c in wanted], _ATTRIBUTES) if ask and wanted else {}
    readable: list[Candidate] = []
    for candidate in wanted:
        reason = _reason_by_name(candidate.path, found.get(candidate.path, {}))
        if reason:
            skipped.append(SkippedFile(path=candidate.path, reason=reason))
        else:
            readable.append(candidate)
    contents = fetch([c.path for c in readable])
    files: list[SourceFile] = []
    for candidate in readable:
        content = contents.get(candidate.path)
        if content is None:  # gone since it was listed: said, never lost without a word
            skipped.append(SkippedFile(path=candidate.path, reason="not found"))
            continue
        decoded = _decode(content)
        if isinstance(decoded, SkippedFile):
            skipped.append(SkippedFile(path=candidate.path, reason=decoded.reason))
            continue
        added = candidate.added
        if added is None:
            added = frozenset(range(1, _line_count(decoded) + 1))
        files.append(SourceFile(path=candidate.path, text=decoded, added=added))
    return Changes(files=tuple(files), skipped=tuple(skipped))


_ATTRIBUTES = ("linguist-generated", "linguist-vendored")


def _reason_by_mode(candidate: Candidate) -> str | None:
    if candidate.mode == _MODE_SUBMODULE:
        return "submodule"
    if candidate.mode == _MODE_SYMLINK:
        return "symlink"
    if candidate.binary:
        return "binary"
    return None


def _reason_by_name(path: str, attributes: dict[str, str]) -> str | None:
    if "linguist-generated" in attributes:
        return "generated (linguist-generated)"
    if "linguist-vendored" in attributes or _VENDORED.search(path):
        return "vendored"
    return None


def _decode(content: bytes | str) -> str | SkippedFile:
    """The file's text, or why there is none to scan."""
    if isinstance(content, str):
        return SkippedFile(path="", reason=content)
    if content.startswith(_LFS_POINTER):
        return SkippedFile(path="", reason="Git LFS pointer")
    if b"\0" in content[:_BINARY_SNIFF]:
        return SkippedFile(path="", reason="binary")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        return SkippedFile(path="", reason=f"not UTF-8 (byte {error.start})")


def _line_count(text: str) -> int:
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)
