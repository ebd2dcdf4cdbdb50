"""The fake GitHub, driven through the real PyGithub: state, GitHub's rules, faults, records."""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Iterator
from typing import Any

import github
import pytest
import requests
from github import Auth, Github, GithubException
from github.Requester import Requester

from tests.fakes.github import (
    ACTIONS_LOGIN,
    ACTIONS_TOKEN,
    BLOB_TEXT_LIMIT,
    CREATE_REVIEW,
    GRAPHQL,
    LIST_FILES,
    LIST_REVIEW_COMMENTS,
    USER_TOKEN,
    FakeGitHub,
    PullFile,
    fake_sha,
    load_graphql_schema,
    load_openapi_spec,
    make_patch,
)

OWNER, NAME, NUMBER = "octo-org", "hello", 7
FULL = f"{OWNER}/{NAME}"
BASE_LINES = [f"line {n}\n" for n in range(1, 41)]
BASE = "".join(BASE_LINES)
HEAD_LINES = list(BASE_LINES)
HEAD_LINES[4] = "changed 5  # TODO: fill\n"  # hunk 1: new lines 2-8
HEAD_LINES[29] = "changed 30\n"  # hunk 2: new lines 27-33
HEAD = "".join(HEAD_LINES)
HEAD1 = fake_sha("head-1")
HEAD2 = fake_sha("head-2")


def suggestion(text: str) -> str:
    return f"```suggestion\n{text}\n```"


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    """A started fake whose every response must match the OpenAPI description."""
    with FakeGitHub() as server:
        yield server
        server.assert_no_invalid_requests()
        server.assert_valid_responses()


@pytest.fixture
def pull(fake: FakeGitHub) -> Any:
    """Pull request #7 with src/app.py (two hunks) and docs/notes.md (added)."""
    return fake.add_pull(
        OWNER,
        NAME,
        NUMBER,
        HEAD1,
        files={
            "src/app.py": PullFile.from_texts(BASE, HEAD),
            "docs/notes.md": PullFile.from_texts(None, "# Notes\n"),
        },
        base_files={"src/app.py": BASE, "README.md": "hello\n"},
        labels=["enhancement"],
        draft=True,
    )


