"""GitHub mode end to end: the real `bot`, the fake Codestral and the fake GitHub."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Repo, clean_env
from tests.fakes.codestral import FakeCodestral
from tests.fakes.github import CREATE_REVIEW, GRAPHQL, FakeGitHub, PullFile, fake_sha
from tests.pulls import (
    HEAD,
    LIST_FILES,
    NAME,
    NUMBER,
    OWNER,
    Run,
    applied,
    named_return,
    open_pull,
    stubs,
)

CONTENTS = "GET /repos/{owner}/{repo}/contents/{path}"


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


def test_a_push_that_fixes_a_todo_resolves_its_thread_only(
    run: Run, github: FakeGitHub, codestral: FakeCodestral
) -> None:
    """After the author fills one hole, the bot resolves that thread and leaves the others."""
    first = stubs(["alpha", "beta", "gamma"])
    open_pull(github, {"mod.py": (None, first)})
    assert run().returncode == 0
    fixed = first.replace("    pass\n", "    return 1\n", 1)  # alpha is done by hand
    github.push(NUMBER, fake_sha("head-2"), {"mod.py": PullFile.from_texts(None, fixed)})
    calls = len(codestral.requests)
    proc = run()
    assert proc.returncode == 0, proc.stderr
    assert len(codestral.requests) == calls  # beta and gamma are already suggested
    resolved = {t.comments[0].body.count("'alpha'"): t.resolved for t in github.threads(NUMBER)}
    assert resolved == {1: True, 0: False}
    assert sum(not t.resolved for t in github.threads(NUMBER)) == 2


def test_45_holes_make_two_reviews_of_at_most_30_comments(run: Run, github: FakeGitHub) -> None:
    """Reviews carry at most 30 inline comments: 45 holes take two."""
    names = [f"f{i:02}" for i in range(45)]
    open_pull(github, {"many.py": (None, stubs(names))})
    proc = run("--max-holes", "0")
    assert proc.returncode == 0, proc.stderr
    sizes = sorted(len(r.comments) for r in github.reviews(NUMBER))
    assert sizes == [15, 30]
    assert github.count(CREATE_REVIEW) == 2


def test_backticks_in_a_fill_get_a_longer_fence_and_apply_exactly(
    run: Run, github: FakeGitHub, codestral: FakeCodestral
) -> None:
    """A fill holding ``` is fenced with more backticks, so it applies byte for byte."""
    codestral.respond('    return """```python\n    code\n    ```"""\n')
    new = stubs(["doc"])
    open_pull(github, {"mod.py": (None, new)})
    assert run().returncode == 0
    (comment,) = github.review_comments(NUMBER)
    assert "````suggestion\n" in comment.body
    assert applied(github, "mod.py", new) == new.replace(
        "    pass\n", '    return """```python\n    code\n    ```"""\n'
    )


def test_read_only_token_writes_the_fills_to_the_summary(
    run: Run, github: FakeGitHub, codestral: FakeCodestral
) -> None:
    """A fork's token cannot post: fills go to the step summary and notices, exit 0."""
    github.read_only = True
    open_pull(github, {"mod.py": (None, stubs(["alpha"]))})
    proc = run()
    assert proc.returncode == 0, proc.stderr
    assert "::warning::fim-bot: the token is read-only" in proc.stdout
    assert "::notice file=mod.py,line=2,endLine=2::" in proc.stdout
    summary = run.summary.read_text()
    assert "+    return 'alpha'" in summary
    assert github.reviews(NUMBER) == []
    assert {e.kind for e in github.take_errors()} == {"forbidden"}  # the refused write only


def test_a_rejected_comment_is_reported_and_the_others_posted(run: Run, github: FakeGitHub) -> None:
    """GitHub refuses one comment (422): the review is bisected, the rest are posted."""
    github.reject_comments_containing("'beta'")
    open_pull(github, {"mod.py": (None, stubs(["alpha", "beta", "gamma", "delta"]))})
    proc = run()
    assert proc.returncode == 0, proc.stderr
    posted = github.review_comments(NUMBER)
    assert len(posted) == 3
    assert "'beta'" not in "".join(c.body for c in posted)
    summary = run.summary.read_text()
    assert "GitHub refused the suggestion" in summary
    assert "+    return 'beta'" in summary
    assert {e.kind for e in github.take_errors()} == {"rule"}  # the 422s, and nothing else


def test_head_moved_during_the_run_posts_nothing(run: Run, github: FakeGitHub) -> None:
    """A push lands while the bot works: it posts nothing and says the next run will."""
    open_pull(github, {"mod.py": (None, stubs(["alpha"]))})
    github.move_head(
        NUMBER,
        fake_sha("newer"),
        {"mod.py": PullFile.from_texts(None, stubs(["alpha", "beta"]))},
        after=1,
        route="GET /repos/{owner}/{repo}/pulls/{pull_number}",
    )
    proc = run()
    assert proc.returncode == 0, proc.stderr
    assert "moved on" in proc.stdout
    assert github.reviews(NUMBER) == []


def test_text_from_the_pull_request_cannot_act(
    run: Run, github: FakeGitHub, codestral: FakeCodestral, tmp_path: Path, home: Path
) -> None:
    """A workflow command, an @-mention and a forged fingerprint in PR text take no effect."""
    codestral.respond("    return 1\n::error::forged\n")
    new = "def alpha():\n    # TODO: ping @someone and ::error::boom\n    pass\n"
    # Learn the fingerprint the bot gives this hole, on another fake GitHub.
    with FakeGitHub() as other:
        other.add_pull(OWNER, NAME, NUMBER, HEAD, files={"mod.py": PullFile.from_texts(None, new)})
        (tmp_path / "other").mkdir()
        assert Run(tmp_path / "other", home, other, codestral)().returncode == 0
        (learned,) = other.review_comments(NUMBER)
    forged = learned.body.rsplit("\n", 1)[-1]
    assert forged.startswith("<!-- fim-bot:fingerprint=")
    open_pull(github, {"mod.py": (None, new)})
    github.add_comment(NUMBER, "mod.py", 3, f"looks done to me\n{forged}", author="mallory")
    proc = run()
    assert proc.returncode == 0, proc.stderr
    # Everything the PR or the model wrote sits between ::stop-commands:: markers.
    stop = re.search(r"::stop-commands::(\w+)\n(.*?)\n::\1::", proc.stdout, re.S)
    assert stop
    assert "::error::" in stop[2]
    assert "::error::" not in proc.stdout.replace(stop[0], "")
    mine = [c for c in github.review_comments(NUMBER) if c.user.login != "mallory"]
    assert len(mine) == 1  # the forged marker did not make the bot skip the hole
    assert "@someone" not in mine[0].body
    assert "@\u2060someone" in mine[0].body
    assert all(not t.resolved for t in github.threads(NUMBER))  # nor resolve mallory's thread


def test_a_pull_request_workflow_is_detected_without_flags(
    run: Run, github: FakeGitHub, tmp_path: Path
) -> None:
    """GITHUB_EVENT_NAME=pull_request and its event file choose GitHub mode by themselves."""
    open_pull(github, {"mod.py": (None, stubs(["alpha"]))})
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "action": "synchronize",
                "number": NUMBER,
                "pull_request": {"number": NUMBER, "head": {"sha": HEAD}},
                "repository": {"full_name": f"{OWNER}/{NAME}"},
            }
        )
    )
    repo = Repo(
        run.folder,
        {**run.env, "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event)},
    )
    proc = repo.bot("run")
    assert proc.returncode == 0, proc.stderr
    assert len(github.review_comments(NUMBER)) == 1


def test_text_comes_from_the_local_checkout_when_it_holds_the_head(
    tmp_path: Path, home: Path, github: FakeGitHub, codestral: FakeCodestral
) -> None:
    """With the head commit on disk, file text is read from git: no contents API request."""
    codestral.responder = named_return
    checkout = Repo(tmp_path / "checkout", clean_env(home))
    checkout.path.mkdir()
    checkout.git("init", "-q", "-b", "main")
    checkout.write("mod.py", "import os\n")
    base = checkout.commit("base")
    checkout.write("mod.py", "import os\n\n\n" + stubs(["alpha"]))
    head = checkout.commit("head")
    open_pull(github, {"mod.py": ("import os\n", checkout.read("mod.py"))}, head, base=base)
    run = Run(tmp_path, home, github, codestral)
    run.folder = checkout.path
    proc = run()
    assert proc.returncode == 0, proc.stderr
    assert github.count(CONTENTS) == 0
    assert len(github.review_comments(NUMBER)) == 1


def test_hundreds_of_files_are_read_over_several_pages(run: Run, github: FakeGitHub) -> None:
    """A pull request of 320 files is read page by page; the holes of every page count."""
    files: dict[str, tuple[str | None, str]] = {
        f"pkg/m{i:03}.py": (None, "x = 1\n") for i in range(318)
    }
    files["pkg/m400.py"] = (None, stubs(["alpha"]))
    files["pkg/m500.py"] = (None, stubs(["beta"]))
    open_pull(github, files)
    proc = run()
    assert proc.returncode == 0, proc.stderr
    assert github.count("GET /repos/{owner}/{repo}/pulls/{pull_number}/files") == 4
    assert len(github.review_comments(NUMBER)) == 2


def test_a_leftover_pending_review_is_cleaned_up(run: Run, github: FakeGitHub) -> None:
    """A pending review the bot left behind (a run that died) is deleted before posting."""
    open_pull(github, {"mod.py": (None, stubs(["alpha", "beta"]))})
    github.add_comment(NUMBER, "mod.py", 2, "draft", author="github-actions[bot]", pending=True)
    proc = run()
    assert proc.returncode == 0, proc.stderr
    assert [r.state for r in github.reviews(NUMBER)] == ["COMMENTED"]


@pytest.mark.parametrize("kind", ["secondary_rate_limit", "secondary_rate_limit_429"])
def test_a_secondary_rate_limit_is_waited_out(run: Run, github: FakeGitHub, kind: str) -> None:
    """403 or 429 with Retry-After on the review: the bot waits as told (logged) and posts."""
    open_pull(github, {"mod.py": (None, stubs(["alpha"]))})
    github.fail(kind, route=CREATE_REVIEW, retry_after=42)
    proc = run("-vv")
    assert proc.returncode == 0, proc.stderr
    assert "wait 42.000s: GitHub rate limit" in proc.stderr
    assert len(github.review_comments(NUMBER)) == 1
    github.take_errors()


def test_an_outdated_suggestion_is_minimized_and_made_afresh(
    run: Run, github: FakeGitHub, codestral: FakeCodestral
) -> None:
    """When a push moves a hole's lines, its old thread is outdated: minimize it, suggest again."""
    first = stubs(["alpha"])
    open_pull(github, {"mod.py": (None, first)})
    assert run().returncode == 0
    moved = "import os\n\n\n" + first
    github.push(NUMBER, fake_sha("head-2"), {"mod.py": PullFile.from_texts(None, moved)})
    assert any(t.outdated for t in github.threads(NUMBER))
    proc = run()
    assert proc.returncode == 0, proc.stderr
    comments = github.review_comments(NUMBER)
    assert len(comments) == 2
    assert github.count("graphql:minimizeComment") == 1
    assert len(codestral.requests) == 2


@pytest.mark.parametrize("holes", [1, 10, 40])
def test_github_requests_grow_by_one_review_per_30_holes(
    run: Run, github: FakeGitHub, holes: int
) -> None:
    """Requests per run: a fixed handful, one contents read per file, one review per 30 holes."""
    open_pull(github, {"mod.py": (None, stubs([f"f{i:02}" for i in range(holes)]))})
    assert run("--max-holes", "0").returncode == 0
    counts = {k: v for k, v in github.counts().items() if not k.startswith("graphql:")}
    # One review per 30 holes; the rest does not grow with the holes: the pull request twice
    # (before and after the work, to see that its head did not move), its files, one file's
    # contents (the head is not on disk here), GraphQL for the .gitattributes above the file
    # and for the bot's threads, its pending reviews. The Actions token's login is known
    # without asking.
    assert counts == {
        "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews": -(-holes // 30),
        "GET /repos/{owner}/{repo}/pulls/{pull_number}": 2,
        "GET /repos/{owner}/{repo}/pulls/{pull_number}/files": 1,
        CONTENTS: 1,
        "POST /graphql": 2,
        "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews": 1,
    }
    assert attribute_reads(github) == [[".gitattributes"]]


def test_a_fill_reaching_outside_the_hunk_goes_to_the_review_body(
    run: Run, github: FakeGitHub, codestral: FakeCodestral
) -> None:
    """A hole whose lines are not all in one hunk is never an inline comment: a diff instead."""
    codestral.respond("    return 1\n")
    old = "def alpha():\n" + "".join(f"    # step {n}\n" for n in range(8)) + "    pass\n"
    new = old.replace("def alpha():\n", "def alpha():\n    # TODO: do the steps\n")
    open_pull(github, {"mod.py": (old, new)})
    proc = run()
    assert proc.returncode == 0, proc.stderr
    assert github.review_comments(NUMBER) == []
    (review,) = github.reviews(NUMBER)
    assert "```diff\n" in review.body
    assert "+    return 1\n" in review.body


