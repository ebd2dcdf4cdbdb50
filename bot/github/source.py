"""The source stage for a pull request: its files and patches from the API, file text at the
head commit from local git objects when the checkout holds them, else from the contents API
(with the `.gitattributes` files that say which are generated or vendored, read through
GraphQL, a request per 100 folders)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchSet

from bot.data import Changes, SkippedFile
from bot.errors import BotError
from bot.git import Git, scratch_attributes
from bot.github.client import Blob, GitHubClient, GitHubError, PullFile
from bot.globs import EXCLUDED, FileFilter
from bot.languages import language_of
from bot.patch import parse_patch
from bot.repo import RepoView
from bot.scan import might_hold_holes
from bot.source import Attributes, Candidate, blob_fetch, head_view, read

log = logging.getLogger("bot.github")

Hunks = tuple[tuple[int, int], ...]  # new-side line ranges, inclusive

_GITATTRIBUTES_LIMIT = 1_000_000  # bytes: a file of rules, not data; a larger one is not kept


@dataclass(frozen=True, slots=True, kw_only=True)
class PullChanges:
    changes: Changes
    hunks: dict[str, Hunks]  # where GitHub lets a suggestion sit, per path
    repo: RepoView | None  # the repository at the head, when it is on disk


def collect(
    client: GitHubClient,
    files: list[PullFile],
    *,
    head: str,
    base: str,
    git: Git | None,
    tags: tuple[str, ...],
    max_file_size: int,
    files_filter: FileFilter | None = None,
    paths: tuple[str, ...] = (),
) -> PullChanges:
    """The pull request's changed files, their added lines and new text. Files the
    configuration leaves out are never read."""
    local = git is not None and git.commit(head) is not None
    candidates: list[Candidate] = []
    hunks: dict[str, Hunks] = {}
    skipped: list[SkippedFile] = []
    for file in files:
        if file.status == "removed" or language_of(file.path) is None:
            continue
        if paths and not any(_under(file.path, p) for p in paths):
            continue  # outside the PATH arguments that narrow the run
        if files_filter is not None and not files_filter.scanned(file.path):
            skipped.append(SkippedFile(path=file.path, reason=EXCLUDED))
            continue
        if file.patch is None:
            added = _added_locally(git, base, head, file.path) if local else None
            if added is None:
                skipped.append(SkippedFile(path=file.path, reason="GitHub shows no diff for it"))
                continue
            hunks[file.path] = ()
        else:
            if not file.patch.strip():
                continue  # renamed or mode-only: no line added
            try:
                added, hunks[file.path], texts = _parse(file.patch)
            except (UnidiffParseError, IndexError):
                skipped.append(SkippedFile(path=file.path, reason="GitHub's patch is unreadable"))
                continue
            if not might_hold_holes(file.path, texts, tags):
                continue  # no marker on an added line: no need to read it
        candidates.append(Candidate(path=file.path, added=added))
    if local:
        assert git is not None
        fetch = blob_fetch(git, head, max_file_size)
    else:

        def fetch(paths: list[str]) -> dict[str, bytes | str | None]:
            found: dict[str, bytes | str | None] = {}
            for path in paths:
                content = client.content(path, head)
                found[path] = (
                    "not readable through the contents API" if content is None else content
                )
            return found

    if local:
        changes = read(candidates, fetch, git)
    else:
        changes = read(candidates, fetch, None, attributes=_attributes_at(client, head))
    return PullChanges(
        changes=Changes(files=changes.files, skipped=(*skipped, *changes.skipped)),
        hunks=hunks,
        repo=head_view(git, head, max_file_size) if local and git is not None else None,
    )


def _attributes_at(client: GitHubClient, head: str) -> Attributes:
    """The attributes of paths at `head` when it is not on disk: the `.gitattributes` files
    that can apply to them (the top folder's and those of each folder above a path), read
    through GraphQL (one request per 100 folders, not one each), decided by git's own rules.
    When GitHub cannot give them the files are scanned as if none were marked: a warning,
    never a failed run."""

    def attributes(paths: list[str], names: tuple[str, ...]) -> dict[str, dict[str, str]]:
        folders = sorted(
            {"/".join(p.split("/")[:n]) for p in paths for n in range(p.count("/") + 1)}
        )
        where = {
            f"{folder}/.gitattributes" if folder else ".gitattributes": folder for folder in folders
        }
        try:
            blobs = client.blobs(head, list(where))
        except GitHubError as error:
            log.warning(
                "cannot read .gitattributes (%s): generated and vendored files are scanned", error
            )
            return {}
        found: dict[str, bytes] = {}
        for path, folder in where.items():
            blob = blobs.get(path)
            if blob is None:
                continue  # the folder has none
            problem = _unusable(blob)
            if problem:
                log.warning("%s %s: the attributes it sets are not applied", path, problem)
            elif blob.text:
                found[folder] = blob.text.encode()
        if not found:
            return {}  # nothing marks any file: no need for git
        try:
            return scratch_attributes(found, paths, names)
        except BotError as error:
            log.warning(
                "cannot apply .gitattributes (%s): generated and vendored files are scanned", error
            )
            return {}

    return attributes


def _unusable(blob: Blob) -> str | None:
    """Why a `.gitattributes` blob cannot be read as one, if it cannot."""
    if blob.size > _GITATTRIBUTES_LIMIT:
        return f"is larger than {_GITATTRIBUTES_LIMIT} bytes"
    if blob.truncated:
        return "came cut short from GitHub"
    if blob.binary or blob.text is None:
        return "is not text"
    return None


def _under(path: str, top: str) -> bool:
    top = top.strip("/").removeprefix("./")
    return top in ("", ".") or path == top or path.startswith(top + "/")


def inside_one_hunk(hunks: Hunks, start: int, end: int) -> bool:
    return any(low <= start and end <= high for low, high in hunks)


def _parse(patch: str) -> tuple[frozenset[int], Hunks, list[str]]:
    """Added line numbers, hunk ranges and added texts from one file's `patch` field."""
    patched = PatchSet(f"--- a/file\n+++ b/file\n{patch}\n")[0]
    added = [line for hunk in patched for line in hunk if line.is_added]
    ranges = tuple(
        (h.target_start, h.target_start + h.target_length - 1) for h in patched if h.target_length
    )
    return (
        frozenset(line.target_line_no for line in added if line.target_line_no is not None),
        ranges,
        [line.value for line in added],
    )


def _added_locally(git: Git | None, base: str, head: str, path: str) -> frozenset[int] | None:
    """GitHub leaves the patch out of a very large diff: read the added lines from git."""
    if git is None or git.commit(base) is None:
        return None
    found = parse_patch(git.diff_patch(base, head, (f":(literal){path}",)))
    return next(iter(found.values()), None) if len(found) == 1 else None