@pytest.fixture
def gh(fake: FakeGitHub) -> Github:
    """PyGithub as the Actions token, with no retries and no throttling sleeps."""
    return Github(
        base_url=fake.base_url,
        auth=Auth.Token(ACTIONS_TOKEN),
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


def get_pull(gh: Github) -> Any:
    return gh.withLazy(True).get_repo(FULL).get_pull(NUMBER)


THREADS_QUERY = """
query Threads($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 2, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          id isResolved isOutdated path line
          comments(first: 10) {
            nodes {
              id databaseId fullDatabaseId body isMinimized minimizedReason
              author { __typename login }
            }
          }
        }
      }
    }
  }
}
"""


def threads(gh: Github) -> list[dict[str, Any]]:
    """Every review thread of #7 through GraphQL, following the cursor."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        variables = {"owner": OWNER, "name": NAME, "number": NUMBER, "after": after}
        _, data = gh.requester.graphql_query(THREADS_QUERY, variables)
        connection = data["data"]["repository"]["pullRequest"]["reviewThreads"]
        nodes += connection["nodes"]
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]


# --------------------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    ("prefix", "graphql_path"), [("/api/v3", "/api/graphql"), ("", "/graphql")]
)
def test_pygithub_derives_the_fakes_graphql_url(prefix: str, graphql_path: str) -> None:
    """PyGithub's GraphQL URL for base_url is where the fake answers, in both layouts."""
    with FakeGitHub(api_prefix=prefix) as fake:
        fake.add_pull(OWNER, NAME, NUMBER, HEAD1, files={"a.py": PullFile.from_texts("a\n", "b\n")})
        gh = fake.client()
        assert fake.base_url == f"http://127.0.0.1:{fake.port}{prefix}"
        assert gh.requester.graphql_url == fake.graphql_url
        assert fake.graphql_url.endswith(graphql_path)
        assert get_pull(gh).head.sha == HEAD1
        _, data = gh.requester.graphql_query("query { viewer { login } }", {})
        assert data["data"]["viewer"]["login"] == ACTIONS_LOGIN
        fake.assert_no_invalid_requests()
        fake.assert_valid_responses()


def test_graphql_under_the_rest_prefix_is_a_404(fake: FakeGitHub, pull: Any) -> None:
    """A POST to {base_url}/graphql on the GHES layout is a 404 and a recorded error."""
    answer = requests.post(
        f"{fake.base_url}/graphql",
        json={"query": "{ viewer { login } }"},
        headers={"Authorization": f"Bearer {ACTIONS_TOKEN}"},
        timeout=5,
    )
    assert answer.status_code == 404
    (error,) = fake.take_errors()
    assert error.kind == "route"
    assert "/api/graphql" in error.message


# --------------------------------------------------------------------------- reading


def test_repo_and_pull_have_githubs_shapes(fake: FakeGitHub, pull: Any, gh: Github) -> None:
    """GET repo and pull: head/base shas, draft, labels, user, and URLs on the fake."""
    repo = gh.get_repo(FULL)
    assert repo.full_name == FULL
    assert repo.default_branch == "main"
    pr = repo.get_pull(NUMBER)
    assert pr.head.sha == HEAD1
    assert pr.base.sha == pull.base_sha
    assert pr.draft is True
    assert [label.name for label in pr.labels] == ["enhancement"]
    assert pr.user.login == "contributor"
    assert pr.changed_files == 2
    assert pr.url == f"{fake.base_url}/repos/{FULL}/pulls/{NUMBER}"
    assert fake.count("GET /repos/{owner}/{repo}") == 1
    assert fake.count("GET /pulls/{pull_number}") == 1


def test_pull_from_a_fork(fake: FakeGitHub) -> None:
    """head_repo makes a fork pull request: head.repo, head.label and contents on the fork."""
    fake.add_pull(
        OWNER,
        NAME,
        NUMBER,
        HEAD1,
        files={"a.py": ("@@ -0,0 +1 @@\n+x = 1", "x = 1\n")},
        head_repo="forker/hello",
        head_ref="patch-1",
    )
    pr = get_pull(fake.client())
    assert pr.head.repo.full_name == "forker/hello"
    assert pr.head.label == "forker:patch-1"
    assert pr.base.repo.full_name == FULL
    assert pr.get_files()[0].status == "added"
    assert fake.client().get_repo("forker/hello").fork is True


def test_files_paginate_with_link_headers(fake: FakeGitHub) -> None:
    """350 files come in 4 pages of 100 with GitHub's Link header; per_page is capped at 100."""
    files = {f"pkg/m{n:03}.py": PullFile.from_texts(None, f"x = {n}\n") for n in range(350)}
    fake.add_pull(OWNER, NAME, NUMBER, HEAD1, files=files)
    gh = fake.client(per_page=100)
    listed = [f.filename for f in get_pull(gh).get_files()]
    assert listed == sorted(files)
    pages = [r for r in fake.requests if r.route == LIST_FILES]
    assert len(pages) == 4
    first = pages[0].response_headers["Link"]
    assert 'rel="next"' in first
    assert "page=2" in first
    assert 'rel="last"' in first
    assert "page=4" in first
    last = pages[-1].response_headers["Link"]
    assert 'rel="prev"' in last
    assert 'rel="first"' in last
    assert 'rel="next"' not in last
    assert [len(p.response) for p in pages] == [100, 100, 100, 50]
    assert all(p.response_headers["Link"].startswith(f"<{fake.base_url}/repos/") for p in pages)

    answer = requests.get(
        f"{fake.base_url}/repos/{FULL}/pulls/{NUMBER}/files?per_page=250",
        headers={"Authorization": f"token {ACTIONS_TOKEN}"},
        timeout=5,
    )
    assert len(answer.json()) == 100
    assert (
        len(
            requests.get(
                answer.links["last"]["url"], headers=answer.request.headers, timeout=5
            ).json()
        )
        == 50
    )


def test_files_stop_at_3000_like_github(fake: FakeGitHub) -> None:
    """GitHub lists at most 3000 files of a pull request (changed_files still counts all)."""
    files = {f"f{n:04}.txt": PullFile("@@ -0,0 +1 @@\n+x", "x") for n in range(3005)}
    fake.add_pull(OWNER, NAME, NUMBER, HEAD1, files=files)
    pr = get_pull(fake.client())
    assert pr.get_files().totalCount == 3000
    assert pr.changed_files == 3005


def test_default_page_size_is_30(fake: FakeGitHub) -> None:
    """Without per_page, PyGithub gets GitHub's 30 per page."""
    files = {f"f{n:02}.txt": PullFile("@@ -0,0 +1 @@\n+x", "x") for n in range(31)}
    fake.add_pull(OWNER, NAME, NUMBER, HEAD1, files=files)
    assert len(list(get_pull(fake.client()).get_files())) == 31
    assert fake.count(LIST_FILES) == 2


def test_contents_at_a_ref_are_base64_like_github(fake: FakeGitHub, pull: Any, gh: Github) -> None:
    """GET contents at the head, at the base, of an unchanged file, and a 404."""
    repo = gh.withLazy(True).get_repo(FULL)
    at_head = repo.get_contents("src/app.py", ref=HEAD1)
    assert at_head.decoded_content.decode() == HEAD
    assert at_head.encoding == "base64"
    assert all(len(line) <= 60 for line in at_head.content.splitlines())
    assert repo.get_contents("src/app.py", ref=pull.base_sha).decoded_content.decode() == BASE
    assert repo.get_contents("README.md", ref=HEAD1).decoded_content == b"hello\n"
    assert repo.get_contents("docs/notes.md", ref="feature").decoded_content == b"# Notes\n"
    with pytest.raises(github.UnknownObjectException):
        repo.get_contents("docs/notes.md", ref=pull.base_sha)
    assert fake.take_errors() == []  # a file the commit lacks: 404 answers, nothing was wrong
    with pytest.raises(GithubException, match="No commit found"):
        repo.get_contents("src/app.py", ref=fake_sha("no such commit"))
    assert [e.kind for e in fake.take_errors()] == ["not_found"]
    listing = repo.get_contents("src", ref=HEAD1)
    assert [c.path for c in listing] == ["src/app.py"]


def test_commit_its_files_and_diff(fake: FakeGitHub, pull: Any, gh: Github) -> None:
    """GET commits/{ref} as JSON (with files) and as a diff; a pull's commits, a commit's pulls."""
    commit = gh.withLazy(True).get_repo(FULL).get_commit(HEAD1)
    assert commit.sha == HEAD1
    assert sorted(f.filename for f in commit.files) == ["docs/notes.md", "src/app.py"]
    diff = requests.get(
        f"{fake.base_url}/repos/{FULL}/commits/{HEAD1}",
        headers={
            "Authorization": f"token {ACTIONS_TOKEN}",
            "Accept": "application/vnd.github.diff",
        },
        timeout=5,
    )
    assert diff.headers["Content-Type"].startswith("application/vnd.github.diff")
    assert "diff --git a/src/app.py b/src/app.py" in diff.text
    assert "+changed 30" in diff.text
    pr = get_pull(gh)
    assert [c.sha for c in pr.get_commits()] == [HEAD1]
    assert [p.number for p in gh.withLazy(True).get_repo(FULL).get_commit(HEAD1).get_pulls()] == [
        NUMBER
    ]


# --------------------------------------------------------------------------- reviews


def test_review_with_suggestions_is_stored(fake: FakeGitHub, pull: Any, gh: Github) -> None:
    """A valid review with single- and multi-line suggestions: 200, then listed like GitHub."""
    pr = get_pull(gh)
    review = pr.create_review(
        body="fim-bot found 2 holes",
        event="COMMENT",
        commit=gh.withLazy(True).get_repo(FULL).get_commit(HEAD1),
        comments=[
            {"path": "src/app.py", "line": 5, "side": "RIGHT", "body": suggestion("done = 5")},
            {
                "path": "src/app.py",
                "start_line": 28,
                "start_side": "RIGHT",
                "line": 30,
                "side": "RIGHT",
                "body": suggestion("a\nb\nc"),
            },
        ],
    )
    assert review.state == "COMMENTED"
    assert review.user.login == ACTIONS_LOGIN
    assert review.commit_id == HEAD1
    listed = list(pr.get_review_comments())
    assert [(c.line, c.start_line, c.side) for c in listed] == [
        (5, None, "RIGHT"),
        (30, 28, "RIGHT"),
    ]
    single, multi = listed
    assert single.pull_request_review_id == review.id
    assert single.commit_id == single.original_commit_id == HEAD1
    assert single.position == 5
    assert single.diff_hunk.startswith("@@ -2,7 +2,7 @@")
    assert single.diff_hunk.endswith("+changed 5  # TODO: fill")
    assert single.user.login == ACTIONS_LOGIN
    assert single.user.type == "Bot"
    # raw_data of a listed object would GET /pulls/comments/{id} (outside the subset): read the
    # bodies the fake sent instead.
    single_body, multi_body = next(
        r for r in fake.requests if r.route == LIST_REVIEW_COMMENTS
    ).response
    assert multi_body["start_side"] == "RIGHT"
    assert single_body["start_side"] is None
    assert "in_reply_to_id" not in single_body
    assert [c.id for c in pr.get_single_review_comments(review.id)] == [single.id, multi.id]
    body = fake.bodies(CREATE_REVIEW)[0]
    assert body["commit_id"] == HEAD1
    assert body["comments"][1]["start_line"] == 28


def test_line_outside_the_diff_rejects_the_whole_review(
    fake: FakeGitHub, pull: Any, gh: Github
) -> None:
    """One comment outside every hunk: GitHub's 422 body, and nothing of the review stored."""
    pr = get_pull(gh)
    with pytest.raises(GithubException) as caught:
        pr.create_review(
            event="COMMENT",
            comments=[
                {"path": "src/app.py", "line": 5, "body": "fine"},
                {"path": "src/app.py", "line": 15, "body": "outside"},
            ],
        )
    assert caught.value.status == 422
    assert caught.value.data == {
        "message": "Unprocessable Entity",
        "errors": [
            "Pull request review thread line must be part of the diff and "
            "Pull request review thread diff hunk can't be blank"
        ],
        "documentation_url": "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request",
        "status": "422",
    }
    assert fake.reviews(NUMBER) == []
    assert fake.review_comments(NUMBER) == []
    (error,) = fake.take_errors()
    assert error.kind == "rule"
    assert "must be part of the diff" in error.message


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        (
            {"path": "src/nope.py", "line": 5},
            "path is invalid and Pull request review thread diff hunk",
        ),
        (
            {"path": "src/app.py", "line": 5, "start_line": 5},
            "start line must precede the end line.",
        ),
        ({"path": "src/app.py", "line": 7, "start_line": 6}, None),
        (
            {"path": "src/app.py", "line": 30, "start_line": 5},
            "must be part of the same hunk as the line.",
        ),
        (
            {"path": "src/app.py", "line": 50, "start_line": 12},
            "line must be part of the diff, Pull",
        ),
        ({"path": "src/app.py", "line": 5, "side": "LEFT"}, None),
        ({"path": "src/app.py", "line": 1, "side": "LEFT"}, "line must be part of the diff"),
        ({"path": "docs/notes.md", "line": 1, "side": "LEFT"}, "line must be part of the diff"),
        ({"path": "src/app.py", "position": 5}, None),
        ({"path": "src/app.py", "position": 9}, "line must be part of the diff"),
    ],
)
def test_thread_location_rules(
    fake: FakeGitHub, pull: Any, gh: Github, comment: dict[str, Any], message: str | None
) -> None:
    """Each thread rule GitHub enforces on POST .../reviews: hunks, sides, order, paths."""
    pr = get_pull(gh)
    spec = {"body": "b", **comment}
    if message is None:
        pr.create_review(event="COMMENT", comments=[spec])
        assert len(fake.review_comments(NUMBER)) == 1
        return
    with pytest.raises(GithubException) as caught:
        pr.create_review(event="COMMENT", comments=[spec])
    assert caught.value.status == 422
    assert message in caught.value.data["errors"][0]
    assert [e.kind for e in fake.take_errors()] == ["rule"]