def test_a_pull_request_cannot_redirect_the_key_through_the_config_file(
    run: Run, github: FakeGitHub, codestral: FakeCodestral
) -> None:
    """`api-base` in the checked-out config file is ignored on pull requests (with a warning):
    a pull request could otherwise send the key anywhere."""
    open_pull(github, {"mod.py": (None, stubs(["alpha"]))})
    (run.folder / ".fim-bot.yml").write_text("api-base: http://127.0.0.1:9/steal\n")
    proc = run("--dry-run", CODESTRAL_API_BASE="")
    assert proc.returncode == 0, proc.stderr
    assert "ignoring api-base from .fim-bot.yml:1 on a pull request" in proc.stderr


def test_excluded_files_are_never_read_on_a_pull_request(
    run: Run, github: FakeGitHub, codestral: FakeCodestral
) -> None:
    """A file the configuration excludes is not even fetched, let alone sent."""
    open_pull(
        github, {"secret_settings.py": (None, stubs(["alpha"])), "ok.py": (None, stubs(["beta"]))}
    )
    proc = run()
    assert proc.returncode == 0, proc.stderr
    fetched = [r.params["path"] for r in github.requests if r.route == CONTENTS]
    assert fetched == ["ok.py"]
    assert all("alpha" not in r.body["prompt"] for r in codestral.requests)


