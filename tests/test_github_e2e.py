"""GitHub mode end to end: the real `bot`, the fake Codestral and the fake GitHub."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_KEY, Repo, clean_env
from tests.fakes.codestral import FakeCodestral
from tests.fakes.github import ACTIONS_TOKEN, CREATE_REVIEW, FakeGitHub, PullFile, fake_sha

OWNER, NAME, NUMBER = "octo-org", "hello", 7
HEAD = fake_sha("head-1")
_DEF = re.compile(r"def (\w+)\(")


def named_return(body: dict[str, Any]) -> str:
    """The fill names the function the hole sits in: easy to check, different per hole; a
    top-level TODO gets an assignment named after its text."""
    last = body["prompt"].rstrip("\n").rsplit("\n", 1)[-1]
    if last.startswith("# "):
        return f"{last[2:].split()[0]} = 1\n"
    name = _DEF.findall(body["prompt"])[-1]
    return f"    return {name!r}\n"


def stubs(names: list[str], *, body: str = "pass") -> str:
    return "".join(f"def {n}():\n    {body}\n\n\n" for n in names)


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake
        fake.assert_no_invalid_requests()


class Run:
    """The bot in GitHub mode against both fakes, from a folder that is not a checkout."""

    def __init__(self, tmp_path: Path, home: Path, github: FakeGitHub, model: FakeCodestral):
        self.folder = tmp_path / "work"
        self.folder.mkdir()
        self.summary = tmp_path / "summary.md"
        self.output = tmp_path / "output.txt"
        self.env = clean_env(
            home,
            GITHUB_TOKEN=ACTIONS_TOKEN,
            GITHUB_API_URL=github.base_url,
            GITHUB_STEP_SUMMARY=str(self.summary),
            GITHUB_OUTPUT=str(self.output),
            CODESTRAL_API_KEY=TEST_KEY,
            CODESTRAL_API_BASE=model.base_url,
        )

    def __call__(self, *args: str, **env: str) -> Any:
        repo = Repo(self.folder, {**self.env, **env})
        return repo.bot("run", "--github", "--repo", f"{OWNER}/{NAME}", "--pr", str(NUMBER), *args)

    def outputs(self) -> dict[str, str]:
        return dict(line.split("=", 1) for line in self.output.read_text().splitlines())


@pytest.fixture
def run(tmp_path: Path, home: Path, github: FakeGitHub, codestral: FakeCodestral) -> Run:
    codestral.responder = named_return
    return Run(tmp_path, home, github, codestral)


def open_pull(
    github: FakeGitHub, files: dict[str, tuple[str | None, str]], head: str = HEAD
) -> None:
    github.add_pull(
        OWNER,
        NAME,
        NUMBER,
        head,
        files={path: PullFile.from_texts(old, new) for path, (old, new) in files.items()},
        base_files={path: old for path, (old, new) in files.items() if old is not None},
    )


def applied(github: FakeGitHub, path: str, text: str) -> str:
    """`text` with every suggestion the bot left on `path` applied, as GitHub's button does."""
    lines = text.splitlines(keepends=True)
    comments = sorted(
        (c for c in github.review_comments(NUMBER) if c.path == path and c.line),
        key=lambda c: c.line or 0,
        reverse=True,
    )
    for comment in comments:
        match = re.search(r"^(`{3,})suggestion\n(.*?)^\1$", comment.body, re.S | re.M)
        assert match, comment.body
        start = comment.start_line or comment.line
        lines[start - 1 : comment.line] = [match[2]]
    return "".join(lines)


def test_first_run_posts_one_review_whose_suggestions_apply(
    run: Run, github: FakeGitHub, codestral: FakeCodestral
) -> None:
    """Every hole becomes a suggestion in one review; applied, they give the expected file."""
    new = "import os\n\n\n" + stubs(["alpha", "beta"]) + "# TODO: gamma\n"
    open_pull(github, {"pkg/mod.py": ("import os\n", new)})
    proc = run()
    assert proc.returncode == 0, proc.stderr
    assert github.count(CREATE_REVIEW) == 1
    (review,) = github.reviews(NUMBER)
    assert review.state == "COMMENTED"
    assert "| 3 | 3 | 0 | 0 |" in review.body
    expected = new.replace("    pass\n", "    return 'alpha'\n", 1).replace(
        "    pass\n", "    return 'beta'\n", 1
    )
    assert applied(github, "pkg/mod.py", new) == expected.replace("# TODO: gamma\n", "gamma = 1\n")
    assert run.outputs() == {"holes": "3", "suggested": "3", "failed": "0"}
    assert "fim-bot" in run.summary.read_text()
    assert len(codestral.requests) == 3


def test_second_run_on_the_same_head_costs_nothing(
    run: Run, github: FakeGitHub, codestral: FakeCodestral
) -> None:
    """Re-running on the same head: 0 model calls, 0 new comments, every hole skipped."""
    open_pull(github, {"mod.py": (None, stubs(["alpha", "beta"]))})
    assert run().returncode == 0
    calls, comments = len(codestral.requests), len(github.review_comments(NUMBER))
    mark = github.mark()
    proc = run("--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert len(codestral.requests) == calls
    assert len(github.review_comments(NUMBER)) == comments == 2
    assert github.count(CREATE_REVIEW, since=mark) == 0
    payload = proc.stdout.split("\n", 1)[1].rsplit("::", 2)[0]
    report = json.loads(payload[: payload.rindex("}") + 1])
    assert [h["reason"] for h in report["holes"]] == ["already suggested"] * 2


def test_no_model_key_is_a_notice_and_exit_0(run: Run, github: FakeGitHub) -> None:
    """Forks and Dependabot get no secrets: a notice, no failure, nothing posted."""
    open_pull(github, {"mod.py": (None, stubs(["alpha"]))})
    proc = run(CODESTRAL_API_KEY="")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("::notice::")
    assert github.count(CREATE_REVIEW) == 0
    assert run.outputs()["holes"] == "0"
