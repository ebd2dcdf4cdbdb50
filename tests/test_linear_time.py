"""Text from a repository, a pull request or its configuration never stalls a run: each pattern
that once took super-linear time, fed its adversarial input through the real `bot` command.

Each run has a hang guard only (GUARD seconds, many times what it takes): the time is measured
in bench/pathological.py, against a plain pass over the same input. Before the fixes each of
these inputs took minutes, or never finished.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

from tests.conftest import BOT, Repo, shown

GUARD = 20.0  # seconds


def bot(repo: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    """`bot ARGS` in `repo`, failing the test when it runs past the hang guard."""
    try:
        proc = subprocess.run(
            [BOT, *args],
            cwd=repo.path,
            env=repo.env,
            capture_output=True,
            text=True,
            timeout=GUARD,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(f"`bot {' '.join(args)}` still ran after {GUARD:.0f} s") from None
    shown(proc.stdout, proc.stderr)
    return proc


def dry_run(repo: Repo, *args: str) -> dict[str, Any]:
    proc = bot(repo, "run", "--dry-run", "--format", "json", *args)
    assert proc.returncode == 0, proc.stderr
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


def holes(report: dict[str, Any]) -> list[tuple[str, int, str]]:
    return [(h["path"], h["start_line"], h["marker"]) for h in report["holes"]]


def test_an_exclude_glob_with_many_stars_on_a_long_folder_name(repo: Repo) -> None:
    """`*a*a*...*b` from the branch's own configuration, on a 200-character folder name."""
    star_glob = "*a" * 14 + "*b"
    repo.git("checkout", "-q", "-b", "feature")
    repo.write(".fim-bot.yml", f"exclude:\n  - '{star_glob}'\n")
    repo.write("a" * 200 + "/todo.py", "# TODO: kept\n")  # no "b": the glob fails on it
    repo.write("a" * 199 + "b/todo.py", "# TODO: excluded\n")
    repo.commit("two folders")
    report = dry_run(repo)
    assert holes(report) == [("a" * 200 + "/todo.py", 1, "TODO")]
    assert {"path": "a" * 199 + "b/todo.py", "reason": "excluded by configuration"} in report[
        "skipped_files"
    ]


def test_an_exclude_glob_with_many_double_stars_on_a_deep_path(repo: Repo) -> None:
    """`**/b/**/b/**/b/**/b/**/c` on a path 200 folders deep, each named "b"."""
    repo.git("checkout", "-q", "-b", "feature")
    repo.write(".fim-bot.yml", "exclude:\n  - '**/b/**/b/**/b/**/b/**/c'\n")
    deep = "b/" * 200
    repo.write(deep + "todo.py", "# TODO: kept\n")  # no "c": the glob fails on it
    repo.write(deep + "c/todo.py", "# TODO: excluded\n")
    repo.commit("deep folders")
    report = dry_run(repo)
    assert holes(report) == [(deep + "todo.py", 1, "TODO")]
    assert {"path": deep + "c/todo.py", "reason": "excluded by configuration"} in report[
        "skipped_files"
    ]


def test_a_stub_message_made_of_quotes(repo: Repo) -> None:
    """`throw new Error("a''...''b")` with 200,000 quotes is no stub message, and the file's
    real stub and TODO are still found."""
    repo.git("checkout", "-q", "-b", "feature")
    quotes = "'" * 200_000
    repo.write(
        "app.js",
        f'function f() {{\n  throw new Error("a{quotes}b");\n}}\n\n'
        'function g() {\n  throw new Error("not implemented");\n}\n\n'
        "// TODO: the rest\n",
    )
    repo.commit("quotes")
    assert holes(dry_run(repo)) == [("app.js", 6, "Error"), ("app.js", 9, "TODO")]


def test_a_module_of_class_headers_that_never_close(repo: Repo) -> None:
    """60,000 lines `class A(` in a module of the repository, read for the subclasses of a
    base class whose stub methods the branch adds: the subclass above them still counts."""
    repo.write(
        "others.py",
        "class Fast(Base):\n    def hook(self):\n        return 1\n\n\n" + "class A(\n" * 60_000,
    )
    repo.commit("a module of open headers")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write(
        "base.py",
        "class Base:\n    def hook(self):\n        pass\n\n    def other(self):\n        pass\n",
    )
    repo.commit("a base class")
    # `hook` is overridden by Fast: a hook meant to stay empty; `other` is a hole.
    assert holes(dry_run(repo)) == [("base.py", 6, "pass")]


def test_a_long_api_base_that_is_no_url(repo: Repo) -> None:
    """An `api-base` of 100,000 characters with a blank near its end is refused at once."""
    repo.write(".fim-bot.yml", f'api-base: "http://{"a" * 100_000} x"\n')
    proc = bot(repo, "config")
    assert proc.returncode == 2
    assert proc.stderr.startswith(
        "fim-bot: error: .fim-bot.yml:1: 'api-base' must be an http(s) URL, got 'http://aaa"
    )


def test_a_long_api_base_that_is_a_url(repo: Repo) -> None:
    """The control: the same 100,000 characters without the blank are a URL."""
    url = f"http://{'a' * 100_000}"
    repo.write(".fim-bot.yml", f'api-base: "{url}"\n')
    proc = bot(repo, "config", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["settings"]["api-base"]["value"] == url


def test_a_run_of_hashes_in_a_language_read_by_the_lexer(repo: Repo) -> None:
    """100,000 "#" in Swift (no grammar installed: the comment lexer reads it), where `#"`
    opens a raw string: the TODO after them is still found."""
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("a.swift", "let x = 1\n" + "#" * 100_000 + "\n// TODO: after the run\n")
    repo.commit("hashes")
    assert holes(dry_run(repo)) == [("a.swift", 3, "TODO")]


def test_nested_block_comments_deep_in_a_language_read_by_the_lexer(repo: Repo) -> None:
    """150,000 Haskell `{-` then as many `-}`: one comment, nested 150,000 deep, and the TODO
    after it is found."""
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("a.hs", "{-" * 150_000 + "-}" * 150_000 + "\n-- TODO: after the comment\n")
    repo.commit("nested")
    assert holes(dry_run(repo)) == [("a.hs", 2, "TODO")]