def test_path_arguments_narrow_a_pull_request_run(run: Run, github: FakeGitHub) -> None:
    """PATH arguments (the Action's `paths` input) narrow GitHub mode as they do the others."""
    open_pull(github, {"src/a.py": (None, stubs(["alpha"])), "tools/b.py": (None, stubs(["beta"]))})
    proc = run("src")
    assert proc.returncode == 0, proc.stderr
    (comment,) = github.review_comments(NUMBER)
    assert comment.path == "src/a.py"


def test_a_bad_gateway_on_a_read_is_retried(run: Run, github: FakeGitHub) -> None:
    """GitHub answers a read with 502 twice: the bot waits (logged, never slept in tests) and
    reads again, then posts its one review."""
    open_pull(github, {"mod.py": (None, stubs(["alpha"]))})
    github.fail("bad_gateway", route=LIST_FILES, times=2)
    proc = run("-vv")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("GitHub 502") == 2
    assert len(github.review_comments(NUMBER)) == 1
    assert {e.kind for e in github.take_errors()} <= {"fault"}


def test_a_bad_gateway_after_the_review_was_stored_never_posts_it_twice(
    run: Run, github: FakeGitHub, codestral: FakeCodestral
) -> None:
    """A 502 on the review's POST after GitHub stored it: the POST is not sent again (that
    would post every comment twice), the run says so, and the next run finds the review and
    neither asks the model nor posts again."""
    open_pull(github, {"mod.py": (None, stubs(["alpha", "beta"]))})
    github.fail("bad_gateway", route=CREATE_REVIEW, apply=True)
    first = run()
    assert "Traceback" not in first.stderr
    assert first.returncode == 0, first.stderr  # GitHub's outage is not the author's to fix
    assert "::warning::fim-bot could not finish: could not post the review: HTTP 502" in (
        first.stdout
    )
    assert github.count(CREATE_REVIEW) == 1
    assert len(github.review_comments(NUMBER)) == 2
    github.take_errors()
    calls = len(codestral.requests)
    second = run()
    assert second.returncode == 0, second.stderr
    assert github.count(CREATE_REVIEW) == 1
    assert len(github.review_comments(NUMBER)) == 2
    assert len(codestral.requests) == calls