def test_commit_id_must_belong_to_the_pull(fake: FakeGitHub, pull: Any, gh: Github) -> None:
    """A commit_id that is not one of the pull request's commits is refused."""
    answer = gh.requester.requestJson(
        "POST",
        f"/repos/{FULL}/pulls/{NUMBER}/reviews",
        input={"commit_id": fake_sha("elsewhere"), "event": "COMMENT", "body": "x"},
    )
    assert answer[0] == 422
    assert [e.kind for e in fake.take_errors()] == ["rule"]


def test_pending_review_is_private_single_and_deletable(
    fake: FakeGitHub, pull: Any, gh: Github
) -> None:
    """No event = PENDING: hidden from others, one per user, deletable with its comments."""
    pr = get_pull(gh)
    pending = pr.create_review(comments=[{"path": "src/app.py", "line": 5, "body": "draft"}])
    assert pending.state == "PENDING"
    assert "submitted_at" not in pending.raw_data
    assert [c.body for c in pr.get_review_comments()] == ["draft"]
    other = get_pull(fake.client(USER_TOKEN))
    assert list(other.get_review_comments()) == []
    assert list(other.get_reviews()) == []
    with pytest.raises(GithubException) as caught:
        pr.create_review(event="COMMENT", body="again")
    assert caught.value.data["errors"] == ["User can only have one pending review per pull request"]
    assert [e.kind for e in fake.take_errors()] == ["rule"]
    pr.get_review(pending.id).delete()
    assert fake.reviews(NUMBER) == []
    assert fake.review_comments(NUMBER) == []
    assert pr.create_review(event="COMMENT", body="now").state == "COMMENTED"


