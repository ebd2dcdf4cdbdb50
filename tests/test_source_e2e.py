"""Where the diff and the text come from (DESIGN.md section 3), and bad input, end to end."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Repo, clean_env

STUB = "def todo_here():\n    pass\n"


def planned(repo: Repo, *args: str, cwd: Path | None = None) -> dict[str, Any]:
    """The dry-run JSON report: what would be sent, with no model involved."""
    proc = repo.bot("run", "--dry-run", "--format", "json", *args, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def paths(report: dict[str, Any]) -> list[str]:
    return [h["path"] for h in report["holes"]]


def skipped(report: dict[str, Any]) -> dict[str, str]:
    return {s["path"]: s["reason"] for s in report["skipped_files"]}


def test_working_tree_includes_untracked_but_not_ignored_files(repo: Repo) -> None:
    """Default mode: tracked changes and untracked files, minus what .gitignore hides."""
    repo.write(".gitignore", "build/\n")
    repo.write("tracked.py", "x = 1\n")
    repo.commit("base")
    repo.write("tracked.py", "x = 1\n" + STUB)
    repo.write("new.py", STUB)
    repo.write("build/gen.py", STUB)
    assert paths(planned(repo)) == ["new.py", "tracked.py"]


def test_only_added_lines_count(repo: Repo) -> None:
    """A hole that was already on the default branch is not reported again."""
    repo.write("old.py", STUB)
    repo.commit("old stub")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("old.py", STUB + "\n\ndef another():\n    ...\n")
    report = planned(repo)
    assert [(h["start_line"], h["marker"]) for h in report["holes"]] == [(6, "...")]


def test_branch_is_compared_with_its_merge_base(repo: Repo) -> None:
    """Work that landed on main after the branch point is not the branch's."""
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("feature.py", STUB)
    repo.commit("feature")
    repo.git("checkout", "-q", "main")
    repo.write("main_only.py", STUB)
    repo.commit("on main")
    repo.git("checkout", "-q", "feature")
    assert paths(planned(repo)) == ["feature.py"]


def test_head_reads_text_from_git_objects(repo: Repo) -> None:
    """--head REV: the text at REV, whatever the working tree holds now."""
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("a.py", STUB)
    rev = repo.commit("feature")
    repo.write("a.py", "# rewritten\n")
    report = planned(repo, "--head", rev)
    assert paths(report) == ["a.py"]
    assert report["holes"][0]["prompt"]["prefix"] == "def todo_here():\n"
    report = planned(repo, "--head", rev, "--base", rev)
    assert report["holes"] == []


def test_staged_reads_the_index(repo: Repo) -> None:
    """--staged: the index against HEAD, text from the index, not from disk."""
    repo.write("a.py", STUB)
    repo.git("add", "a.py")
    repo.write("a.py", "def todo_here():\n    return 1\n")
    repo.write("unstaged.py", STUB)
    report = planned(repo, "--staged")
    assert paths(report) == ["a.py"]


def test_all_treats_paths_as_new_and_paths_narrow(repo: Repo) -> None:
    """--all PATH: every line new; PATH arguments narrow any mode."""
    repo.write("pkg/a.py", STUB)
    repo.write("pkg/b.py", STUB)
    repo.write("other/c.py", STUB)
    repo.commit("all committed")
    assert paths(planned(repo, "--all", "pkg")) == ["pkg/a.py", "pkg/b.py"]
    assert paths(planned(repo, "--all", "pkg/b.py", "other")) == ["other/c.py", "pkg/b.py"]
    assert paths(planned(repo, "--all", ".", cwd=repo.path / "pkg")) == ["pkg/a.py", "pkg/b.py"]


def test_all_works_outside_git(tmp_path: Path, home: Path) -> None:
    """--all needs no repository: the files are walked, hidden folders left out."""
    folder = tmp_path / "plain"
    (folder / ".hidden").mkdir(parents=True)
    (folder / "a.py").write_text(STUB)
    (folder / ".hidden" / "b.py").write_text(STUB)
    repo = Repo(folder, clean_env(home))
    assert paths(planned(repo, "--all", ".")) == ["a.py"]


def test_root_commit_compares_with_the_empty_tree(tmp_path: Path, home: Path) -> None:
    """A first commit with no default branch to compare with: everything in it is new."""
    path = tmp_path / "fresh"
    path.mkdir()
    repo = Repo(path, clean_env(home))
    repo.git("init", "-q", "-b", "trunk")
    repo.write("a.py", STUB)
    rev = repo.commit("root")
    assert paths(planned(repo, "--head", rev)) == ["a.py"]
    repo.write("b.py", STUB)  # and the working tree before any commit on a new branch
    assert paths(planned(repo)) == ["b.py"]