def attribute_reads(github: FakeGitHub, head: str = HEAD) -> list[list[str]]:
    """Per GraphQL request naming files at the head ("<head>:<path>"), those paths in order."""
    asked = (
        [v.partition(":")[2] for v in r.body["variables"].values() if f"{v}".startswith(head)]
        for r in github.requests
        if r.route == GRAPHQL
    )
    return [paths for paths in asked if paths]


def report_of(proc: Any) -> Any:
    """The JSON report of a `--format json` run, from between its ::stop-commands:: markers."""
    payload = proc.stdout.split("\n", 1)[1].rsplit("::", 2)[0]
    return json.loads(payload[: payload.rindex("}") + 1])


def test_the_heads_gitattributes_skip_generated_and_vendored_files(
    run: Run, github: FakeGitHub
) -> None:
    """Without the head on disk, its .gitattributes (the top's and a folder's) skip generated
    and vendored files with the local reasons, read together in one GraphQL request."""
    github.add_pull(
        OWNER,
        NAME,
        NUMBER,
        HEAD,
        files={
            "gen/api.py": PullFile.from_texts(None, stubs(["alpha"])),
            "lib/vendor.py": PullFile.from_texts(None, stubs(["beta"])),
            "lib/core.py": PullFile.from_texts(None, stubs(["gamma"])),
        },
        base_files={
            ".gitattributes": "gen/** linguist-generated\n",
            "lib/.gitattributes": "vendor.py linguist-vendored\n",
        },
    )
    proc = run("--format", "json")
    assert proc.returncode == 0, proc.stderr
    skipped = {f["path"]: f["reason"] for f in report_of(proc)["skipped_files"]}
    assert skipped == {"gen/api.py": "generated (linguist-generated)", "lib/vendor.py": "vendored"}
    assert [c.path for c in github.review_comments(NUMBER)] == ["lib/core.py"]
    read = [r.params["path"] for r in github.requests if r.route == CONTENTS]
    assert read == ["lib/core.py"]  # only the file not skipped
    # Each folder's .gitattributes asked once, gen/'s too (it has none: null, no error).
    assert attribute_reads(github) == [
        [".gitattributes", "gen/.gitattributes", "lib/.gitattributes"]
    ]