def test_submitting_a_pending_review(fake: FakeGitHub, pull: Any, gh: Github) -> None:
    """POST .../events turns a pending review into COMMENTED; a submitted one cannot be deleted."""
    pr = get_pull(gh)
    pending = pr.create_review(comments=[{"path": "src/app.py", "line": 30, "body": "x"}])
    status, _, body = gh.requester.requestJson(
        "POST", f"{pr.url}/reviews/{pending.id}/events", input={"event": "COMMENT"}
    )
    assert status == 200
    assert json.loads(body)["state"] == "COMMENTED"
    assert [c.body for c in get_pull(fake.client(USER_TOKEN)).get_review_comments()] == ["x"]
    with pytest.raises(GithubException) as caught:
        pr.get_review(pending.id).delete()
    assert caught.value.status == 422
    assert [e.kind for e in fake.take_errors()] == ["rule"]


def test_authors_cannot_approve_their_own_pull(fake: FakeGitHub, pull: Any) -> None:
    """APPROVE by the pull request's author is a 422, as on GitHub."""
    fake.add_token("ghp_contributor", "contributor")
    pr = get_pull(fake.client("ghp_contributor"))
    with pytest.raises(GithubException) as caught:
        pr.create_review(event="APPROVE")
    assert caught.value.data["errors"] == ["Can not approve your own pull request"]
    assert [e.kind for e in fake.take_errors()] == ["rule"]


def test_bodies_over_65536_characters_are_refused(fake: FakeGitHub, pull: Any, gh: Github) -> None:
    """A review, review comment or issue comment body over 65536 characters is a 422."""
    pr = get_pull(gh)
    long_text = "x" * 65537
    with pytest.raises(GithubException) as caught:
        pr.create_review(event="COMMENT", body=long_text)
    assert caught.value.data["errors"] == ["Body is too long (maximum is 65536 characters)"]
    with pytest.raises(GithubException) as caught:
        pr.create_issue_comment(long_text)
    assert caught.value.data["errors"][0]["field"] == "body"
    assert [e.kind for e in fake.take_errors()] == ["rule", "rule"]
    pr.create_issue_comment("x" * 65536)


def test_single_comment_reply_edit_and_delete(fake: FakeGitHub, pull: Any, gh: Github) -> None:
    """POST .../comments, a reply, PATCH and DELETE of review comments."""
    pr = get_pull(gh)
    repo = gh.withLazy(True).get_repo(FULL)
    comment = pr.create_review_comment(
        "first", repo.get_commit(HEAD1), "src/app.py", line=5, side="RIGHT"
    )
    reply = pr.create_review_comment_reply(comment.id, "second")
    assert reply.in_reply_to_id == comment.id
    assert reply.line == 5
    comment.edit("first, edited")
    assert [c.body for c in pr.get_review_comments()] == ["first, edited", "second"]
    assert [len(t.comments) for t in fake.threads(NUMBER)] == [2]
    reply.delete()
    assert [c.body for c in fake.review_comments(NUMBER)] == ["first, edited"]
    with pytest.raises(GithubException) as caught:
        pr.create_review_comment("bad", HEAD1, "src/app.py", line=15)
    assert caught.value.status == 422
    assert caught.value.data["message"] == "Validation Failed"
    assert caught.value.data["errors"][0]["field"] == "pull_request_review_thread.line"
    assert [e.kind for e in fake.take_errors()] == ["rule"]


def test_issue_comments_and_check_runs(fake: FakeGitHub, pull: Any, gh: Github) -> None:
    """Conversation comments (create, list, edit) and a check run."""
    pr = get_pull(gh)
    fake.add_issue_comment(NUMBER, "human says hi", author="someone")
    mine = pr.create_issue_comment("<!-- fim-bot:summary -->\nSummary")
    mine.edit("<!-- fim-bot:summary -->\nSummary v2")
    assert [(c.user.login, c.body) for c in pr.get_issue_comments()] == [
        ("someone", "human says hi"),
        (ACTIONS_LOGIN, "<!-- fim-bot:summary -->\nSummary v2"),
    ]
    run = (
        gh.withLazy(True)
        .get_repo(FULL)
        .create_check_run(
            "fim-bot",
            HEAD1,
            status="completed",
            conclusion="neutral",
            output={"title": "t", "summary": "s"},
        )
    )
    assert run.conclusion == "neutral"
    assert fake.check_runs[0]["name"] == "fim-bot"


# --------------------------------------------------------------------------- pushes


def test_push_moves_kept_comments_and_outdates_changed_ones(
    fake: FakeGitHub, pull: Any, gh: Github
) -> None:
    """After a push, comments on unchanged lines follow them; one on a changed line is outdated."""
    kept = fake.add_comment(NUMBER, "src/app.py", 30, "on line 30", author="someone")
    gone = fake.add_comment(NUMBER, "src/app.py", 5, "on line 5", author="someone")
    lines = list(HEAD_LINES)
    lines[4] = "changed 5 again\n"
    new_head = "".join(lines)
    fake.push(NUMBER, HEAD2, files={"src/app.py": PullFile.from_texts(BASE, new_head)})
    assert kept.commit_id == HEAD2
    assert kept.line == 30
    assert gone.outdated
    listed = {c.body: c for c in get_pull(gh).get_review_comments()}
    assert listed["on line 5"].position is None
    assert listed["on line 5"].line is None
    assert listed["on line 5"].original_line == 5
    assert listed["on line 5"].commit_id == HEAD1
    assert listed["on line 30"].commit_id == HEAD2
    assert listed["on line 30"].position == kept.position
    outdated = {t["comments"]["nodes"][0]["body"]: t["isOutdated"] for t in threads(gh)}
    assert outdated == {"on line 30": False, "on line 5": True}
    assert [c.sha for c in get_pull(gh).get_commits()] == [HEAD1, HEAD2]


def test_review_on_an_earlier_commit_is_placed_there(
    fake: FakeGitHub, pull: Any, gh: Github
) -> None:
    """commit_id of an earlier commit is accepted; its diff decides, and later pushes apply."""
    lines = list(HEAD_LINES)
    lines[4] = "changed 5 again\n"
    fake.push(NUMBER, HEAD2, files={"src/app.py": PullFile.from_texts(BASE, "".join(lines))})
    pr = get_pull(gh)
    pr.create_review(
        commit=gh.withLazy(True).get_repo(FULL).get_commit(HEAD1),
        event="COMMENT",
        comments=[
            {"path": "src/app.py", "line": 5, "body": "stale"},
            {"path": "src/app.py", "line": 30, "body": "still good"},
        ],
    )
    state = {c.body: (c.original_commit_id, c.commit_id, c.line) for c in pr.get_review_comments()}
    assert state == {"stale": (HEAD1, HEAD1, None), "still good": (HEAD1, HEAD2, 30)}


