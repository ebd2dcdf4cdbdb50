"""`--apply`: write the suggested fills into the working tree.

Each file is written whole or not at all: the new text goes to a temporary file beside it (the
same folder, so that the rename is atomic), with the file's permission bits, and is renamed
over it. A full disk, a file-size limit or a folder that cannot be written leaves the file as
it was and no temporary file behind; the other files are still written. A file is only ever
replaced by the text scanned plus its fills: one that changed since the scan (a partly staged
file, an edit, a symbolic link put in its place) is left alone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO

from bot.data import Report
from bot.text import replace_lines, visible

Outcome = Literal["written", "skipped", "failed"]
# Never follow a link (the scan refused them, and one put in the file's place since is not the
# file), and never wait on a pipe put there: opening one to read would block until a writer came.
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Done:
    """What became of one file: written; skipped, as it is no longer the file that was scanned;
    or failed, as it could not be written. `reason` says why it was not written."""

    path: str
    outcome: Outcome
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Applied:
    files: tuple[Done, ...]  # in the report's order

    @property
    def written(self) -> tuple[str, ...]:
        return tuple(d.path for d in self.files if d.outcome == "written")

    @property
    def failed(self) -> tuple[str, ...]:
        return tuple(d.path for d in self.files if d.outcome == "failed")


class _Skip(Exception):
    """The file is not the one that was scanned: it is left alone."""


def write(report: Report, root: Path) -> Applied:
    """Write each file's fills, file by file: one that fails does not stop the others."""
    done: list[Done] = []
    paths = dict.fromkeys(r.hole.path for r in report.results if r.status == "suggested")
    for path in paths:
        fills = [
            (r.hole.start_line, r.hole.end_line, r.suggestion)
            for r in report.results
            if r.hole.path == path and r.status == "suggested" and r.suggestion is not None
        ]
        scanned = report.texts[path]
        try:
            _replace(root / path, scanned, replace_lines(scanned, fills).encode("utf-8"))
        except _Skip as skip:
            done.append(Done(path=path, outcome="skipped", reason=str(skip)))
        except OSError as error:
            done.append(Done(path=path, outcome="failed", reason=_reason(error)))
        else:
            done.append(Done(path=path, outcome="written"))
    return Applied(files=tuple(done))


def write_and_tell(report: Report, root: Path, stream: TextIO) -> Applied:
    """`write`, then one line on `stream` for each file: written, or not and why."""
    applied = write(report, root)
    for done in applied.files:
        if done.outcome == "written":
            line = f"fim-bot: wrote fills into {done.path}"
        else:
            line = f"fim-bot: did not write {done.path}: {done.reason}"
        stream.write(visible(line) + "\n")
    return applied


def _replace(target: Path, scanned: str, new: bytes) -> None:
    """Put `new` in place of `target` in one rename, if `target` still holds `scanned`.

    Raises `_Skip` when it no longer does, and OSError when it cannot be written."""
    try:
        fd = os.open(target, _READ_FLAGS)
    except FileNotFoundError:
        raise _Skip("the file is gone") from None
    except OSError:
        if os.path.islink(target):
            raise _Skip("the file is now a symbolic link") from None
        raise
    with os.fdopen(fd, "rb") as original:
        before = os.fstat(original.fileno())
        if not stat.S_ISREG(before.st_mode):
            raise _Skip("the file is no longer a regular file")
        current = original.read()
    if current != scanned.encode("utf-8"):
        raise _Skip("the working-tree file differs from the text that was scanned")
    # A read-only file says "do not write me", but a rename would replace it all the same.
    if not os.access(target, os.W_OK, effective_ids=os.access in os.supports_effective_ids):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    # Beside the file, so that the rename stays on one file system and is atomic; a short name,
    # so that a file name near the system's limit still leaves room for it.
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".fim-bot-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            _keep_owner(stream.fileno(), before)
            os.fchmod(stream.fileno(), stat.S_IMODE(before.st_mode))
            stream.write(new)
            stream.flush()
            os.fsync(stream.fileno())  # the bytes are on disk before the name points at them
        now = os.lstat(target)
        if (now.st_dev, now.st_ino, now.st_size, now.st_mtime_ns) != (
            before.st_dev,
            before.st_ino,
            before.st_size,
            before.st_mtime_ns,
        ):
            raise _Skip("the file changed while its fills were being written")
        os.replace(temporary, target)
    except BaseException:  # an error, or Ctrl-C: the file stays as it was, and nothing beside it
        Path(temporary).unlink(missing_ok=True)
        raise


def _keep_owner(fd: int, before: os.stat_result) -> None:
    """The new file's owner and group are the old one's where the user may set them (root, or
    a group the user is in); otherwise the user's, as any editor's save would leave them."""
    if (before.st_uid, before.st_gid) == (os.geteuid(), os.getegid()):
        return
    with contextlib.suppress(OSError):
        os.fchown(fd, before.st_uid, before.st_gid)


def _reason(error: OSError) -> str:
    """The error in a few words ("permission denied", "file too large"), never a path."""
    if error.errno is None:
        return "could not be written"
    said = os.strerror(error.errno)
    return said[:1].lower() + said[1:]