def pull_with(github: FakeGitHub, paths: list[str], base_files: dict[str, str]) -> None:
    """Pull request NUMBER adding a file with one stub at each path, onto `base_files`."""
    files = {path: PullFile.from_texts(None, stubs([f"f{n}"])) for n, path in enumerate(paths)}
    github.add_pull(OWNER, NAME, NUMBER, HEAD, files=files, base_files=base_files)


def test_thirty_nested_folders_cost_one_attributes_request(run: Run, github: FakeGitHub) -> None:
    """A file in each of 30 nested folders: the 31 .gitattributes that can apply are asked for
    in one GraphQL request, and a deeper folder's rules override a shallower one's, as in git."""
    folders = ["/".join(f"n{d}" for d in range(1, depth + 1)) for depth in range(1, 31)]
    paths = [f"{folder}/mod.py" for folder in folders]
    pull_with(
        github,
        paths,
        {
            f"{folders[19]}/.gitattributes": "*.py linguist-generated\n",  # depth 20 and below
            f"{folders[24]}/.gitattributes": "*.py -linguist-generated\n",  # not from 25 on
        },
    )
    proc = run("--format", "json", "--max-holes", "0")
    assert proc.returncode == 0, proc.stderr
    generated = paths[19:24]
    skipped = {f["path"]: f["reason"] for f in report_of(proc)["skipped_files"]}
    assert skipped == dict.fromkeys(generated, "generated (linguist-generated)")
    assert {c.path for c in github.review_comments(NUMBER)} == set(paths) - set(generated)
    assert attribute_reads(github) == [
        [".gitattributes", *(f"{folder}/.gitattributes" for folder in folders)]
    ]
    counts = {k: v for k, v in github.counts().items() if not k.startswith("graphql:")}
    assert counts == {
        "GET /repos/{owner}/{repo}/pulls/{pull_number}": 2,
        "GET /repos/{owner}/{repo}/pulls/{pull_number}/files": 1,
        GRAPHQL: 2,  # the .gitattributes, the bot's threads
        CONTENTS: 25,  # the files not skipped, and nothing else
        "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews": 1,
        CREATE_REVIEW: 1,
    }


