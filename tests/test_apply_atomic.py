"""`--apply` writes each file whole or not at all, through the real `bot` and `fim-bot-hook`:
a file that cannot be written (a file-size limit, a read-only folder or file, a symbolic link
put in its place) keeps its bytes, leaves no temporary file, and is named with the reason on
one line of stderr; the other files are still written.

The file-size limit is RLIMIT_FSIZE, set in the child before `bot` starts: root obeys it too,
where it would write through read-only permissions (those tests need a user who cannot)."""

from __future__ import annotations

import os
import resource
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Repo
from tests.fakes.codestral import FakeCodestral
from tests.test_precommit import hook

STUB = "def add(a, b):\n    pass\n"
FILLED = "def add(a, b):\n    return a + b\n"
LIMIT = 1024  # bytes: the file-size limit of the runs that test it
# A stub in a file of some 2,000 bytes: over the limit.
BIG = STUB + "".join(f"# line {i:02} of a file larger than the limit\n" for i in range(45))
as_root = os.geteuid() == 0
needs_a_user = pytest.mark.skipif(as_root, reason="root writes through read-only permissions")


def limited(size: int) -> Callable[[], None]:
    """A `preexec_fn` that caps the size of any file the child writes. Python ignores SIGXFSZ,
    so a write past the cap fails with EFBIG instead of killing the process."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


def files(repo: Repo) -> set[str]:
    """Every file in the working tree, .git aside: a temporary file left behind shows here."""
    return {
        str(p.relative_to(repo.path))
        for p in repo.path.rglob("*")
        if ".git" not in p.relative_to(repo.path).parts and not p.is_dir()
    }


@pytest.fixture
def three(repo: Repo, codestral: FakeCodestral) -> Repo:
    """a.py and c.py small, b.py over the limit, each with a stub."""
    codestral.respond("    return a + b\n")
    assert len(BIG) > 1.5 * LIMIT
    for name, text in (("a.py", STUB), ("b.py", BIG), ("c.py", STUB)):
        repo.write(name, text)
    return repo


def test_a_file_over_the_size_limit_stays_whole_and_the_others_are_written(
    three: Repo, model_env: dict[str, str]
) -> None:
    """The issue's `ulimit -f 1`: b.py keeps every byte, a.py and c.py are filled, exit 1."""
    before = files(three)
    proc = three.bot(
        "run", "--all", "--apply", "a.py", "b.py", "c.py", preexec_fn=limited(LIMIT), **model_env
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.splitlines() == [
        "fim-bot: wrote fills into a.py",
        "fim-bot: did not write b.py: file too large",
        "fim-bot: wrote fills into c.py",
    ]
    assert three.read("b.py") == BIG
    assert three.read("a.py") == three.read("c.py") == FILLED
    assert files(three) == before
    assert proc.stdout.splitlines()[-1].startswith("fim-bot: 3 holes: 3 suggested")


def test_written_files_keep_their_mode_and_line_endings(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """An executable CRLF script stays executable and CRLF; a 0640 file stays 0640."""
    codestral.respond("    return a + b\n")
    script = repo.write("tool.py", "#!/usr/bin/env python3\r\n" + STUB.replace("\n", "\r\n"))
    private = repo.write("private.py", STUB)
    script.chmod(0o755)
    private.chmod(0o640)
    proc = repo.bot("run", "--all", "--apply", "tool.py", "private.py", **model_env)
    assert proc.returncode == 0, proc.stderr
    assert script.read_bytes() == b"#!/usr/bin/env python3\r\n" + FILLED.replace(
        "\n", "\r\n"
    ).encode("utf-8")
    assert stat.S_IMODE(script.stat().st_mode) == 0o755
    assert stat.S_IMODE(private.stat().st_mode) == 0o640
    assert repo.read("private.py") == FILLED


@needs_a_user
def test_a_read_only_folder_among_three_is_named_and_the_others_written(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """No temporary file can be made beside b/b.py: it is named, a.py and c.py are written."""
    codestral.respond("    return a + b\n")
    for name in ("a.py", "b/b.py", "c.py"):
        repo.write(name, STUB)
    folder = repo.path / "b"
    folder.chmod(0o555)
    try:
        proc = repo.bot("run", "--all", "--apply", "a.py", "b/b.py", "c.py", **model_env)
    finally:
        folder.chmod(0o755)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.splitlines() == [
        "fim-bot: wrote fills into a.py",
        "fim-bot: did not write b/b.py: permission denied",
        "fim-bot: wrote fills into c.py",
    ]
    assert repo.read("b/b.py") == STUB
    assert files(repo) == {"README.md", "a.py", "b/b.py", "c.py"}


@needs_a_user
def test_a_read_only_file_is_not_replaced(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """A file without write permission is left as it is, though its folder could take a new one."""
    codestral.respond("    return a + b\n")
    target = repo.write("calc.py", STUB)
    target.chmod(0o444)
    proc = repo.bot("run", "--all", "--apply", "calc.py", **model_env)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == "fim-bot: did not write calc.py: permission denied\n"
    assert repo.read("calc.py") == STUB
    assert stat.S_IMODE(target.stat().st_mode) == 0o444


def test_a_symbolic_link_put_in_the_file_s_place_is_not_followed(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str], tmp_path: Path
) -> None:
    """calc.py replaced by a link (to the same text) while the model answers: nothing is written
    through it, and the link stays."""
    outside = tmp_path / "outside.py"
    outside.write_text(STUB)
    target = repo.write("calc.py", STUB)

    def swap_then_answer(body: dict[str, Any]) -> str:
        target.unlink()
        target.symlink_to(outside)
        return "    return a + b\n"

    codestral.responder = swap_then_answer
    proc = repo.bot("run", "--all", "--apply", "calc.py", **model_env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "fim-bot: did not write calc.py: the file is now a symbolic link\n"
    assert target.is_symlink()
    assert outside.read_text() == STUB


def test_the_apply_hook_blocks_only_when_it_changed_a_file(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """`fim-bot-hook apply`: a file it could not write is named, and alone does not block the
    commit (exit 0); with another file written, it does (exit 1)."""
    codestral.respond("    return a + b\n")
    repo.write("b.py", BIG)
    repo.git("add", "b.py")
    proc = hook(repo, "apply", preexec_fn=limited(LIMIT), **model_env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "fim-bot: did not write b.py: file too large\n"
    assert repo.read("b.py") == BIG
    repo.write("a.py", STUB)
    repo.git("add", "a.py")
    proc = hook(repo, "apply", preexec_fn=limited(LIMIT), **model_env)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.splitlines() == [
        "fim-bot: wrote fills into a.py",
        "fim-bot: did not write b.py: file too large",
    ]
    assert (repo.read("a.py"), repo.read("b.py")) == (FILLED, BIG)
    assert files(repo) == {"README.md", "a.py", "b.py"}
