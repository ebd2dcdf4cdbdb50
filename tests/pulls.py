"""A pull request on the fake GitHub and the real `bot` in GitHub mode against it, shared by
the tests of GitHub mode (the fixtures `github` and `run` reach every test through conftest)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_KEY, Repo, clean_env, shown
from tests.fakes.codestral import FakeCodestral
from tests.fakes.github import ACTIONS_TOKEN, FakeGitHub, PullFile, fake_sha

LIST_FILES = "GET /repos/{owner}/{repo}/pulls/{pull_number}/files"

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
def run(tmp_path: Path, home: Path, github: FakeGitHub, codestral: FakeCodestral) -> Iterator[Run]:
    codestral.responder = named_return
    runner = Run(tmp_path, home, github, codestral)
    yield runner
    # What the bot posted and wrote goes through the secrets check too.
    shown(
        *(c.body for c in github.review_comments(NUMBER)),
        *(r.body or "" for r in github.reviews(NUMBER)),
        *(p.read_text() for p in (runner.summary, runner.output) if p.exists()),
    )


def open_pull(
    github: FakeGitHub,
    files: dict[str, tuple[str | None, str]],
    head: str = HEAD,
    *,
    base: str | None = None,
) -> None:
    """Pull request NUMBER changing each path from old (None: added) to new; `base` and `head`
    name real commits when the bot is to find them in a checkout."""
    github.add_pull(
        OWNER,
        NAME,
        NUMBER,
        head,
        files={path: PullFile.from_texts(old, new) for path, (old, new) in files.items()},
        base_sha=base,
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