def test_head_moves_between_reads(fake: FakeGitHub, pull: Any, gh: Github) -> None:
    """move_head: the head sha changes after the first read, as when a push races the bot."""
    fake.move_head(NUMBER, HEAD2, after=1, route="GET /pulls/{pull_number}")
    assert get_pull(gh).head.sha == HEAD1
    assert get_pull(gh).head.sha == HEAD2


# --------------------------------------------------------------------------- GraphQL


def test_graphql_threads_resolve_and_minimize(fake: FakeGitHub, pull: Any, gh: Github) -> None:
    """reviewThreads with authors, resolveReviewThread, minimizeComment, through PyGithub."""
    get_pull(gh).create_review(
        event="COMMENT", comments=[{"path": "src/app.py", "line": 5, "body": "bot"}]
    )
    fake.add_comment(NUMBER, "src/app.py", 30, "human", author="someone")
    fake.add_comment(NUMBER, "src/app.py", 29, "human 2", author="someone")
    found = threads(gh)
    assert len(found) == 3
    assert fake.count("graphql:repository") == 2
    bot_thread = found[0]
    comment = bot_thread["comments"]["nodes"][0]
    assert comment["author"] == {"__typename": "Bot", "login": "github-actions"}
    assert found[1]["comments"]["nodes"][0]["author"] == {"__typename": "User", "login": "someone"}
    assert comment["fullDatabaseId"] == str(comment["databaseId"])
    assert (bot_thread["path"], bot_thread["line"], bot_thread["isResolved"]) == (
        "src/app.py",
        5,
        False,
    )

    _, payload = gh.requester.graphql_named_mutation(
        "resolveReviewThread", {"threadId": bot_thread["id"]}, "thread { id isResolved }"
    )
    assert payload == {"thread": {"id": bot_thread["id"], "isResolved": True}}
    _, payload = gh.requester.graphql_named_mutation(
        "minimizeComment",
        {"subjectId": comment["id"], "classifier": "OUTDATED"},
        "minimizedComment { isMinimized minimizedReason }",
    )
    assert payload == {"minimizedComment": {"isMinimized": True, "minimizedReason": "outdated"}}
    assert fake.threads(NUMBER)[0].resolved
    assert fake.review_comments(NUMBER)[0].minimized_reason == "outdated"
    assert fake.count("graphql:minimizeComment") == 1
    assert fake.count(GRAPHQL) == 4


def test_pygithub_minimizes_issue_comments(fake: FakeGitHub, pull: Any, gh: Github) -> None:
    """IssueComment.minimize() (PyGithub's own minimizeComment mutation) works."""
    comment = get_pull(gh).create_issue_comment("old summary")
    assert comment.minimize() is True
    assert fake.issue_comments(NUMBER)[0].minimized_reason == "outdated"
    list(get_pull(gh).get_issue_comments())
    assert fake.requests[-1].response[0]["minimized"] == {"reason": "outdated"}


@pytest.mark.parametrize(
    ("arguments", "kind"),
    [
        ("", "MISSING_PAGINATION_BOUNDARIES"),
        ("(first: 101)", "EXCESSIVE_PAGINATION"),
        ("(first: 1, last: 1)", "INVALID_PAGINATION"),
    ],
)
def test_graphql_connections_need_first_or_last(
    fake: FakeGitHub, pull: Any, gh: Github, arguments: str, kind: str
) -> None:
    """GitHub's pagination rules for connections: first/last required, at most 100."""
    query = (
        f'{{ repository(owner: "{OWNER}", name: "{NAME}") {{ pullRequest(number: 7) '
        f"{{ reviewThreads{arguments} {{ totalCount }} }} }} }}"
    )
    with pytest.raises(GithubException) as caught:
        gh.requester.graphql_query(query, {})
    (error,) = caught.value.data["errors"]
    assert error["type"] == kind
    assert error["path"] == ["repository", "pullRequest", "reviewThreads"]
    assert [e.kind for e in fake.take_errors()] == ["graphql"]


def test_graphql_validation_and_not_found(fake: FakeGitHub, pull: Any, gh: Github) -> None:
    """Unknown fields fail validation; a missing repository is NOT_FOUND (UnknownObject)."""
    with pytest.raises(GithubException) as caught:
        gh.requester.graphql_query("{ viewer { login email } }", {})
    assert "email" in caught.value.data["errors"][0]["message"]
    with pytest.raises(github.UnknownObjectException):
        gh.requester.graphql_query(
            '{ repository(owner: "x", name: "y") { pullRequest(number: 1) '
            "{ reviewThreads(first: 1) { totalCount } } } }",
            {},
        )
    with pytest.raises(GithubException):
        gh.requester.graphql_named_mutation(
            "resolveReviewThread", {"threadId": "PRRT_nope"}, "thread { id }"
        )
    assert [e.kind for e in fake.take_errors()] == ["graphql"] * 3


BLOBS_QUERY = """
query Blobs($owner: String!, $name: String!, $a: String!, $b: String!) {
  repository(owner: $owner, name: $name) {
    a: object(expression: $a) {
      __typename abbreviatedOid oid
      ... on Blob {
        byteSize isBinary isTruncated text
        repository { pullRequest(number: 7) { reviewThreads(first: 1) { totalCount } } }
      }
    }
    b: object(expression: $b) { ... on Blob { byteSize isBinary isTruncated text } }
  }
}
"""


def blobs(gh: Github, a: str, b: str) -> dict[str, Any]:
    """Repository.object for two expressions in one query, as aliases a and b."""
    variables = {"owner": OWNER, "name": NAME, "a": a, "b": b}
    _, data = gh.requester.graphql_query(BLOBS_QUERY, variables)
    return dict(data["data"]["repository"])