def test_unborn_branch_treats_everything_as_new(tmp_path: Path, home: Path) -> None:
    """A repository with no commit yet: untracked and staged files are all new."""
    path = tmp_path / "unborn"
    path.mkdir()
    repo = Repo(path, clean_env(home))
    repo.git("init", "-q", "-b", "main")
    repo.write("a.py", STUB)
    assert paths(planned(repo)) == ["a.py"]
    repo.git("add", "a.py")
    assert paths(planned(repo, "--staged")) == ["a.py"]


def test_renamed_file_reports_only_its_changed_lines(repo: Repo) -> None:
    """A rename with an edit: the old lines are not new, the edit is."""
    repo.write("old_name.py", "def kept():\n    pass\n" + "# filler line\n" * 20)
    repo.commit("old")
    repo.git("checkout", "-q", "-b", "feature")
    repo.git("mv", "old_name.py", "new_name.py")
    repo.write("new_name.py", repo.read("new_name.py") + "# TODO: a new note\n")
    repo.commit("rename")
    report = planned(repo)
    assert [(h["path"], h["marker"]) for h in report["holes"]] == [("new_name.py", "TODO")]


def test_deleted_files_are_ignored(repo: Repo) -> None:
    """A deleted file has no new side: nothing to scan, nothing to skip."""
    repo.write("gone.py", STUB)
    repo.commit("add")
    repo.git("checkout", "-q", "-b", "feature")
    repo.git("rm", "-q", "gone.py")
    report = planned(repo)
    assert report["holes"] == []
    assert report["skipped_files"] == []


def test_files_that_cannot_be_scanned_are_skipped_with_a_reason(repo: Repo) -> None:
    """Binary, non-UTF-8, huge, generated, vendored, LFS pointers, symlinks: listed, not read."""
    repo.write(".gitattributes", "gen.py linguist-generated\nlib.py linguist-vendored\n")
    repo.commit("attributes")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0")
    repo.write("nul.py", b"def f():\n    pass\n\0")
    repo.write("latin1.py", "# TODO: caf\xe9\ndef f():\n    pass\n".encode("latin-1"))
    repo.write("huge.py", STUB + "# padding\n" * 200)
    repo.write("gen.py", STUB)
    repo.write("lib.py", STUB)
    repo.write("vendor/dep.py", STUB)
    repo.write("lfs.py", "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n")
    os.symlink("gen.py", repo.path / "link.py")
    repo.write("fine.py", STUB)
    repo.commit("feature")
    report = planned(repo, "--max-file-size", "1000")
    assert paths(report) == ["fine.py"]
    reasons = skipped(report)
    assert reasons == {
        "logo.png": "binary",
        "nul.py": "binary",
        "latin1.py": reasons["latin1.py"],
        "huge.py": "larger than 1000 bytes",
        "gen.py": "generated (linguist-generated)",
        "lib.py": "vendored",
        "vendor/dep.py": "vendored",
        "lfs.py": "Git LFS pointer",
        "link.py": "symlink",
    }
    assert reasons["latin1.py"].startswith("not UTF-8")
    # The working-tree mode reads from disk and says the same.
    repo.write("huge.py", STUB + "# more padding\n" * 200)
    assert skipped(planned(repo, "--max-file-size", "1000"))["huge.py"].startswith("larger")


def test_submodule_is_skipped(repo: Repo, tmp_path: Path) -> None:
    """A submodule is another repository: listed as skipped, never entered."""
    inner = Repo(tmp_path / "inner", repo.env)
    inner.path.mkdir()
    inner.git("init", "-q", "-b", "main")
    inner.write("x.py", STUB)
    inner.commit("inner")
    repo.git("checkout", "-q", "-b", "feature")
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner.path), "sub")
    repo.commit("add submodule")
    assert skipped(planned(repo)) == {"sub": "submodule"}


def test_crlf_file_keeps_its_line_endings(repo: Repo, codestral: Any, model_env: Any) -> None:
    """A CRLF file: the same line numbers, and fills written back with CRLF."""
    codestral.respond("    return 42\n")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("win.py", b"def answer():\r\n    # TODO: the answer\r\n    pass\r\n\r\nx = 1\r\n")
    proc = repo.bot("run", "--apply", "--format", "json", **model_env)
    assert proc.returncode == 0, proc.stderr
    hole = json.loads(proc.stdout)["holes"][0]
    assert (hole["start_line"], hole["end_line"], hole["kind"]) == (2, 3, "stub")
    assert hole["suggestion"] == "    return 42\r\n"
    assert (repo.path / "win.py").read_bytes() == b"def answer():\r\n    return 42\r\n\r\nx = 1\r\n"