def test_many_folders_are_read_100_to_a_request(run: Run, github: FakeGitHub) -> None:
    """30 files six folders deep (181 folders with the top): two GraphQL requests for their
    .gitattributes instead of 181 contents reads, and one in the second request applies."""
    paths = [f"a{n}/b/c/d/e/f/m{n}.py" for n in range(30)]
    pull_with(github, paths, {"a9/b/c/d/e/f/.gitattributes": "m9.py linguist-vendored\n"})
    proc = run("--format", "json", "--max-holes", "0")
    assert proc.returncode == 0, proc.stderr
    skipped = {f["path"]: f["reason"] for f in report_of(proc)["skipped_files"]}
    assert skipped == {"a9/b/c/d/e/f/m9.py": "vendored"}
    reads = attribute_reads(github)
    assert [len(paths) for paths in reads] == [100, 81]
    assert reads[1][-1] == "a9/b/c/d/e/f/.gitattributes"
    # The pull request twice, its files, 29 files' contents, 3 GraphQL (the .gitattributes
    # twice, the threads), the pending reviews, the review. Through the contents API it was
    # 181 more: one read per folder, nearly all of them a 404.
    assert github.count() == 37


def test_an_error_reading_gitattributes_is_a_warning(run: Run, github: FakeGitHub) -> None:
    """GitHub failing the .gitattributes request (every retry) costs the attributes, not the
    run: a warning, and the file they would have skipped is scanned and suggested for."""
    pull_with(github, ["gen/api.py"], {".gitattributes": "gen/** linguist-generated\n"})
    github.fail("server_error", route=GRAPHQL, times=3)  # the first GraphQL request: this one
    proc = run()
    assert proc.returncode == 0, proc.stderr
    # the top folder's and gen/'s, in the one request that failed
    assert (
        f"fim-bot: cannot read .gitattributes (could not read 2 files at {HEAD[:12]}: HTTP 500"
    ) in proc.stderr
    assert proc.stderr.rstrip().endswith("): generated and vendored files are scanned")
    assert [c.path for c in github.review_comments(NUMBER)] == ["gen/api.py"]
    assert {e.kind for e in github.take_errors()} <= {"fault"}