def git_blob_id(data: bytes) -> str:
    """The object id git itself gives these bytes."""
    found = subprocess.run(
        ["git", "hash-object", "--stdin"], input=data, capture_output=True, check=True
    )
    return found.stdout.decode().strip()


def test_graphql_object_reads_a_file_at_a_commit(fake: FakeGitHub, pull: Any, gh: Github) -> None:
    """object(expression: "<commit>:<path>") is the file's Blob at that commit: git's id,
    its size, its text, and the repository it belongs to."""
    found = blobs(gh, f"{HEAD1}:src/app.py", f"{HEAD1[:7]}:README.md")
    oid = git_blob_id(HEAD.encode())
    assert found["a"] == {
        "__typename": "Blob",
        "abbreviatedOid": oid[:7],
        "oid": oid,
        "byteSize": len(HEAD.encode()),
        "isBinary": False,
        "isTruncated": False,
        "text": HEAD,
        "repository": {"pullRequest": {"reviewThreads": {"totalCount": 0}}},
    }
    assert found["b"] == {
        "byteSize": 6,
        "isBinary": False,
        "isTruncated": False,
        "text": "hello\n",
    }
    assert fake.count("graphql:repository") == 1


def test_graphql_object_is_null_where_the_commit_holds_no_file(
    fake: FakeGitHub, pull: Any, gh: Github
) -> None:
    """A path the commit does not hold, or a revision GitHub cannot resolve, is null (no error):
    the base commit has no docs/notes.md, which the head adds."""
    base = pull.base_sha
    assert blobs(gh, f"{base}:docs/notes.md", f"{HEAD1}:no/such/file") == {"a": None, "b": None}
    assert blobs(gh, f"{fake_sha('nowhere')}:README.md", f"{HEAD1}:docs/notes.md") == {
        "a": None,
        "b": {"byteSize": 8, "isBinary": False, "isTruncated": False, "text": "# Notes\n"},
    }
    assert fake.errors == []