def test_no_newline_at_end_of_file_stays_so(repo: Repo, codestral: Any, model_env: Any) -> None:
    """A hole on the last line of a file without a final newline: none is added."""
    codestral.respond("    return 42\n")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("end.py", "def answer():\n    raise NotImplementedError")
    proc = repo.bot("run", "--apply", **model_env)
    assert proc.returncode == 0, proc.stderr
    assert repo.read("end.py") == "def answer():\n    return 42"


def test_tabs_are_kept(repo: Repo, codestral: Any, model_env: Any) -> None:
    """A tab-indented file gets a tab-indented fill, whatever the model sent."""
    codestral.respond("    total = 0\n    return total\n")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("tabs.py", "class A:\n\tdef f(self):\n\t\tpass\n")
    proc = repo.bot("run", "--apply", **model_env)
    assert proc.returncode == 0, proc.stderr
    assert repo.read("tabs.py") == "class A:\n\tdef f(self):\n\t\ttotal = 0\n\t\treturn total\n"


def test_non_ascii_and_odd_paths(repo: Repo) -> None:
    """Paths are read with -z: accents, spaces and quotes survive, reported with '/'."""
    repo.git("checkout", "-q", "-b", "feature")
    names = ["données/été.py", "with space.py", 'quote"d.py']
    for name in names:
        repo.write(name, STUB)
    repo.commit("odd names")
    assert sorted(paths(planned(repo))) == sorted(names)


def test_apply_refuses_a_partly_staged_file(repo: Repo, codestral: Any, model_env: Any) -> None:
    """--staged --apply: a file whose working tree differs from the index is never touched."""
    codestral.respond("    return 1\n")
    repo.write("a.py", STUB)
    repo.git("add", "a.py")
    repo.write("a.py", STUB + "# unstaged edit\n")
    proc = repo.bot("run", "--staged", "--apply", **model_env)
    assert proc.returncode == 0, proc.stderr
    assert "did not write a.py" in proc.stderr
    assert repo.read("a.py") == STUB + "# unstaged edit\n"


def test_empty_diff_is_a_quiet_success(repo: Repo) -> None:
    """Nothing changed: exit 0 and a summary that says so."""
    proc = repo.bot("run")
    assert proc.returncode == 0
    assert proc.stdout.strip() == "fim-bot: no holes found in the added lines"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        pytest.param(("--head", "no-such-rev"), "unknown revision 'no-such-rev'", id="bad-rev"),
        pytest.param(("--head", "HEAD", "--apply"), "--apply", id="apply-with-head"),
        pytest.param(("--staged", "--all"), "exclude each other", id="two-modes"),
        pytest.param(("--all", "missing.py"), "missing.py: no such file", id="missing-path"),
        pytest.param(
            ("--provider", "nope"), "--provider: must be codestral, mistral,", id="bad-provider"
        ),
        pytest.param(
            ("--api-base", "ftp://x"), "--api-base: must be an http(s) URL", id="bad-api-base"
        ),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(
    repo: Repo, args: tuple[str, ...], needle: str
) -> None:
    """Bad flags and revisions: exit 2, one line on stderr, no traceback."""
    proc = repo.bot("run", *args)
    assert proc.returncode == 2
    assert needle in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_not_a_git_repository(tmp_path: Path, home: Path) -> None:
    """Outside git the default mode has no diff: say so, and how to scan anyway."""
    folder = tmp_path / "plain"
    folder.mkdir()
    proc = Repo(folder, clean_env(home)).bot("run")
    assert proc.returncode == 2
    assert "not a git repository" in proc.stderr
    assert "--all" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_version_and_help(repo: Repo) -> None:
    """`bot --version` and `bot run --help` work and say what the tool does."""
    version = repo.bot("--version")
    assert version.returncode == 0
    assert version.stdout.startswith("fim-bot ")
    helped = repo.bot("run", "--help")
    assert helped.returncode == 0
    for flag in (
        "--base",
        "--head",
        "--staged",
        "--all",
        "--apply",
        "--dry-run",
        "--format",
        "--max-holes",
        "--seed",
        "--stop",
        "CODESTRAL_API_KEY",
    ):
        assert flag in helped.stdout