def test_a_gitattributes_too_large_cut_short_or_binary_is_left_out(
    run: Run, github: FakeGitHub
) -> None:
    """A .gitattributes over 1 MB, one GitHub cut short, and a binary one are not applied (a
    warning names each); a readable one beside them still is."""
    rules = "*.py linguist-generated\n"
    pull_with(
        github,
        ["big/a.py", "cut/b.py", "bin/c.py", "ok/d.py", "none/e.py"],
        {
            "big/.gitattributes": rules + "# padding\n" * 110_000,
            "cut/.gitattributes": rules + "# padding\n" * 60_000,
            "bin/.gitattributes": rules + "\0",
            "ok/.gitattributes": rules,
        },
    )
    proc = run("--format", "json")
    assert proc.returncode == 0, proc.stderr
    skipped = {f["path"]: f["reason"] for f in report_of(proc)["skipped_files"]}
    assert skipped == {"ok/d.py": "generated (linguist-generated)"}
    assert "big/.gitattributes is larger than 1000000 bytes: the attributes it" in proc.stderr
    assert "cut/.gitattributes came cut short from GitHub: the attributes it" in proc.stderr
    assert "bin/.gitattributes is not text: the attributes it sets" in proc.stderr
    assert "none/.gitattributes" not in proc.stderr


def shown_as(markdown: str) -> str:
    """The text that Markdown outside code shows: backslash escapes and HTML entities read,
    word joiners invisible."""
    unescaped = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)
    return html.unescape(unescaped).replace("\u2060", "")


def test_todo_text_in_a_title_neither_hides_the_suggestion_nor_mentions(
    run: Run, github: FakeGitHub, codestral: FakeCodestral
) -> None:
    """TODO texts with `<!--`, `-->`, @-mentions and backticks show as they are in the title:
    the suggestion and the fingerprint stay intact (a re-run costs nothing), no one is named."""
    todos = [
        "<!-- x",
        "close --> <b>here</b> & there",
        "ask @someone, (@alice) or @some-one",
        "ping @org/team",
        "use `code` and a ` tick`",
    ]
    names = [f"f{i}" for i in range(len(todos))]
    new = "".join(
        f"def {n}():\n    # TODO: {t}\n    pass\n\n\n" for n, t in zip(names, todos, strict=True)
    )
    open_pull(github, {"mod.py": (None, new)})
    assert run().returncode == 0
    comments = sorted(github.review_comments(NUMBER), key=lambda c: c.line or 0)
    assert len(comments) == len(todos)
    prefix = "**fim-bot** suggests a fill for this `TODO` stub. ("
    for comment, todo in zip(comments, todos, strict=True):
        title, *_, last = comment.body.split("\n")
        assert re.fullmatch(r"<!-- fim-bot:fingerprint=[0-9a-f]{16} -->", last)
        assert "<!--" not in title
        assert not re.search(r"@[\w-]", comment.body)
        assert title.startswith(prefix)
        assert title.endswith(")")
        assert shown_as(title[len(prefix) : -1]) == todo
    done = "".join(f"def {n}():\n    return {n!r}\n\n\n" for n in names)
    assert applied(github, "mod.py", new) == done
    calls, mark = len(codestral.requests), github.mark()
    assert run().returncode == 0
    assert len(codestral.requests) == calls
    assert github.count(CREATE_REVIEW, since=mark) == 0


def test_a_path_in_the_step_summary_is_a_code_span_that_mentions_no_one(
    run: Run, github: FakeGitHub
) -> None:
    """A path holding backticks and `@team` keeps to its code span above a read-only run's
    diff in the summary, as it is (GitHub makes no mention inside code), and names no one
    outside the diff's fence and the span."""
    github.read_only = True
    path = "`@ops`/<!--.py"
    open_pull(github, {path: (None, stubs(["alpha"]))})
    assert run().returncode == 0
    assert {e.kind for e in github.take_errors()} == {"forbidden"}  # the refused write only
    summary = run.summary.read_text()
    assert "\n`` `@ops`/<!--.py ``, lines 2-2:\n\n```diff\n" in summary
    outside = re.sub(r"^```diff\n.*?^```$", "", summary, flags=re.S | re.M)
    outside = re.sub(r"(`+)(?!`).+?(?<!`)\1(?!`)", "", outside)  # code spans
    assert "+    return 'alpha'" not in outside
    assert not re.search(r"@[\w-]", outside)