def test_graphql_blob_binary_and_truncated(fake: FakeGitHub, gh: Github) -> None:
    """A blob with a NUL byte is binary (no text); text past BLOB_TEXT_LIMIT bytes is cut there
    and says so, while byteSize stays the whole file's."""
    big = "# x\n" * (BLOB_TEXT_LIMIT // 4 + 10)
    fake.add_pull(
        OWNER,
        NAME,
        NUMBER,
        HEAD1,
        files={"big.py": PullFile.from_texts(None, big), "logo.png": (None, b"\x89PNG\0\1")},
    )
    found = blobs(gh, f"{HEAD1}:logo.png", f"{HEAD1}:big.py")
    assert (found["a"]["isBinary"], found["a"]["text"], found["a"]["byteSize"]) == (True, None, 6)
    assert found["b"]["isTruncated"] is True
    assert found["b"]["byteSize"] == len(big)
    assert found["b"]["text"] == big[:BLOB_TEXT_LIMIT]


def test_graphql_object_by_oid_and_what_the_fake_does_not_model(
    fake: FakeGitHub, pull: Any, gh: Github
) -> None:
    """object(oid:) finds a blob by git's id; a commit or a folder is a loud error of the fake,
    never a null that would read as "no such file"."""
    query = (
        f'query($oid: GitObjectID!) {{ repository(owner: "{OWNER}", name: "{NAME}") '
        "{ object(oid: $oid) { ... on Blob { text } } } }"
    )
    _, data = gh.requester.graphql_query(query, {"oid": git_blob_id(b"hello\n")})
    assert data["data"]["repository"]["object"] == {"text": "hello\n"}
    for expression in (HEAD1, f"{HEAD1}:src", f"{HEAD1}:"):
        with pytest.raises(GithubException):
            blobs(gh, expression, f"{HEAD1}:README.md")
    assert [e.kind for e in fake.take_errors()] == ["graphql"] * 3


# --------------------------------------------------------------------------- auth and validation


def test_tokens_decide_who_is_asking(fake: FakeGitHub, pull: Any) -> None:
    """token/Bearer auth, bad and missing credentials, GET /user refused to Actions tokens."""
    assert fake.client(USER_TOKEN).get_user().login == "octocat"
    with pytest.raises(GithubException) as caught:
        _ = fake.client().get_user().login
    assert caught.value.status == 403
    assert caught.value.data["message"] == "Resource not accessible by integration"
    with pytest.raises(github.BadCredentialsException):
        get_pull(fake.client("ghp_wrong")).title  # noqa: B018
    bearer = requests.get(
        f"{fake.base_url}/repos/{FULL}/pulls/{NUMBER}",
        headers={"Authorization": f"Bearer {USER_TOKEN}"},
        timeout=5,
    )
    assert bearer.status_code == 200
    anonymous = requests.get(f"{fake.base_url}/repos/{FULL}/pulls/{NUMBER}", timeout=5)
    assert anonymous.status_code == 401
    assert [e.kind for e in fake.take_errors()] == ["forbidden", "auth", "auth"]


def test_requests_outside_the_description_are_refused(
    fake: FakeGitHub, pull: Any, gh: Github
) -> None:
    """OpenAPI checks: wrong types get GitHub's 422 'Invalid request', unknown routes 404."""
    status, _, body = gh.requester.requestJson(
        "POST",
        f"/repos/{FULL}/pulls/{NUMBER}/reviews",
        input={"event": "COMMENT", "comments": [{"path": "src/app.py", "line": "5", "body": "b"}]},
    )
    assert status == 422
    assert json.loads(body)["message"].startswith("Invalid request.")
    status, _, _ = gh.requester.requestJson(
        "POST", f"/repos/{FULL}/pulls/{NUMBER}/reviews", input={"event": "LGTM"}
    )
    assert status == 422
    status, _, _ = gh.requester.requestJson("GET", f"/repos/{FULL}/pulls")
    assert status == 404
    errors = fake.take_errors()
    assert [e.kind for e in errors] == ["schema", "schema", "route"]
    assert errors[2].route == "GET /repos/octo-org/hello/pulls"
    snapshot = fake.errors
    snapshot.append(errors[0])  # a copy: the fake's own list is untouched
    assert fake.errors == []


def test_assert_no_invalid_requests_reports_them(fake: FakeGitHub, pull: Any, gh: Github) -> None:
    """The helper fails with the refused requests listed."""
    gh.requester.requestJson("GET", f"/repos/{FULL}/pulls/{NUMBER}/nonsense")
    with pytest.raises(AssertionError, match="nonsense"):
        fake.assert_no_invalid_requests()
    fake.take_errors()


# --------------------------------------------------------------------------- faults


def test_read_only_token_gets_403_on_writes(fake: FakeGitHub, pull: Any) -> None:
    """A fork's Actions token reads fine; REST writes get 403 and GraphQL mutations FORBIDDEN."""
    fake.add_token("ghs_fork", ACTIONS_LOGIN, read_only=True)
    gh = fake.client("ghs_fork")
    pr = get_pull(gh)
    assert pr.head.sha == HEAD1
    with pytest.raises(GithubException) as caught:
        pr.create_review(event="COMMENT", body="x")
    assert caught.value.status == 403
    assert caught.value.data["message"] == "Resource not accessible by integration"
    thread = fake.add_comment(NUMBER, "src/app.py", 5, "human", author="someone").thread
    assert thread is not None
    with pytest.raises(GithubException) as caught:
        gh.requester.graphql_named_mutation(
            "resolveReviewThread", {"threadId": thread.node_id}, "thread { id }"
        )
    assert caught.value.data["errors"][0]["type"] == "FORBIDDEN"
    assert not thread.resolved
    assert [e.kind for e in fake.take_errors()] == ["forbidden", "graphql"]


def test_fail_read_only_on_any_write(fake: FakeGitHub, pull: Any, gh: Github) -> None:
    """fail("read_only") answers the matching request with the integration 403."""
    fault = fake.fail("read_only", route="POST /issues/{issue_number}/comments")
    with pytest.raises(GithubException) as caught:
        get_pull(gh).create_issue_comment("x")
    assert caught.value.status == 403
    assert fault.hits == 1
    assert fake.issue_comments(NUMBER) == []
    get_pull(gh).create_issue_comment("y")
    assert [c.body for c in fake.issue_comments(NUMBER)] == ["y"]


def test_422_on_the_nth_comment(fake: FakeGitHub, pull: Any, gh: Github) -> None:
    """fail("unprocessable", nth=3) on single comments; reject_nth_comment inside a review."""
    pr = get_pull(gh)
    fake.fail("unprocessable", route="POST /pulls/{pull_number}/comments", nth=3)
    outcomes: list[Any] = []
    for n in range(1, 5):
        try:
            pr.create_review_comment(f"c{n}", HEAD1, "src/app.py", line=5)
            outcomes.append("ok")
        except GithubException as exc:
            outcomes.append((exc.status, exc.data["errors"][0]["field"]))
    assert outcomes == ["ok", "ok", (422, "pull_request_review_thread.line"), "ok"]
    assert [c.body for c in fake.review_comments(NUMBER)] == ["c1", "c2", "c4"]

    fake.reject_nth_comment(2)
    comments = [{"path": "src/app.py", "line": n, "body": f"r{n}"} for n in (5, 6, 7)]
    with pytest.raises(GithubException) as caught:
        pr.create_review(event="COMMENT", comments=comments)
    assert "must be part of the diff" in caught.value.data["errors"][0]
    pr.create_review(event="COMMENT", comments=comments)
    assert len(fake.review_comments(NUMBER)) == 6
    assert [e.kind for e in fake.take_errors()] == ["rule"]


def test_bad_gateway_after_the_write(fake: FakeGitHub, pull: Any, gh: Github) -> None:
    """502 with apply=True: the review exists although the client saw a failure."""
    fake.fail("bad_gateway", route=CREATE_REVIEW, apply=True)
    with pytest.raises(GithubException) as caught:
        get_pull(gh).create_review(event="COMMENT", body="hello")
    assert caught.value.status == 502
    assert [r.body for r in fake.reviews(NUMBER)] == ["hello"]
    assert fake.requests[-1].fault == "bad_gateway"


@pytest.mark.parametrize(
    ("kind", "status"), [("secondary_rate_limit", 403), ("secondary_rate_limit_429", 429)]
)
def test_secondary_rate_limit(
    fake: FakeGitHub, pull: Any, gh: Github, kind: str, status: int
) -> None:
    """The secondary rate limit as 403 and 429, with retry-after and GitHub's message."""
    fake.fail(kind, route="GET /pulls/{pull_number}", retry_after=30)
    with pytest.raises(GithubException) as caught:
        get_pull(gh).title  # noqa: B018
    assert caught.value.status == status
    assert caught.value.headers["retry-after"] == "30"
    assert caught.value.data["message"].startswith("You have exceeded a secondary rate limit.")
    assert Requester.isSecondaryRateLimitError(caught.value.data["message"])
    if status == 403:
        assert isinstance(caught.value, github.RateLimitExceededException)
    assert get_pull(gh).title == "Add the feature"


def test_primary_rate_limit_and_graphql_faults(fake: FakeGitHub, pull: Any, gh: Github) -> None:
    """Primary rate limit (remaining 0) on REST; a 502 on one GraphQL mutation."""
    fake.fail("primary_rate_limit", route="GET /pulls/{pull_number}")
    with pytest.raises(github.RateLimitExceededException) as caught:
        get_pull(gh).title  # noqa: B018
    assert caught.value.headers["x-ratelimit-remaining"] == "0"
    thread = fake.add_comment(NUMBER, "src/app.py", 5, "human", author="someone").thread
    assert thread is not None
    fake.fail("bad_gateway", route="graphql:resolveReviewThread", times=None)
    with pytest.raises(GithubException) as caught:
        gh.requester.graphql_named_mutation(
            "resolveReviewThread", {"threadId": thread.node_id}, "thread { id }"
        )
    assert caught.value.status == 502
    assert threads(gh)[0]["isResolved"] is False


def test_pygithub_default_retry_resends_a_post_after_502(fake: FakeGitHub, pull: Any) -> None:
    """PyGithub's default GithubRetry re-POSTs after a 502: a write GitHub applied doubles."""
    gh = Github(
        base_url=fake.base_url,
        auth=Auth.Token(ACTIONS_TOKEN),
        seconds_between_requests=None,
        seconds_between_writes=None,
    )
    fake.fail("bad_gateway", route=CREATE_REVIEW, apply=True)
    gh.withLazy(True).get_repo(FULL).get_pull(NUMBER).create_review(event="COMMENT", body="x")
    assert fake.count(CREATE_REVIEW) == 2
    assert len(fake.reviews(NUMBER)) == 2


def test_pygithub_default_retry_waits_out_a_secondary_rate_limit(
    fake: FakeGitHub, pull: Any
) -> None:
    """With retry-after 0, PyGithub's default retry repeats the request at once and succeeds."""
    gh = Github(base_url=fake.base_url, auth=Auth.Token(ACTIONS_TOKEN))
    fake.fail("secondary_rate_limit", route="GET /pulls/{pull_number}", retry_after=0)
    assert gh.withLazy(True).get_repo(FULL).get_pull(NUMBER).head.sha == HEAD1
    assert fake.count("GET /pulls/{pull_number}") == 2
    assert [r.status for r in fake.requests] == [403, 200]


def test_faults_count_matching_requests(fake: FakeGitHub, pull: Any, gh: Github) -> None:
    """nth and times pick which matching requests fail; other routes are untouched."""
    fake.fail(503, route=LIST_FILES, nth=2, times=2)
    pr = get_pull(gh)
    outcomes = []
    for _ in range(4):
        try:
            list(pr.get_files())
            outcomes.append("ok")
        except GithubException as exc:
            outcomes.append(exc.status)
    assert outcomes == ["ok", 503, 503, "ok"]


# --------------------------------------------------------------------------- records


def test_counts_bodies_and_marks(fake: FakeGitHub, pull: Any, gh: Github) -> None:
    """count/bodies by route (short or full keys), and since=mark() for a second run."""
    pr = get_pull(gh)
    pr.create_review(event="COMMENT", comments=[{"path": "src/app.py", "line": 5, "body": "a"}])
    mark = fake.mark()
    list(pr.get_review_comments())
    assert fake.count(CREATE_REVIEW) == 1
    assert fake.count("POST /pulls/{pull_number}/reviews", since=mark) == 0
    assert fake.count("GET /pulls/{pull_number}/comments", since=mark) == 1
    assert fake.bodies("POST /pulls/{pull_number}/reviews")[0]["comments"][0]["line"] == 5
    assert fake.counts()[CREATE_REVIEW] == 1
    assert fake.requests[0].login == ACTIONS_LOGIN


# --------------------------------------------------------------------------- the descriptions


def test_every_operation_answers_within_the_description(
    fake: FakeGitHub, pull: Any, gh: Github
) -> None:
    """All 22 operations of the subset are served, and every answer validates (fixture checks)."""
    repo = gh.get_repo(FULL)
    pr = repo.get_pull(NUMBER)
    list(pr.get_files())
    repo.get_contents("src/app.py", ref=HEAD1)
    review = pr.create_review(
        event="COMMENT", comments=[{"path": "src/app.py", "line": 5, "body": "a"}]
    )
    (comment,) = pr.get_review_comments()
    pr.create_review_comment("b", HEAD1, "src/app.py", line=30)
    comment.edit("a2")
    pr.create_review_comment_reply(comment.id, "reply")
    comment.delete()
    issue_comment = pr.create_issue_comment("c")
    list(pr.get_issue_comments())
    issue_comment.edit("c2")
    repo.create_check_run("fim-bot", HEAD1, status="in_progress")
    list(pr.get_reviews())
    pr.get_review(review.id)
    list(pr.get_single_review_comments(review.id))
    pending = pr.create_review(comments=[{"path": "src/app.py", "line": 6, "body": "p"}])
    gh.requester.requestJsonAndCheck(
        "POST", f"{pr.url}/reviews/{pending.id}/events", input={"event": "COMMENT"}
    )
    pr.create_review().delete()
    list(pr.get_commits())
    repo.get_commit(HEAD1)
    list(repo.get_commit(HEAD1).get_pulls())
    served = {r.route for r in fake.requests}
    spec = load_openapi_spec()
    operations = {
        f"{method.upper()} {path}" for path, item in spec["paths"].items() for method in item
    }
    assert operations <= served, operations - served
    assert len(operations) == 22


def test_response_validation_catches_a_wrong_shape(
    fake: FakeGitHub, pull: Any, gh: Github, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The response check is live: a pull whose 'number' is a string is reported."""
    original = FakeGitHub._pull_json

    def broken(self: FakeGitHub, pull: Any, *, simple: bool = False) -> dict[str, Any]:
        data = original(self, pull, simple=simple)
        data["number"] = "seven"
        return data

    monkeypatch.setattr(FakeGitHub, "_pull_json", broken)
    gh.requester.requestJson("GET", f"/repos/{FULL}/pulls/{NUMBER}")
    (problem,) = fake.response_errors
    assert "number" in problem
    with pytest.raises(AssertionError):
        fake.assert_valid_responses()
    fake._response_errors.clear()


def test_examples_and_schema_load(fake: FakeGitHub) -> None:
    """The copied description, examples and GraphQL excerpt load; the viewer extension is there."""
    spec = load_openapi_spec("http://127.0.0.1:1/api/v3")
    assert spec["servers"][-1]["url"] == "http://127.0.0.1:1/api/v3"
    schema = load_graphql_schema()
    assert "viewer" in schema.query_type.fields
    assert {"minimizeComment", "resolveReviewThread"} <= set(schema.mutation_type.fields)


def test_make_patch_looks_like_githubs() -> None:
    """Patches have no ---/+++ lines, no trailing newline, and mark a missing final newline."""
    assert make_patch("a\nb\n", "a\nc\n") == "@@ -1,2 +1,2 @@\n a\n-b\n+c"
    assert make_patch(None, "x") == "@@ -0,0 +1 @@\n+x\n\\ No newline at end of file"
    assert PullFile.from_texts("a\n", None).resolved_status() == "removed"
    encoded = base64.b64encode(b"x").decode()
    assert encoded == "eA=="
