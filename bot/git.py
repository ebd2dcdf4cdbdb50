"""The only module that runs `git`. Paths are read with `-z`, so any file name survives."""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.errors import BotError

# The object name of the empty tree: the base of a root commit.
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
INDEX = ":index"  # stands for the index as the new side of a diff
_FILE_MODES = ("100644", "100755")  # regular files; not symlinks (120000) nor submodules
_OBJECT_ID = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")  # SHA-1 or SHA-256


@dataclass(frozen=True, slots=True, kw_only=True)
class DiffEntry:
    """One line of `git diff --raw -z`."""

    status: str  # A, M, D, R, C, T, U
    old_mode: str
    new_mode: str
    new_id: str  # the new side's object id; all zeros for the working tree
    path: str
    old_path: str | None = None


class Git:
    """A repository, driven through the `git` command."""

    def __init__(self, root: Path, *, own: bool = False) -> None:
        """`own`: a repository of the bot's own making at `root`, named to git outright, so
        that GIT_DIR or GIT_WORK_TREE in the environment cannot point it elsewhere."""
        self.root = root
        self._where = (f"--git-dir={root / '.git'}", f"--work-tree={root}") if own else ()
        self._commits: dict[str, str | None] = {}  # a run asks for the same revisions again
        self._merge_bases: dict[tuple[str, str], str | None] = {}
        self._blob_ids: dict[str, dict[str, str]] = {}

    def run(self, *args: str, stdin: bytes | None = None, check: bool = True) -> bytes:
        cmd = ["git", "-c", "core.quotepath=off", "-C", str(self.root), *self._where, *args]
        try:
            proc = subprocess.run(cmd, input=stdin, capture_output=True, check=False)
        except FileNotFoundError:
            raise BotError("git is not installed or not on PATH") from None
        if check and proc.returncode != 0:
            message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            detail = message[-1] if message else f"exit {proc.returncode}"
            raise BotError(f"git {args[0]} failed: {detail}")
        return proc.stdout

    @classmethod
    def find(cls, cwd: Path) -> Git | None:
        """The repository that holds `cwd`, or None outside one."""
        try:
            proc = subprocess.run(
                ["git", "-C", str(cwd), "rev-parse", "--show-toplevel"],
                capture_output=True,
                check=False,
            )
        except FileNotFoundError:
            raise BotError("git is not installed or not on PATH") from None
        if proc.returncode != 0:
            return None
        return cls(Path(proc.stdout.decode("utf-8", "surrogateescape").rstrip("\n")))

    def commit(self, rev: str) -> str | None:
        """The commit `rev` names, or None when it names none."""
        if rev not in self._commits:
            spec = f"{rev}^{{commit}}"
            out = self.run(
                "rev-parse", "--verify", "--quiet", "--end-of-options", spec, check=False
            )
            self._commits[rev] = out.decode().strip() or None
        return self._commits[rev]

    def resolve(self, rev: str) -> str:
        commit = self.commit(rev)
        if commit is None:
            raise BotError(f"unknown revision {rev!r}: not a commit in this repository")
        return commit

    def default_branch(self) -> str | None:
        """The default branch's full ref name: origin's HEAD, else main, else master. Full
        names, as a short one could name a tag or a branch that anyone's fetch brings in (a
        tag called "origin/HEAD" wins over the remote's HEAD)."""
        for ref in ("refs/remotes/origin/HEAD", "refs/heads/main", "refs/heads/master"):
            if self.commit(ref):
                return ref
        return None

    def merge_base(self, a: str, b: str) -> str | None:
        if (a, b) not in self._merge_bases:
            out = self.run("merge-base", a, b, check=False)
            self._merge_bases[a, b] = out.decode().strip() or None
        return self._merge_bases[a, b]

    def diff_raw(self, base: str, head: str | None, paths: tuple[str, ...]) -> list[DiffEntry]:
        """Changed files from `base` to `head` (a commit, INDEX, or None for the working tree)."""
        out = self.run(
            "diff",
            "--raw",
            "-z",
            "--no-abbrev",
            "--find-renames",
            "--no-ext-diff",
            *_sides(base, head),
            "--",
            *paths,
        )
        return _parse_raw(out)

    def diff_patch(
        self, base: str, head: str | None, paths: tuple[str, ...], *, added_files: bool = True
    ) -> bytes:
        """The patch with no context lines: all the added lines and nothing else. Without
        `added_files`, files the change adds are left out (every line of theirs is added)."""
        return self.run(
            "diff",
            "--unified=0",
            *(() if added_files else ("--diff-filter=a",)),
            "--find-renames",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            # The reader strips git's a/ and b/: pin them, whatever diff.noprefix says.
            "--src-prefix=a/",
            "--dst-prefix=b/",
            *_sides(base, head),
            "--",
            *paths,
        )

    def binary_added(self, base: str, head: str | None, paths: tuple[str, ...]) -> set[str]:
        """The files the change adds that git takes for binary (`--numstat` shows them as
        "-\t-"): known without reading a patch of the others."""
        out = self.run(
            "diff",
            "--numstat",
            "-z",
            "--diff-filter=A",
            "--find-renames",
            "--no-ext-diff",
            "--no-textconv",
            *_sides(base, head),
            "--",
            *paths,
        )
        found: set[str] = set()
        for record in out.decode("utf-8", "surrogateescape").split("\0"):
            added, _, rest = record.partition("\t")
            deleted, _, path = rest.partition("\t")
            if added == deleted == "-" and path:
                found.add(path)
        return found

    def untracked(self, paths: tuple[str, ...]) -> list[str]:
        out = self.run("ls-files", "-z", "--others", "--exclude-standard", "--", *paths)
        return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]

    def listed(self, paths: tuple[str, ...]) -> list[str]:
        """Tracked files plus untracked ones that are not ignored."""
        out = self.run(
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
            "--deduplicate",
            "--",
            *paths,
        )
        return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]

    def blob_ids(self, rev: str) -> dict[str, str]:
        """{path: object id} of every regular file in the tree of commit `rev`, or in the index
        when `rev` is empty (its merged entries). One listing per revision and run."""
        if rev not in self._blob_ids:
            if rev:
                self._blob_ids[rev] = self.file_ids(rev, ())
            else:
                out = self.run("ls-files", "-z", "--stage")  # MODE ID STAGE\tPATH
                self._blob_ids[rev] = _ids(out, id_field=1, stage_field=2)
        return self._blob_ids[rev]

    def file_ids(self, rev: str, paths: tuple[str, ...]) -> dict[str, str]:
        """{path: object id} of the regular files of commit `rev` under `paths` (all: ())."""
        specs = [f":(literal){p}" for p in paths]
        out = self.run("ls-tree", "-r", "-z", "--full-tree", rev, "--", *specs)  # MODE TYPE ID
        return _ids(out, id_field=2, stage_field=None)

    def read_blobs(self, ids: list[str]) -> dict[str, bytes | None]:
        """The contents of blobs named by object id, in one git process: never by a path, which
        git's line-based batch input would split at a newline in the name."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        for object_id in wanted:
            if not _OBJECT_ID.fullmatch(object_id):
                raise ValueError(f"not an object id: {object_id!r}")
        out = self.run("cat-file", "--batch", stdin="".join(f"{i}\n" for i in wanted).encode())
        blobs: dict[str, bytes | None] = {}
        pos = 0
        for object_id in wanted:
            end = out.index(b"\n", pos)
            header = out[pos:end].split()
            pos = end + 1
            if len(header) != 3 or header[-1] == b"missing":
                blobs[object_id] = None
                continue
            size = int(header[2])
            blobs[object_id] = out[pos : pos + size] if header[1] == b"blob" else None
            pos += size + 1
        return blobs

    def attributes(self, paths: list[str], names: tuple[str, ...]) -> dict[str, dict[str, str]]:
        """`git check-attr` values: {path: {attribute: value}} for attributes that are set."""
        if not paths:
            return {}
        out = self.run(
            "check-attr",
            "-z",
            "--stdin",
            *names,
            stdin="".join(f"{p}\0" for p in paths).encode("utf-8", "surrogateescape"),
        )
        fields = out.decode("utf-8", "surrogateescape").split("\0")
        found: dict[str, dict[str, str]] = {}
        for path, name, value in zip(fields[0::3], fields[1::3], fields[2::3], strict=False):
            if value not in ("unspecified", "unset", "false"):
                found.setdefault(path, {})[name] = value
        return found


def scratch_attributes(
    gitattributes: dict[str, bytes], paths: list[str], names: tuple[str, ...]
) -> dict[str, dict[str, str]]:
    """`Git.attributes` for `paths` as these `.gitattributes` files (folder, "" for the top:
    their text) decide them, for a commit that is not on disk: git's own rules, in a scratch
    repository holding nothing else, removed afterwards. The paths need not exist in it."""
    with tempfile.TemporaryDirectory(prefix="fim-bot-attributes-") as folder:
        root = Path(folder)
        for where, text in gitattributes.items():
            parts = where.split("/") if where else []
            if any(part in ("", ".", "..") or part.lower() == ".git" for part in parts):
                continue  # no git tree holds such a folder: nothing is written outside
            target = root.joinpath(*parts, ".gitattributes")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text)
        scratch = Git(root, own=True)
        scratch.run("init", "--quiet")
        return scratch.attributes(paths, names)


def _ids(out: bytes, *, id_field: int, stage_field: int | None) -> dict[str, str]:
    """{path: object id} of the regular files in `ls-tree -z` or `ls-files -z --stage` output;
    a conflict's sides (stages 1 to 3) are not the index's text."""
    ids: dict[str, str] = {}
    for record in out.decode("utf-8", "surrogateescape").split("\0"):
        info, _, path = record.partition("\t")
        fields = info.split(" ")
        if len(fields) != 3 or fields[0] not in _FILE_MODES:
            continue
        if stage_field is None or fields[stage_field] == "0":
            ids[path] = fields[id_field]
    return ids


def short_ref(ref: str) -> str:
    """A full ref name as people write it: "origin/HEAD", "main"."""
    return ref.removeprefix("refs/heads/").removeprefix("refs/remotes/")


def _sides(base: str, head: str | None) -> list[str]:
    if head is None:
        return [base]
    if head == INDEX:
        return ["--cached", base]
    return [base, head]


def _parse_raw(out: bytes) -> list[DiffEntry]:
    fields = out.decode("utf-8", "surrogateescape").split("\0")
    entries: list[DiffEntry] = []
    i = 0
    while i < len(fields) and fields[i].startswith(":"):
        old_mode, new_mode, _old_id, new_id, status = fields[i][1:].split(" ")
        letter = status[0]
        moved = letter in ("R", "C")  # a rename or a copy names the old path, then the new
        entries.append(
            DiffEntry(
                status=letter,
                old_mode=old_mode,
                new_mode=new_mode,
                new_id=new_id,
                old_path=fields[i + 1] if moved else None,
                path=fields[i + 2] if moved else fields[i + 1],
            )
        )
        i += 3 if moved else 2
    return entries
