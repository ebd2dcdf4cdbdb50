"""A fake GitHub (REST + GraphQL) on loopback for end-to-end tests of the bot.

Built from GitHub's own descriptions, copied into ``github_api/`` (see its README): the
official OpenAPI description of the 22 REST operations the bot may use, real response
bodies, real error bodies, and an excerpt of the public GraphQL schema.  Every REST request
is validated against the OpenAPI subset (openapi-core) and every GraphQL document against the
schema excerpt (graphql-core); every response can be validated too.  It imports nothing
from the project's ``bot`` package, so tests against it catch the bot's mistakes.

Usage::

    with FakeGitHub() as fake:
        files = {"src/a.py": PullFile.from_texts(old, new)}
        fake.add_pull("octo-org", "hello", 7, fake_sha("head"), files=files)
        gh = Github(base_url=fake.base_url, auth=Auth.Token(ACTIONS_TOKEN), retry=None)
        ...
        assert fake.count("POST /pulls/{pull_number}/reviews") == 1
        fake.assert_no_invalid_requests()

URLs.  ``base_url`` is ``http://127.0.0.1:PORT/api/v3`` (GitHub Enterprise Server style) by
default, and GraphQL answers at ``http://127.0.0.1:PORT/api/graphql``, which is where
PyGithub >= 2.2 (``Requester.get_graphql_prefix``: strip ``/v3``, add ``/graphql``) and
GHES put it.  ``FakeGitHub(api_prefix="")`` gives the api.github.com layout instead
(``base_url`` is the root, GraphQL at ``/graphql``).  A POST to ``{base_url}/graphql`` under
the GHES layout is a 404 and an error, as on a real GHES.

What GitHub enforces and the fake does too: review comment lines must lie in one hunk of
the file's patch on the given side (the whole review is rejected with GitHub's 422 body
otherwise), ``start_line`` before ``line``, known paths and commits, one pending review per
user and pull request, no approving one's own pull request, pending reviews visible only to
their author, per_page capped at 100, 3000 files at most per pull request, Actions tokens
refused on ``GET /user``, and GraphQL connections needing ``first`` or ``last`` (at most 100).
``Repository.object(expression: "<commit>:<path>")`` reads a file at a commit as a ``Blob``
(null when the commit holds none), its ``text`` cut at :data:`BLOB_TEXT_LIMIT` bytes.
A bot's GraphQL ``author.login`` has no ``[bot]`` suffix while REST ``user.login`` and
GraphQL ``viewer.login`` have it, as on GitHub.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import dataclasses
import difflib
import functools
import hashlib
import json
import posixpath
import re
import socket
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, TypeAlias, cast

__all__ = [
    "ACTIONS_LOGIN",
    "ACTIONS_TOKEN",
    "BLOB_TEXT_LIMIT",
    "CREATE_REVIEW",
    "CREATE_REVIEW_COMMENT",
    "DATA_DIR",
    "ECHO_TOKEN",
    "FAULT_KINDS",
    "GRAPHQL",
    "GRAPHQL_EXTENSION",
    "LIST_FILES",
    "LIST_REVIEW_COMMENTS",
    "READ_ONLY_MESSAGE",
    "SECONDARY_RATE_LIMIT_MESSAGE",
    "USER_LOGIN",
    "USER_TOKEN",
    "Account",
    "FakeError",
    "FakeGitHub",
    "Fault",
    "FileSpec",
    "IssueComment",
    "PullFile",
    "PullRequest",
    "RecordedRequest",
    "Repository",
    "Review",
    "ReviewComment",
    "Thread",
    "fake_sha",
    "load_graphql_schema",
    "load_openapi_spec",
    "make_patch",
]

DATA_DIR = Path(__file__).with_name("github_api")
"""The copied API descriptions and examples (see ``github_api/README.md``)."""

ACTIONS_TOKEN = "ghs_fakeActionsToken0000000000000000000"
"""Token of the Actions app (``GITHUB_TOKEN``): login ``github-actions[bot]``, type Bot."""
ACTIONS_LOGIN = "github-actions[bot]"
USER_TOKEN = "ghp_fakeUserToken00000000000000000000000"
"""A personal access token of the user ``octocat``."""
USER_LOGIN = "octocat"

GRAPHQL = "POST /graphql"
"""Count key of every GraphQL request; ``graphql:<field>`` counts each top-level field."""
CREATE_REVIEW = "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews"
CREATE_REVIEW_COMMENT = "POST /repos/{owner}/{repo}/pulls/{pull_number}/comments"
LIST_REVIEW_COMMENTS = "GET /repos/{owner}/{repo}/pulls/{pull_number}/comments"
LIST_FILES = "GET /repos/{owner}/{repo}/pulls/{pull_number}/files"

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 30
MAX_PULL_FILES = 3000
MAX_GRAPHQL_PAGE = 100
MAX_BODY = 65536
BLOB_TEXT_LIMIT = 512_000
"""Bytes of a GraphQL ``Blob.text`` before GitHub cuts it and sets ``isTruncated``: not in
GitHub's docs; the figure public bug reports measured (sveltia/sveltia-cms#950, "exactly
512,000 bytes"; orbiting/backends#116, "after 500kb")."""
INT32_MAX = 2**31 - 1

SECONDARY_RATE_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
    "again. If you reach out to GitHub Support for help, please include the request ID {rid}."
)
READ_ONLY_MESSAGE = "Resource not accessible by integration"
ECHO_TOKEN = "{request token}"
"""In an injected fault's ``body``, stands for the token the request carried: proxies and
gateways echo it in their error messages ("Bad credentials: ghs_...")."""
_DOCS = "https://docs.github.com"
_SECONDARY_DOCS = f"{_DOCS}/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
_PRIMARY_DOCS = f"{_DOCS}/rest/overview/rate-limits-for-the-rest-api#about-the-rate-limit"

FAULT_KINDS = (
    "read_only",
    "secondary_rate_limit",
    "secondary_rate_limit_429",
    "primary_rate_limit",
    "bad_gateway",
    "server_error",
    "service_unavailable",
    "unprocessable",
    "not_found",
)
"""Names accepted by :meth:`FakeGitHub.fail` (an int status works too)."""

_START = datetime(2025, 1, 6, 8, 0, 0, tzinfo=timezone.utc)

# Thread-line messages of POST .../reviews 422s (see error-bodies.json).
_MSG_PATH = "Pull request review thread path is invalid"
_MSG_LINE = "Pull request review thread line must be part of the diff"
_MSG_START_HUNK = "Pull request review thread start line must be part of the same hunk as the line."
_MSG_START_ORDER = "Pull request review thread start line must precede the end line."
_MSG_HUNK = "Pull request review thread diff hunk can't be blank"


# ============================================================================ data files


@functools.cache
def _spec_source() -> dict[str, Any]:
    return cast(dict[str, Any], json.loads((DATA_DIR / "openapi-subset.json").read_text()))


def load_openapi_spec(server_url: str | None = None) -> dict[str, Any]:
    """Return the OpenAPI subset with the fake's load-time patches (a fresh copy).

    1. ``server_url`` (e.g. ``http://127.0.0.1:PORT/api/v3``) is appended to ``servers``.
    2. The request-body ``discriminator`` of ``POST /repos/{owner}/{repo}/check-runs`` is
       dropped (it has no mapping; openapi-core would look up ``#/components/schemas/<status>``).
    3. ``None`` joins the ``enum`` of nullable enums (``start_side``, check-run ``conclusion``).
    4. ``position`` and ``line`` of ``pull-request-review-comment`` (and ``line`` of
       ``review-comment``) become nullable: GitHub sends ``null`` there for outdated comments.
    5. The ``discriminator`` of ``GET .../contents/{path}``'s JSON answer is dropped: it maps
       ``type`` ``"array"`` to ``content-directory``, but a directory listing is an array with
       no ``type`` to look at (the ``oneOf`` alone tells the four shapes apart).
    """
    spec = copy.deepcopy(_spec_source())
    if server_url is not None:
        spec["servers"].append({"url": server_url})
    post = spec["paths"]["/repos/{owner}/{repo}/check-runs"]["post"]
    post["requestBody"]["content"]["application/json"]["schema"].pop("discriminator", None)

    def add_none(node: Any) -> None:
        if isinstance(node, dict):
            enum = node.get("enum")
            if node.get("nullable") and isinstance(enum, list) and None not in enum:
                enum.append(None)
            for value in node.values():
                add_none(value)
        elif isinstance(node, list):
            for value in node:
                add_none(value)

    add_none(spec)
    contents = spec["paths"]["/repos/{owner}/{repo}/contents/{path}"]["get"]
    contents["responses"]["200"]["content"]["application/json"]["schema"].pop("discriminator")
    schemas = spec["components"]["schemas"]
    for name, props in (
        ("pull-request-review-comment", ("position", "line")),
        ("review-comment", ("line",)),
    ):
        for prop in props:
            schemas[name]["properties"][prop]["nullable"] = True
    return spec


GRAPHQL_EXTENSION = '''
extend type Query {
  """
  The currently authenticated user. (Fake: outside graphql-subset.graphql.)
  """
  viewer: User!
}

"""
Represents a comment on an Issue. (Fake: only the fields the bot may need.)
"""
type IssueComment implements Minimizable {
  body: String!
  databaseId: Int
  fullDatabaseId: BigInt
  id: ID!
  isMinimized: Boolean!
  minimizedReason: String
  viewerCanMinimize: Boolean!
}
'''
"""SDL the fake adds to the excerpt: ``Query.viewer`` and ``IssueComment`` (for minimizeComment)."""


@functools.cache
def load_graphql_schema() -> Any:
    """The GraphQL schema excerpt plus :data:`GRAPHQL_EXTENSION`, built by graphql-core."""
    from graphql import build_schema

    sdl = (DATA_DIR / "graphql-subset.graphql").read_text()
    return build_schema(sdl + GRAPHQL_EXTENSION)


@functools.cache
def _example(name: str) -> Any:
    return json.loads((DATA_DIR / "examples" / name).read_text())


@functools.cache
def _error_bodies() -> dict[str, Any]:
    return cast(dict[str, Any], json.loads((DATA_DIR / "error-bodies.json").read_text()))


# ============================================================================ patches


def make_patch(old: str | None, new: str | None, *, context: int = 3) -> str:
    """Return the GitHub ``patch`` (hunks only, no ``---``/``+++``) turning ``old`` into ``new``.

    ``None`` stands for a missing file (added or removed).  Like GitHub's, the result has no
    trailing newline; a last line without one gets ``\\ No newline at end of file``.
    """
    a = (old or "").splitlines(keepends=True)
    b = (new or "").splitlines(keepends=True)
    out: list[str] = []
    for line in difflib.unified_diff(a, b, n=context, lineterm="\n"):
        if line.startswith(("---", "+++")):
            continue
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out).rstrip("\n")


_SHA = re.compile(r"[0-9a-f]{40}")
_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class _DiffLine:
    position: int
    """1-based position in the file's patch (the first ``@@`` line is position 0)."""
    hunk: int
    kind: str
    """``" "``, ``"+"``, ``"-"``, ``"\\\\"`` (no-newline marker) or ``"@"`` (a later header)."""
    left: int | None
    right: int | None
    text: str


class _Diff:
    """A file's patch parsed into positions and per-side line maps."""

    def __init__(self, patch: str | None) -> None:
        self.lines: list[_DiffLine] = []
        self.left: dict[int, _DiffLine] = {}
        self.right: dict[int, _DiffLine] = {}
        self.headers: dict[int, int] = {}  # hunk -> index in raw lines
        self.raw: list[str] = [] if not patch else patch.split("\n")
        hunk = -1
        left = right = 0
        for index, text in enumerate(self.raw):
            match = _HUNK_HEADER.match(text)
            if match:
                hunk += 1
                self.headers[hunk] = index
                left, right = int(match.group(1)), int(match.group(3))
                if index:
                    self.lines.append(_DiffLine(index, hunk, "@", None, None, text))
                continue
            if hunk < 0:
                raise ValueError(f"patch does not start with a hunk header: {text!r}")
            kind = text[:1] if text else " "
            if kind == " ":
                line = _DiffLine(index, hunk, kind, left, right, text[1:])
                self.left[left] = self.right[right] = line
                left += 1
                right += 1
            elif kind == "-":
                line = _DiffLine(index, hunk, kind, left, None, text[1:])
                self.left[left] = line
                left += 1
            elif kind == "+":
                line = _DiffLine(index, hunk, kind, None, right, text[1:])
                self.right[right] = line
                right += 1
            elif kind == "\\":
                line = _DiffLine(index, hunk, kind, None, None, text)
            else:
                raise ValueError(f"not a unified diff line: {text!r}")
            self.lines.append(line)
        self.by_position = {line.position: line for line in self.lines}

    def at(self, side: str, line: int) -> _DiffLine | None:
        return (self.right if side == "RIGHT" else self.left).get(line)

    def hunk_until(self, line: _DiffLine) -> str:
        """``diff_hunk`` of a comment ending at ``line``: its hunk's header through ``line``."""
        return "\n".join(self.raw[self.headers[line.hunk] : line.position + 1])

    def counts(self) -> tuple[int, int]:
        adds = sum(1 for line in self.lines if line.kind == "+")
        dels = sum(1 for line in self.lines if line.kind == "-")
        return adds, dels


# ============================================================================ state


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _node_id(prefix: str, kind: str, number: int) -> str:
    return f"{prefix}_kwDO{_b64(f'{kind}:{number}')}"


def _blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _as_bytes(content: str | bytes) -> bytes:
    return content.encode() if isinstance(content, str) else content


@dataclass
class Account:
    """A user or bot, as GitHub knows it."""

    login: str
    id: int
    node_id: str
    type: str = "User"
    """``"User"`` or ``"Bot"``."""

    @property
    def graphql_login(self) -> str:
        """``Actor.login`` in GraphQL: a bot's login without the ``[bot]`` suffix."""
        if self.type == "Bot":
            return self.login.removesuffix("[bot]")
        return self.login


@dataclass
class _Token:
    token: str
    account: Account
    read_only: bool = False


@dataclass(frozen=True)
class PullFile:
    """One file of a pull request: its ``patch`` (base...head) and its content at the head."""

    patch: str | None
    """Unified diff hunks as GitHub's ``patch`` field; None for binary or too large files."""
    content: str | bytes | None = None
    """Content at the head commit; None for a removed file (or unknown)."""
    status: str | None = None
    """added / removed / modified / renamed...; guessed from patch and content when None."""
    previous_filename: str | None = None

    @classmethod
    def from_texts(
        cls, old: str | None, new: str | None, *, context: int = 3, previous: str | None = None
    ) -> PullFile:
        """A file changed from ``old`` to ``new`` (None: absent), with a difflib patch."""
        if old is None:
            status = "added"
        elif new is None:
            status = "removed"
        else:
            status = "renamed" if previous else "modified"
        return cls(make_patch(old, new, context=context), new, status, previous)

    def resolved_status(self) -> str:
        if self.status:
            return self.status
        if self.content is None:
            return "removed"
        if self.previous_filename:
            return "renamed"
        if self.patch and self.patch.startswith("@@ -0,0 "):
            return "added"
        return "modified"


FileSpec: TypeAlias = (
    "PullFile | tuple[str | None, str | bytes | None] | tuple[str | None, str | bytes | None, str]"
)


def _as_pull_file(spec: Any) -> PullFile:
    if isinstance(spec, PullFile):
        return spec
    if isinstance(spec, tuple) and len(spec) in (2, 3):
        return PullFile(*spec)
    raise TypeError(f"a file is a PullFile or (patch, content[, status]), not {spec!r}")


@dataclass
class _Commit:
    sha: str
    tree: dict[str, bytes]
    parents: list[str]
    message: str
    date: str
    author: Account
    pull_files: dict[str, PullFile] | None = None
    """For a pull request's commit: the pull request's files (base...this commit)."""


@dataclass
class Repository:
    """A repository with its commits (trees), branches and pull requests."""

    owner: Account
    name: str
    id: int
    node_id: str
    default_branch: str = "main"
    private: bool = False
    fork: bool = False
    commits: dict[str, _Commit] = field(default_factory=dict, repr=False)
    branches: dict[str, str] = field(default_factory=dict)
    pulls: dict[int, PullRequest] = field(default_factory=dict, repr=False)
    created_at: str = "2024-01-01T00:00:00Z"

    @property
    def full_name(self) -> str:
        return f"{self.owner.login}/{self.name}"


@dataclass
class ReviewComment:
    """A pull request review comment (a line of a review thread)."""

    id: int
    node_id: str
    pull: PullRequest = field(repr=False)
    user: Account
    body: str
    path: str
    side: str
    line: int | None
    """Current line; None once outdated."""
    start_line: int | None
    start_side: str | None
    original_line: int
    original_start_line: int | None
    position: int | None
    """Current position in the head's patch; None once outdated."""
    original_position: int
    commit_id: str
    original_commit_id: str
    diff_hunk: str
    created_at: str
    updated_at: str
    review: Review | None = field(default=None, repr=False)
    in_reply_to_id: int | None = None
    thread: Thread | None = field(default=None, repr=False)
    minimized_reason: str | None = None

    @property
    def outdated(self) -> bool:
        return self.line is None

    @property
    def pending(self) -> bool:
        return self.review is not None and self.review.state == "PENDING"


@dataclass
class Review:
    """A pull request review (PENDING until submitted)."""

    id: int
    node_id: str
    pull: PullRequest = field(repr=False)
    user: Account
    body: str
    state: str
    commit_id: str
    submitted_at: str | None
    comments: list[ReviewComment] = field(default_factory=list, repr=False)


@dataclass
class Thread:
    """A review thread: a top-level review comment and its replies."""

    node_id: str
    comments: list[ReviewComment] = field(default_factory=list)
    resolved: bool = False
    resolved_by: Account | None = None

    @property
    def root(self) -> ReviewComment:
        return self.comments[0]

    @property
    def outdated(self) -> bool:
        return self.root.outdated

    @property
    def path(self) -> str:
        return self.root.path

    @property
    def line(self) -> int | None:
        return self.root.line


@dataclass
class IssueComment:
    """A comment on the pull request's conversation (an issue comment)."""

    id: int
    node_id: str
    pull: PullRequest = field(repr=False)
    user: Account
    body: str
    created_at: str
    updated_at: str
    minimized_reason: str | None = None


@dataclass
class PullRequest:
    """A pull request, with every commit pushed to it and everything said on it."""

    repo: Repository = field(repr=False)
    number: int
    id: int
    node_id: str
    title: str
    body: str | None
    user: Account
    draft: bool
    labels: list[str]
    state: str
    head_ref: str
    base_ref: str
    base_sha: str
    head_repo: Repository = field(repr=False)
    commit_shas: list[str]
    created_at: str
    updated_at: str
    review_comments: list[ReviewComment] = field(default_factory=list, repr=False)
    reviews: list[Review] = field(default_factory=list, repr=False)
    threads: list[Thread] = field(default_factory=list, repr=False)
    issue_comments: list[IssueComment] = field(default_factory=list, repr=False)

    @property
    def head_sha(self) -> str:
        return self.commit_shas[-1]

    def files_at(self, sha: str | None = None) -> dict[str, PullFile]:
        """The pull request's files (base...``sha``, default the head)."""
        files = self.repo.commits[sha or self.head_sha].pull_files
        assert files is not None
        return files

    @property
    def files(self) -> dict[str, PullFile]:
        return self.files_at()

    def visible_comments(self) -> list[ReviewComment]:
        """Submitted review comments (no pending ones)."""
        return [c for c in self.review_comments if not c.pending]


# ============================================================================ records


@dataclass
class RecordedRequest:
    """One request as the fake received and answered it."""

    method: str
    path: str
    """Request target as sent (with query string)."""
    route: str
    """``"METHOD /template"`` (e.g. :data:`CREATE_REVIEW`), ``"POST /graphql"``, or the raw path."""
    params: dict[str, str]
    query: dict[str, list[str]]
    headers: dict[str, str]
    """Lower-case names."""
    body: Any
    """Parsed JSON body (None when empty or not JSON)."""
    raw_body: bytes
    login: str | None = None
    status: int = 0
    response: Any = None
    """The answer's JSON body (bytes for diffs)."""
    response_headers: dict[str, str] = field(default_factory=dict)
    graphql_fields: tuple[str, ...] = ()
    """Top-level GraphQL fields (``("repository",)``, ``("minimizeComment",)``...)."""
    fault: str | None = None
    """Name of the injected fault that answered it, if any."""

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.route, *(f"graphql:{name}" for name in self.graphql_fields))


@dataclass(frozen=True)
class FakeError:
    """A request the fake rejected: what GitHub would have refused too."""

    kind: str
    """``route`` (not in the subset / unknown), ``schema`` (OpenAPI), ``json``, ``auth``,
    ``rule`` (GitHub's rules: diff lines, pending reviews...), ``not_found``, ``forbidden``,
    ``graphql`` (GraphQL validation or execution error), ``unsupported`` (fake's limits)."""
    method: str
    path: str
    route: str
    status: int
    message: str
    body: Any = None

    def __str__(self) -> str:
        return f"{self.kind}: {self.method} {self.path} -> {self.status}: {self.message}"


@dataclass
class Fault:
    """An injected failure, see :meth:`FakeGitHub.fail`."""

    kind: str
    status: int
    route: str | None
    nth: int
    times: int | None
    apply: bool
    body: Any
    headers: dict[str, str]
    seen: int = 0
    """Matching requests so far."""
    hits: int = 0
    """Requests this fault answered."""

    def take(self, keys: Sequence[str]) -> bool:
        if self.route is not None and self.route not in keys:
            return False
        self.seen += 1
        if self.seen < self.nth:
            return False
        if self.times is not None and self.hits >= self.times:
            return False
        self.hits += 1
        return True


@dataclass
class _Scheduled:
    after: int
    route: str | None
    action: Callable[[], None]
    seen: int = 0
    done: bool = False


_ABSENT = "absent"  # the kind of a 404 for a path the commit does not hold: never an error


class _HTTPError(Exception):
    def __init__(
        self,
        status: int,
        body: Any,
        kind: str,
        message: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message or str(body))
        self.status = status
        self.body = body
        self.kind = kind
        if not message and isinstance(body, dict):
            message = str(body.get("message", ""))
            details = [
                e if isinstance(e, str) else e.get("message", "") for e in body.get("errors", [])
            ]
            if details:
                message += ": " + "; ".join(details)
        self.message = message
        self.headers = dict(headers or {})


class _GqlError(Exception):
    def __init__(self, type_: str, message: str) -> None:
        super().__init__(message)
        self.type = type_


@dataclass
class _Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"
    raw: bytes | None = None
    """Non-JSON body (diffs); ``body`` is then ignored."""

    def data(self) -> bytes:
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b""
        return json.dumps(self.body).encode()


@dataclass
class _Ctx:
    method: str
    route: str
    template: str
    params: dict[str, str]
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    token: _Token
    record: RecordedRequest

    @property
    def viewer(self) -> Account:
        return self.token.account

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None


# ============================================================================ routing

_MULTI_SEGMENT = {"path", "ref", "commit_sha"}
_WRITE_METHODS = {"POST", "PATCH", "PUT", "DELETE"}

_HANDLERS: dict[str, str] = {
    "GET /repos/{owner}/{repo}": "_get_repo",
    "GET /repos/{owner}/{repo}/pulls/{pull_number}": "_get_pull",
    "GET /repos/{owner}/{repo}/pulls/{pull_number}/files": "_list_files",
    "GET /repos/{owner}/{repo}/contents/{path}": "_get_contents",
    "GET /repos/{owner}/{repo}/pulls/{pull_number}/comments": "_list_review_comments",
    "POST /repos/{owner}/{repo}/pulls/{pull_number}/comments": "_create_review_comment",
    "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews": "_create_review",
    "PATCH /repos/{owner}/{repo}/pulls/comments/{comment_id}": "_edit_review_comment",
    "DELETE /repos/{owner}/{repo}/pulls/comments/{comment_id}": "_delete_review_comment",
    "GET /repos/{owner}/{repo}/issues/{issue_number}/comments": "_list_issue_comments",
    "POST /repos/{owner}/{repo}/issues/{issue_number}/comments": "_create_issue_comment",
    "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}": "_edit_issue_comment",
    "POST /repos/{owner}/{repo}/check-runs": "_create_check_run",
    "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews": "_list_reviews",
    "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}": "_get_review",
    "DELETE /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}": "_delete_review",
    "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/comments": (
        "_list_comments_of_review"
    ),
    "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/events": ("_submit_review"),
    "GET /repos/{owner}/{repo}/pulls/{pull_number}/commits": "_list_pull_commits",
    "GET /repos/{owner}/{repo}/commits/{ref}": "_get_commit",
    "POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies": "_reply",
    "GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls": "_commit_pulls",
}
_EXTRA_HANDLERS: dict[str, str] = {
    # Not in the OpenAPI subset (so not validated): PyGithub's get_user().login calls it.
    "GET /user": "_get_user",
}


@dataclass(frozen=True)
class _Route:
    method: str
    template: str
    regex: re.Pattern[str]
    names: tuple[str, ...]
    literal: int
    handler: str
    in_subset: bool

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"


def _compile_route(key: str, handler: str, in_subset: bool) -> _Route:
    method, template = key.split(" ", 1)
    names: list[str] = []
    pattern = ""
    for part in re.split(r"(\{[^}]+\})", template):
        if part.startswith("{"):
            name = part[1:-1]
            names.append(name)
            pattern += "(.+)" if name in _MULTI_SEGMENT else "([^/]+)"
        else:
            pattern += re.escape(part)
    literal = len(re.sub(r"\{[^}]+\}", "", template))
    return _Route(
        method, template, re.compile(f"^{pattern}$"), tuple(names), literal, handler, in_subset
    )


@functools.cache
def _routes() -> tuple[_Route, ...]:
    spec_ops = {
        f"{method.upper()} {path}"
        for path, item in _spec_source()["paths"].items()
        for method in item
        if method in ("get", "post", "patch", "put", "delete")
    }
    missing = spec_ops ^ set(_HANDLERS)
    if missing:
        raise RuntimeError(f"handlers and the OpenAPI subset disagree on {sorted(missing)}")
    routes = [_compile_route(key, name, True) for key, name in _HANDLERS.items()]
    routes += [_compile_route(key, name, False) for key, name in _EXTRA_HANDLERS.items()]
    return tuple(sorted(routes, key=lambda r: -r.literal))


def _normalize_key(key: str) -> str:
    """``"POST /pulls/{pull_number}/reviews"`` -> the full template key."""
    if key.startswith("graphql:") or " " not in key:
        return key
    method, path = key.split(" ", 1)
    if not path.startswith(("/repos/", "/user", "/graphql")) and path != "/repos/{owner}/{repo}":
        path = "/repos/{owner}/{repo}" + path
    return f"{method.upper()} {path}"


# ============================================================================ the fake


class FakeGitHub:
    """GitHub's REST and GraphQL API for the bot's operations, on 127.0.0.1.

    Setting up state: :meth:`add_pull`, :meth:`push`, :meth:`add_comment`,
    :meth:`add_issue_comment`, :meth:`add_token`.  Faults: :meth:`fail`,
    :meth:`reject_nth_comment`, :meth:`move_head`, :meth:`after`, ``read_only``.
    Looking: ``requests``, :meth:`count`, :meth:`bodies`, ``errors``, ``response_errors``,
    :meth:`assert_no_invalid_requests`, :meth:`assert_valid_responses`, and the state objects
    (:meth:`pull`, :meth:`review_comments`, :meth:`threads`, ...).
    """

    def __init__(
        self,
        *,
        api_prefix: str = "/api/v3",
        validate_responses: bool = True,
        review_comment_first_id: int = 1_900_000_001,
    ) -> None:
        """``api_prefix``: ``"/api/v3"`` (GHES layout) or ``""`` (api.github.com layout).

        ``review_comment_first_id`` above 2**31 makes GraphQL's deprecated ``databaseId``
        null (it is an ``Int``), leaving only ``fullDatabaseId``.
        """
        if api_prefix and (not api_prefix.startswith("/") or api_prefix.endswith("/")):
            raise ValueError("api_prefix is '' or like '/api/v3'")
        self.api_prefix = api_prefix
        self.graphql_path = api_prefix.removesuffix("/v3") + "/graphql"
        self.validate_responses = validate_responses
        self.read_only = False
        """When true, every write (REST and GraphQL mutations) answers 403 read-only."""
        self._lock = threading.RLock()
        self._clock = _START
        self._ids: dict[str, int] = {
            "user": 1000,
            "repo": 900_000_000,
            "pull": 2_200_000_000,
            "review_comment": review_comment_first_id - 1,
            "review": 2_500_000_000,
            "issue_comment": 2_600_000_000,
            "check_run": 30_000_000_000,
            "label": 7_000_000_000,
            "thread": 0,
        }
        self._accounts: dict[str, Account] = {}
        self._tokens: dict[str, _Token] = {}
        self._repos: dict[str, Repository] = {}
        self._nodes: dict[str, Any] = {}
        self._labels: dict[str, int] = {}
        self.check_runs: list[dict[str, Any]] = []
        """Check runs created (their response bodies)."""
        self._requests: list[RecordedRequest] = []
        self._errors: list[FakeError] = []
        self._response_errors: list[str] = []
        self._crashes: list[BaseException] = []
        self._faults: list[Fault] = []
        self._scheduled: list[_Scheduled] = []
        self._comment_faults: list[list[int]] = []  # [nth, times left]
        self._comment_refusals: list[str] = []  # comments whose body holds one are refused
        self._comments_seen = 0
        self._rate_used = 0
        self._openapi: Any = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None
        self._connections: set[socket.socket] = set()
        actions = self._account("github-actions[bot]", type_="Bot", id_=41898282)
        self.add_token(ACTIONS_TOKEN, actions.login, type="Bot")
        self.add_token(USER_TOKEN, USER_LOGIN)

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> FakeGitHub:
        """Serve on 127.0.0.1 on a free port, in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("FakeGitHub can be started only once")
        from openapi_core import OpenAPI
        from openapi_core.configurations import Config

        server = _Server(self)
        self._server = server
        self._port = server.server_address[1]
        spec = load_openapi_spec(f"http://127.0.0.1:{self._port}{self.api_prefix}")
        config = Config(
            spec_validator_cls=None,
            extra_media_type_deserializers={
                "application/vnd.github.diff": _decode_text,
                "application/vnd.github.patch": _decode_text,
                "application/vnd.github.sha": _decode_text,
                "application/vnd.github.object": _decode_json,
            },
        )
        self._openapi = OpenAPI.from_dict(spec, config=config)
        load_graphql_schema()
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=f"FakeGitHub:{self._port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut the server down and close idle keep-alive connections."""
        server = self._server
        if server is None:
            return
        server.shutdown()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2.0)

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeGitHub is not started")
        return self._port

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT`` (also where ``html_url``s point)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """REST root for ``Github(base_url=...)``: ``http://127.0.0.1:PORT/api/v3`` by default."""
        return self.root_url + self.api_prefix

    @property
    def graphql_url(self) -> str:
        """Where GraphQL answers (what PyGithub derives from ``base_url``)."""
        return self.root_url + self.graphql_path

    def client(self, token: str = ACTIONS_TOKEN, **kwargs: Any) -> Any:
        """A PyGithub ``Github`` for this fake: no retries, no throttling sleeps."""
        import importlib

        github = importlib.import_module("github")
        options: dict[str, Any] = {
            "retry": None,
            "seconds_between_requests": None,
            "seconds_between_writes": None,
        }
        options.update(kwargs)
        return github.Github(base_url=self.base_url, auth=github.Auth.Token(token), **options)

    # -- accounts and tokens -----------------------------------------------------------

    def _next_id(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    def _tick(self) -> str:
        self._clock += timedelta(seconds=1)
        return self._clock.strftime("%Y-%m-%dT%H:%M:%SZ")

    def _account(self, login: str, *, type_: str | None = None, id_: int | None = None) -> Account:
        with self._lock:
            account = self._accounts.get(login)
            if account is None:
                kind = type_ or ("Bot" if login.endswith("[bot]") else "User")
                number = id_ if id_ is not None else self._next_id("user")
                prefix = "BOT" if kind == "Bot" else "U"
                account = Account(login, number, _node_id(prefix, "user", number), kind)
                self._accounts[login] = account
                self._nodes[account.node_id] = account
            return account

    def add_token(
        self, token: str, login: str, *, type: str | None = None, read_only: bool = False
    ) -> Account:
        """Let ``token`` authenticate as ``login`` (a Bot when type="Bot" or login ends [bot]).

        ``read_only``: writes with this token answer 403 "Resource not accessible by
        integration", as the Actions token of a pull request from a fork does.
        """
        with self._lock:
            account = self._account(login, type_=type)
            self._tokens[token] = _Token(token, account, read_only)
            return account

    # -- repositories and pull requests ------------------------------------------------

    def add_repo(
        self,
        owner: str,
        name: str,
        *,
        default_branch: str = "main",
        private: bool = False,
        files: Mapping[str, str | bytes] | None = None,
        sha: str | None = None,
    ) -> Repository:
        """Create (or return) a repository; ``files`` is the default branch's tree."""
        with self._lock:
            full = f"{owner}/{name}"
            repo = self._repos.get(full)
            if repo is None:
                number = self._next_id("repo")
                repo = Repository(
                    self._account(owner),
                    name,
                    number,
                    _node_id("R", "repo", number),
                    default_branch,
                    private,
                )
                self._repos[full] = repo
            if files is not None or sha is not None:
                sha = sha or fake_sha(f"{full}:{default_branch}:{len(repo.commits)}")
                tree = {path: _as_bytes(data) for path, data in (files or {}).items()}
                repo.commits[sha] = _Commit(
                    sha, tree, [], "Initial commit", self._tick(), repo.owner
                )
                repo.branches[default_branch] = sha
            return repo

    def repo(self, full_name: str | None = None) -> Repository:
        """A repository by ``"owner/name"`` (the only one when None)."""
        with self._lock:
            if full_name is None:
                if len(self._repos) != 1:
                    raise ValueError(f"name the repository among {sorted(self._repos)}")
                return next(iter(self._repos.values()))
            return self._repos[full_name]

    def add_pull(
        self,
        owner: str,
        repo: str,
        number: int,
        head_sha: str,
        files: Mapping[str, FileSpec],
        *,
        base_sha: str | None = None,
        base_files: Mapping[str, str | bytes] | None = None,
        title: str = "Add the feature",
        body: str | None = "",
        user: str = "contributor",
        draft: bool = False,
        labels: Iterable[str] = (),
        head_ref: str = "feature",
        base_ref: str | None = None,
        head_repo: str | None = None,
        state: str = "open",
    ) -> PullRequest:
        """Open pull request ``number`` whose head is ``head_sha`` with ``files``.

        ``files`` maps each changed path to a :class:`PullFile` or ``(patch, content)`` /
        ``(patch, content, status)``; the content is the file at the head (None: removed).
        ``base_files`` is the base commit's tree (unchanged files are served from it).
        ``head_repo`` ``"owner/name"`` makes it a pull request from a fork.
        """
        with self._lock:
            base_repo = self.add_repo(owner, repo)
            base_ref = base_ref or base_repo.default_branch
            if base_sha is None:
                base_sha = base_repo.branches.get(base_ref) or fake_sha(f"{owner}/{repo}:base")
            if base_sha not in base_repo.commits:
                tree = {path: _as_bytes(data) for path, data in (base_files or {}).items()}
                base_repo.commits[base_sha] = _Commit(
                    base_sha, tree, [], "Base commit", self._tick(), base_repo.owner
                )
            elif base_files is not None:
                base_repo.commits[base_sha].tree.update(
                    {path: _as_bytes(data) for path, data in base_files.items()}
                )
            base_repo.branches.setdefault(base_ref, base_sha)
            fork = base_repo
            if head_repo is not None:
                fork_owner, fork_name = head_repo.split("/", 1)
                fork = self.add_repo(fork_owner, fork_name)
                fork.fork = True
            number_id = self._next_id("pull")
            author = self._account(user)
            created = self._tick()
            pull = PullRequest(
                base_repo,
                number,
                number_id,
                _node_id("PR", "pull", number_id),
                title,
                body,
                author,
                draft,
                list(labels),
                state,
                head_ref,
                base_ref,
                base_sha,
                fork,
                [],
                created,
                created,
            )
            base_repo.pulls[number] = pull
            self._nodes[pull.node_id] = pull
            self._add_pull_commit(pull, head_sha, files)
            return pull

    def pull(self, number: int, repo: str | None = None) -> PullRequest:
        """A pull request by number (``repo`` ``"owner/name"``, default the only one)."""
        with self._lock:
            return self.repo(repo).pulls[number]

    def _add_pull_commit(self, pull: PullRequest, sha: str, files: Mapping[str, Any]) -> None:
        repo = pull.repo
        if not _SHA.fullmatch(sha):
            raise ValueError(f"a commit id is 40 lower-case hex digits (see fake_sha), not {sha!r}")
        if sha in repo.commits:
            raise ValueError(f"commit {sha} exists already")
        pull_files = {path: _as_pull_file(spec) for path, spec in files.items()}
        for path, pf in pull_files.items():
            try:
                _Diff(pf.patch)
            except ValueError as exc:
                raise ValueError(f"{path}: {exc}") from None
        tree = dict(repo.commits[pull.base_sha].tree)
        for path, pf in pull_files.items():
            if pf.previous_filename:
                tree.pop(pf.previous_filename, None)
            if pf.content is None:
                tree.pop(path, None)
            else:
                tree[path] = _as_bytes(pf.content)
        parents = [pull.commit_shas[-1] if pull.commit_shas else pull.base_sha]
        message = f"Commit {len(pull.commit_shas) + 1} of #{pull.number}"
        repo.commits[sha] = _Commit(
            sha, tree, parents, message, self._tick(), pull.user, pull_files
        )
        pull.commit_shas.append(sha)
        pull.head_repo.branches[pull.head_ref] = sha
        if pull.head_repo is not repo:
            pull.head_repo.commits[sha] = repo.commits[sha]

    def push(
        self,
        number: int,
        head_sha: str,
        files: Mapping[str, FileSpec] | None = None,
        *,
        repo: str | None = None,
        force: bool = False,
    ) -> PullRequest:
        """Push ``head_sha`` to the pull request; ``files`` is its whole new file set.

        ``files`` None keeps the files as they are.  Review comments follow their lines
        when those lines (same numbers, same text, one hunk) are still in the new patch and
        become outdated otherwise (``line``/``position`` null, thread ``isOutdated``).
        ``force`` drops the earlier commits from the pull request's commit list.
        """
        with self._lock:
            pull = self.pull(number, repo)
            old_head = pull.head_sha
            new_files = dict(pull.files) if files is None else files
            if force:
                pull.commit_shas.clear()
            self._add_pull_commit(pull, head_sha, new_files)
            pull.updated_at = self._tick()
            for thread in pull.threads:
                self._carry(thread, old_head, head_sha)
            return pull

    def move_head(
        self,
        number: int,
        head_sha: str,
        files: Mapping[str, Any] | None = None,
        *,
        after: int,
        route: str | None = None,
        repo: str | None = None,
    ) -> None:
        """:meth:`push` once ``after`` more requests (matching ``route``, if given) are answered."""
        self.after(after, lambda: self.push(number, head_sha, files, repo=repo), route=route)

    def after(self, count: int, action: Callable[[], None], *, route: str | None = None) -> None:
        """Run ``action`` once ``count`` more requests (matching ``route``) have been answered."""
        with self._lock:
            key = None if route is None else _normalize_key(route)
            self._scheduled.append(_Scheduled(count, key, action))

    def _carry(self, thread: Thread, old_sha: str, new_sha: str) -> None:
        """Move a thread's comments to ``new_sha`` or mark them outdated."""
        root = thread.root
        if root.line is None:
            return
        pull = root.pull
        old = pull.files_at(old_sha).get(root.path)
        new = pull.files_at(new_sha).get(root.path)
        moved = old is None or new is None or new.patch is None or old.patch is None
        position: int | None = None
        if not moved:
            assert old is not None
            assert new is not None
            old_diff, new_diff = _Diff(old.patch), _Diff(new.patch)
            start_side = root.start_side or root.side
            first = root.start_line if root.start_line is not None else root.line
            wanted = [(start_side, first)]
            if start_side == root.side:
                wanted = [(root.side, n) for n in range(first, root.line + 1)]
            else:
                wanted.append((root.side, root.line))
            hunks = set()
            for side, number in wanted:
                was, now = old_diff.at(side, number), new_diff.at(side, number)
                if was is None or now is None or was.text != now.text:
                    moved = True
                    break
                hunks.add(now.hunk)
            end = new_diff.at(root.side, root.line)
            if not moved and len(hunks) == 1 and end is not None:
                position = end.position
            else:
                moved = True
        for comment in thread.comments:
            if moved:
                comment.line = comment.start_line = comment.position = None
            else:
                comment.commit_id = new_sha
                comment.position = position

    # -- comments set up by tests ------------------------------------------------------

    def add_comment(
        self,
        number: int,
        path: str,
        line: int,
        body: str,
        *,
        author: str = "reviewer",
        side: str = "RIGHT",
        start_line: int | None = None,
        start_side: str | None = None,
        commit_id: str | None = None,
        in_reply_to: int | None = None,
        pending: bool = False,
        repo: str | None = None,
    ) -> ReviewComment:
        """Add a review comment as ``author`` (in its own COMMENTED review, or PENDING).

        Raises ValueError where GitHub would answer 422.  ``in_reply_to`` adds a reply to
        that comment's thread (path and line are then ignored).
        """
        with self._lock:
            pull = self.pull(number, repo)
            user = self._account(author)
            if in_reply_to is not None:
                try:
                    return self._create_reply(pull, user, in_reply_to, body)
                except LookupError:
                    raise ValueError(f"no review comment {in_reply_to} on #{number}") from None
            spec = {"path": path, "line": line, "side": side, "body": body}
            if start_line is not None:
                spec["start_line"] = start_line
            if start_side is not None:
                spec["start_side"] = start_side
            commit = commit_id or pull.head_sha
            if commit not in pull.commit_shas:
                raise ValueError(f"{commit} is not a commit of pull request #{number}")
            messages, anchor = self._check_thread(pull, commit, spec)
            if messages or anchor is None:
                raise ValueError(_sentence(messages))
            review = self._new_review(pull, user, "", "PENDING" if pending else "COMMENTED", commit)
            return self._new_comment(pull, review, user, body, anchor, commit)

    def add_issue_comment(
        self, number: int, body: str, *, author: str = "reviewer", repo: str | None = None
    ) -> IssueComment:
        """Add a comment to the pull request's conversation."""
        with self._lock:
            pull = self.pull(number, repo)
            return self._new_issue_comment(pull, self._account(author), body)

    # -- state queries -----------------------------------------------------------------

    def review_comments(
        self, number: int, repo: str | None = None, *, pending: bool = True
    ) -> list[ReviewComment]:
        """Every review comment of the pull request (with pending ones unless pending=False)."""
        with self._lock:
            comments = self.pull(number, repo).review_comments
            return [c for c in comments if pending or not c.pending]

    def reviews(self, number: int, repo: str | None = None) -> list[Review]:
        with self._lock:
            return list(self.pull(number, repo).reviews)

    def threads(self, number: int, repo: str | None = None) -> list[Thread]:
        with self._lock:
            return list(self.pull(number, repo).threads)

    def issue_comments(self, number: int, repo: str | None = None) -> list[IssueComment]:
        with self._lock:
            return list(self.pull(number, repo).issue_comments)

    # -- faults ------------------------------------------------------------------------

    def fail(
        self,
        kind: str | int,
        *,
        route: str | None = None,
        nth: int = 1,
        times: int | None = 1,
        apply: bool = False,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        retry_after: int = 60,
    ) -> Fault:
        """Answer matching requests with a failure instead of the real answer.

        ``kind``: one of :data:`FAULT_KINDS` or an HTTP status.  ``route``: a count key
        (``"POST /pulls/{pull_number}/reviews"``, :data:`GRAPHQL`, ``"graphql:minimizeComment"``)
        or None for every request.  The ``nth`` matching request is the first to fail, then
        ``times`` in a row (None: all).  ``apply`` carries the request out first (the write
        happened, the client sees an error: a 502 after the review was stored).  In ``body``,
        :data:`ECHO_TOKEN` is replaced by the request's token in every string.
        """
        if nth < 1 or (times is not None and times < 1):
            raise ValueError("nth and times are at least 1")
        status, default_body, default_headers = self._fault_answer(kind, route, retry_after)
        fault = Fault(
            str(kind),
            status,
            None if route is None else _normalize_key(route),
            nth,
            times,
            apply,
            default_body if body is None else body,
            {**default_headers, **(headers or {})},
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def reject_comments_containing(self, text: str) -> None:
        """Refuse, every time, any review comment whose body contains ``text`` (as if its line
        were outside the diff): each review holding one gets GitHub's 422."""
        with self._lock:
            self._comment_refusals.append(text)

    def reject_nth_comment(self, nth: int, *, times: int = 1) -> None:
        """Refuse the ``nth`` review comment the bot sends (counted over reviews and single
        comments) as if its line were outside the diff: the whole review gets GitHub's 422."""
        with self._lock:
            self._comment_faults.append([self._comments_seen + nth, times])

    def _fault_answer(
        self, kind: str | int, route: str | None, retry_after: int
    ) -> tuple[int, Any, dict[str, str]]:
        rid = "C0DE:1234:5678AB:9ABCDE:6780B2C3"
        doc = self._doc_url(route)
        if isinstance(kind, int):
            return (
                kind,
                {"message": _phrase(kind), "documentation_url": doc, "status": str(kind)},
                {},
            )
        if kind == "read_only":
            return 403, _error_body(READ_ONLY_MESSAGE, doc, 403), {}
        if kind in ("secondary_rate_limit", "secondary_rate_limit_429"):
            status = 429 if kind.endswith("429") else 403
            body = _error_body(
                SECONDARY_RATE_LIMIT_MESSAGE.format(rid=rid), _SECONDARY_DOCS, status
            )
            return status, body, {"Retry-After": str(retry_after)}
        if kind == "primary_rate_limit":
            reset = int(time.time()) + retry_after
            body = _error_body("API rate limit exceeded for installation ID 1.", _PRIMARY_DOCS, 403)
            headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}
            return 403, body, headers
        if kind == "bad_gateway":
            return 502, {"message": "Server Error"}, {}
        if kind == "server_error":
            return 500, {"message": "Server Error"}, {}
        if kind == "service_unavailable":
            return 503, {"message": "Service Unavailable"}, {}
        if kind == "not_found":
            return 404, _error_body("Not Found", doc, 404), {}
        if kind == "unprocessable":
            key = route and _normalize_key(route)
            if (
                key == CREATE_REVIEW
                or key
                == "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/events"
            ):
                return 422, _simple_422([f"{_MSG_LINE} and {_MSG_HUNK}"], doc), {}
            return (
                422,
                _thread_422(
                    [("line", "pull_request_review_thread.line must be part of the diff")], doc
                ),
                {},
            )
        raise ValueError(f"unknown fault kind {kind!r}; one of {FAULT_KINDS} or a status")

    # -- records -----------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._requests)

    def mark(self) -> int:
        """The number of requests so far, to count from with ``since=``."""
        with self._lock:
            return len(self._requests)

    def count(self, key: str | None = None, *, since: int = 0) -> int:
        """Requests matching ``key`` (every request when None) since ``mark()`` ``since``.

        Keys: ``"POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews"`` (the
        ``/repos/{owner}/{repo}`` prefix may be left out), :data:`GRAPHQL`,
        ``"graphql:resolveReviewThread"`` (per top-level field), ``"GET /user"``.
        """
        with self._lock:
            records = self._requests[since:]
            if key is None:
                return len(records)
            wanted = _normalize_key(key)
            return sum(r.keys.count(wanted) for r in records)

    def counts(self, *, since: int = 0) -> Counter[str]:
        """Requests per key since ``since``."""
        with self._lock:
            return Counter(k for r in self._requests[since:] for k in r.keys)

    def bodies(self, key: str, *, since: int = 0) -> list[Any]:
        """JSON bodies of the requests matching ``key``."""
        with self._lock:
            wanted = _normalize_key(key)
            return [r.body for r in self._requests[since:] if wanted in r.keys]

    @property
    def errors(self) -> list[FakeError]:
        """Requests the fake refused (not the injected faults, nor reads of a file that the
        commit does not hold: their 404 answers the question), in order."""
        with self._lock:
            return list(self._errors)

    def take_errors(self) -> list[FakeError]:
        """Return and forget the refused requests (for tests that expect some)."""
        with self._lock:
            errors, self._errors = self._errors, []
            return errors

    @property
    def response_errors(self) -> list[str]:
        """Responses of the fake that its OpenAPI description rejects (fake bugs)."""
        with self._lock:
            return list(self._response_errors)

    @property
    def crashes(self) -> list[BaseException]:
        """Exceptions inside the fake (answered 500); should stay empty."""
        with self._lock:
            return list(self._crashes)

    def assert_no_invalid_requests(self) -> None:
        """Fail if any request was refused (schema, route, rules...) or the fake crashed."""
        with self._lock:
            problems = [str(e) for e in self._errors] + [repr(c) for c in self._crashes]
        assert not problems, "the fake GitHub refused requests:\n" + "\n".join(problems)

    def assert_valid_responses(self) -> None:
        """Fail if any response did not match the OpenAPI description."""
        with self._lock:
            problems = list(self._response_errors)
        assert not problems, "responses outside the OpenAPI description:\n" + "\n".join(problems)

    # -- request pipeline (called by the handler thread) -------------------------------

    def _handle(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> _Reply:
        url = urllib.parse.urlsplit(target)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        body: Any = None
        json_problem: str | None = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                json_problem = "Problems parsing JSON"
        record = RecordedRequest(method, target, "", {}, query, headers, body, raw)
        with self._lock:
            self._requests.append(record)
            try:
                reply = self._answer(record, url.path, json_problem)
            except Exception as exc:
                self._crashes.append(exc)
                reply = _Reply(500, {"message": f"fake crashed: {exc!r}"})
            record.status = reply.status
            record.response = reply.body if reply.raw is None else reply.raw
            record.response_headers = dict(reply.headers)
            self._run_scheduled(record)
            return reply

    def _answer(self, record: RecordedRequest, path: str, json_problem: str | None) -> _Reply:
        method = record.method
        try:
            if path == self.graphql_path:
                record.route = GRAPHQL
                return self._graphql_request(record, json_problem)
            if not path.startswith(self.api_prefix + "/"):
                hint = ""
                if path.endswith("/graphql"):
                    hint = f" (GraphQL answers at {self.graphql_path})"
                raise _HTTPError(
                    404,
                    _error_body("Not Found", f"{_DOCS}/rest", 404),
                    "route",
                    f"no such path{hint}",
                )
            rest = path[len(self.api_prefix) :]
            route, params = self._match(method, rest)
            if route is None:
                record.route = f"{method} {rest}"
                why = "not in the OpenAPI subset" + (
                    f" (GraphQL answers at {self.graphql_path})"
                    if rest.endswith("/graphql")
                    else ""
                )
                raise _HTTPError(404, _error_body("Not Found", f"{_DOCS}/rest", 404), "route", why)
            record.route = route.key
            record.params = params
            fault = self._check_faults(record)
            if fault is not None and not fault.apply:
                return self._fault_reply(record, fault)
            token = self._authenticate(record)
            record.login = token.account.login
            if json_problem is not None:
                raise _HTTPError(
                    400, _error_body(json_problem, self._doc_url(route.key), 400), "json"
                )
            if route.in_subset:
                self._validate_request(record, route, params)
            if method in ("POST", "PATCH") and isinstance(record.body, dict):
                self._check_lengths(route.key, record.body)
            if (method in _WRITE_METHODS) and (self.read_only or token.read_only):
                raise _HTTPError(
                    403, _error_body(READ_ONLY_MESSAGE, self._doc_url(route.key), 403), "forbidden"
                )
            ctx = _Ctx(
                method,
                route.key,
                route.template,
                params,
                record.query,
                record.headers,
                record.body,
                token,
                record,
            )
            reply = cast(_Reply, getattr(self, route.handler)(ctx))
            if fault is not None:
                return self._fault_reply(record, fault)
            self._finish(reply, record, route)
            return reply
        except _HTTPError as exc:
            reply = _Reply(exc.status, exc.body, dict(exc.headers))
            if exc.kind != _ABSENT:
                self._errors.append(
                    FakeError(
                        exc.kind,
                        method,
                        record.path,
                        record.route,
                        exc.status,
                        exc.message,
                        exc.body,
                    )
                )
            self._finish(reply, record, None)
            return reply

    def _check_lengths(self, key: str, body: Mapping[str, Any]) -> None:
        """GitHub refuses comment and review bodies over 65536 characters."""
        texts = [body.get("body")]
        texts += [c.get("body") for c in body.get("comments") or [] if isinstance(c, dict)]
        if not any(isinstance(t, str) and len(t) > MAX_BODY for t in texts):
            return
        message = f"Body is too long (maximum is {MAX_BODY} characters)"
        doc = self._doc_url(key)
        if key.endswith("/reviews") or key.endswith("/events"):
            raise _HTTPError(422, _simple_422([message], doc), "rule")
        resource = "IssueComment" if "/issues/" in key else "PullRequestReviewComment"
        error = {"resource": resource, "code": "custom", "field": "body", "message": message}
        body_422 = {"message": "Validation Failed", "errors": [error], "documentation_url": doc}
        raise _HTTPError(422, {**body_422, "status": "422"}, "rule")

    def _finish(self, reply: _Reply, record: RecordedRequest, route: _Route | None) -> None:
        self._rate_used += 1
        resource = "graphql" if record.route == GRAPHQL else "core"
        reply.headers.setdefault("X-RateLimit-Limit", "5000")
        reply.headers.setdefault("X-RateLimit-Remaining", str(max(0, 5000 - self._rate_used)))
        reply.headers.setdefault("X-RateLimit-Reset", str(int(time.time()) + 3600))
        reply.headers.setdefault("X-RateLimit-Used", str(self._rate_used))
        reply.headers.setdefault("X-RateLimit-Resource", resource)
        reply.headers.setdefault("X-GitHub-Api-Version-Selected", "2022-11-28")
        reply.headers.setdefault("X-GitHub-Media-Type", "github.v3; format=json")
        reply.headers.setdefault("X-GitHub-Request-Id", f"FAKE:{len(self._requests):06X}")
        if route is None:
            route = self._route_by_key(record.route)
        if self.validate_responses and route is not None and route.in_subset:
            self._validate_response(record, route, reply)

    def _route_by_key(self, key: str) -> _Route | None:
        for route in _routes():
            if route.key == key:
                return route
        return None

    def _match(self, method: str, path: str) -> tuple[_Route | None, dict[str, str]]:
        for route in _routes():
            if route.method != method:
                continue
            match = route.regex.match(path)
            if match:
                values = [urllib.parse.unquote(v) for v in match.groups()]
                return route, dict(zip(route.names, values, strict=True))
        return None, {}

    def _check_faults(self, record: RecordedRequest) -> Fault | None:
        keys = record.keys
        for fault in self._faults:
            if fault.take(keys):
                record.fault = fault.kind
                return fault
        return None

    def _fault_reply(self, record: RecordedRequest, fault: Fault) -> _Reply:
        self._rate_used += 1
        headers = {"X-GitHub-Request-Id": f"FAKE:{len(self._requests):06X}", **fault.headers}
        headers.setdefault("X-RateLimit-Remaining", str(max(0, 5000 - self._rate_used)))
        _, _, token = record.headers.get("authorization", "").partition(" ")
        return _Reply(fault.status, _echo(fault.body, token.strip()), headers)

    def _authenticate(self, record: RecordedRequest) -> _Token:
        value = record.headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        if not value:
            body = _error_body("Requires authentication", f"{_DOCS}/rest", 401)
            raise _HTTPError(401, body, "auth")
        found = self._tokens.get(token.strip()) if scheme.lower() in ("token", "bearer") else None
        if found is None:
            raise _HTTPError(401, _error_body("Bad credentials", f"{_DOCS}/rest", 401), "auth")
        return found

    def _run_scheduled(self, record: RecordedRequest) -> None:
        for item in self._scheduled:
            if item.done or (item.route is not None and item.route not in record.keys):
                continue
            item.seen += 1
            if item.seen >= item.after:
                item.done = True
                item.action()

    def _doc_url(self, key: str | None) -> str:
        route = self._route_by_key(key) if key else None
        if route is not None and route.in_subset:
            op = _spec_source()["paths"][route.template][route.method.lower()]
            return str(op.get("externalDocs", {}).get("url", f"{_DOCS}/rest"))
        return f"{_DOCS}/rest"

    # -- OpenAPI validation ------------------------------------------------------------

    def _openapi_path(self, route: _Route, params: Mapping[str, str]) -> str:
        path = route.template
        for name, value in params.items():
            safe = "" if name in _MULTI_SEGMENT else "/"
            path = path.replace("{" + name + "}", urllib.parse.quote(value, safe=safe))
        return self.api_prefix + path

    def _validate_request(
        self, record: RecordedRequest, route: _Route, params: dict[str, str]
    ) -> None:
        from openapi_core.testing import MockRequest

        args = [(k, v) for k, values in record.query.items() for v in values]
        request = MockRequest(
            self.root_url,
            record.method,
            self._openapi_path(route, params),
            args=cast(Any, args),
            headers=record.headers,
            data=record.raw_body or None,
            content_type=record.headers.get("content-type", "application/json"),
        )
        problems = list(self._openapi.iter_request_errors(request))
        if not problems:
            return
        doc = self._doc_url(route.key)
        details: list[str] = []
        path_problem = False
        for error in problems:
            cause = error.__cause__
            schema_errors = getattr(cause, "schema_errors", None) or getattr(
                error, "schema_errors", None
            )
            if getattr(error, "location", None) == "path" or str(error).startswith("Path "):
                path_problem = True
            if schema_errors:
                for se in schema_errors:
                    where = "/".join(["properties", *(str(p) for p in se.absolute_path)])
                    details.append(f"For '{where}', {se.message}.")
            else:
                details.append(f"{error}" + (f": {cause}" if cause else ""))
        if path_problem:
            raise _HTTPError(404, _error_body("Not Found", doc, 404), "schema", "; ".join(details))
        message = "Invalid request.\n\n" + "\n".join(details)
        raise _HTTPError(422, _error_body(message, doc, 422), "schema", message)

    def _validate_response(self, record: RecordedRequest, route: _Route, reply: _Reply) -> None:
        from openapi_core.templating.responses.exceptions import ResponseNotFound
        from openapi_core.testing import MockRequest, MockResponse

        if reply.status >= 500 or reply.status in (401, 429):
            return  # gateway answers: no schema in the description
        request = MockRequest(
            self.root_url, record.method, self._openapi_path(route, record.params)
        )
        response = MockResponse(
            reply.data(), reply.status, reply.headers, reply.content_type.split(";")[0]
        )
        for error in self._openapi.iter_response_errors(request, response):
            if isinstance(error, ResponseNotFound):
                continue
            cause = error.__cause__
            schema_errors = getattr(cause, "schema_errors", None) or ()
            detail = (
                "; ".join(
                    f"{'/'.join(map(str, se.absolute_path))}: {se.message}" for se in schema_errors
                )
                or f"{error}: {cause}"
            )
            self._response_errors.append(f"{route.key} -> {reply.status}: {detail}")

    # -- JSON builders -----------------------------------------------------------------

    @property
    def _api(self) -> str:
        return self.base_url

    def _user_json(self, account: Account) -> dict[str, Any]:
        u = f"{self._api}/users/{urllib.parse.quote(account.login)}"
        html = f"{self.root_url}/{account.login}"
        if account.type == "Bot":
            html = f"{self.root_url}/apps/{account.graphql_login}"
        return {
            "login": account.login,
            "id": account.id,
            "node_id": account.node_id,
            "avatar_url": f"https://avatars.githubusercontent.com/u/{account.id}?v=4",
            "gravatar_id": "",
            "url": u,
            "html_url": html,
            "followers_url": f"{u}/followers",
            "following_url": f"{u}/following{{/other_user}}",
            "gists_url": f"{u}/gists{{/gist_id}}",
            "starred_url": f"{u}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{u}/subscriptions",
            "organizations_url": f"{u}/orgs",
            "repos_url": f"{u}/repos",
            "events_url": f"{u}/events{{/privacy}}",
            "received_events_url": f"{u}/received_events",
            "type": account.type,
            "user_view_type": "public",
            "site_admin": False,
        }

    def _rebased(self, template: Any, old_full: str, repo: Repository) -> dict[str, Any]:
        text = json.dumps(template)
        text = text.replace(old_full, repo.full_name)
        text = text.replace("https://api.github.com", self._api)
        text = text.replace("https://github.com", self.root_url)
        host = urllib.parse.urlsplit(self.root_url).netloc
        text = text.replace("git@github.com:", f"git@{host}:").replace(
            "git:github.com", f"git:{host}"
        )
        text = text.replace("https://svn.github.com", f"{self.root_url}/svn")
        return cast(dict[str, Any], json.loads(text))

    def _repo_json(self, repo: Repository, *, full: bool) -> dict[str, Any]:
        if full:
            data = self._rebased(_example("openapi/repository.json"), "octocat/Hello-World", repo)
            for key in ("organization", "parent", "source", "template_repository"):
                data.pop(key, None)
            data.update(
                language="Python",
                network_count=0,
                subscribers_count=0,
                permissions={
                    "admin": False,
                    "maintain": False,
                    "push": True,
                    "triage": True,
                    "pull": True,
                },
            )
        else:
            pull = _example("recorded/pull.json")
            data = self._rebased(pull["base"]["repo"], "PyGithub/PyGithub", repo)
        data.update(
            id=repo.id,
            node_id=repo.node_id,
            name=repo.name,
            full_name=repo.full_name,
            owner=self._user_json(repo.owner),
            private=repo.private,
            visibility="private" if repo.private else "public",
            fork=repo.fork,
            default_branch=repo.default_branch,
            description="A repository of the fake GitHub",
            homepage=None,
            created_at=repo.created_at,
            updated_at=repo.created_at,
            pushed_at=self._clock.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        return data

    def _association(self, pull: PullRequest, account: Account) -> str:
        if account.login == pull.repo.owner.login:
            return "OWNER"
        if account is pull.user:
            return "CONTRIBUTOR"
        return "NONE"

    def _label_json(self, repo: Repository, name: str) -> dict[str, Any]:
        key = f"{repo.full_name}:{name}"
        if key not in self._labels:
            self._labels[key] = self._next_id("label")
        number = self._labels[key]
        return {
            "id": number,
            "node_id": _node_id("LA", "label", number),
            "url": f"{self._api}/repos/{repo.full_name}/labels/{urllib.parse.quote(name)}",
            "name": name,
            "color": "ededed",
            "default": False,
            "description": f"Label {name}",
        }

    def _pull_json(self, pull: PullRequest, *, simple: bool = False) -> dict[str, Any]:
        repo = pull.repo
        r = f"{self._api}/repos/{repo.full_name}"
        url = f"{r}/pulls/{pull.number}"
        html = f"{self.root_url}/{repo.full_name}/pull/{pull.number}"
        head_sha = pull.head_sha

        def ref(repository: Repository, name: str, sha: str) -> dict[str, Any]:
            return {
                "label": f"{repository.owner.login}:{name}",
                "ref": name,
                "sha": sha,
                "user": self._user_json(repository.owner),
                "repo": self._repo_json(repository, full=False),
            }

        data: dict[str, Any] = {
            "url": url,
            "id": pull.id,
            "node_id": pull.node_id,
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "issue_url": f"{r}/issues/{pull.number}",
            "number": pull.number,
            "state": pull.state,
            "locked": False,
            "title": pull.title,
            "user": self._user_json(pull.user),
            "body": pull.body,
            "created_at": pull.created_at,
            "updated_at": pull.updated_at,
            "closed_at": None,
            "merged_at": None,
            "merge_commit_sha": fake_sha(f"merge:{head_sha}"),
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "labels": [self._label_json(repo, name) for name in pull.labels],
            "milestone": None,
            "draft": pull.draft,
            "commits_url": f"{url}/commits",
            "review_comments_url": f"{url}/comments",
            "review_comment_url": f"{r}/pulls/comments{{/number}}",
            "comments_url": f"{r}/issues/{pull.number}/comments",
            "statuses_url": f"{r}/statuses/{head_sha}",
            "head": ref(pull.head_repo, pull.head_ref, head_sha),
            "base": ref(repo, pull.base_ref, pull.base_sha),
            "_links": {
                "self": {"href": url},
                "html": {"href": html},
                "issue": {"href": f"{r}/issues/{pull.number}"},
                "comments": {"href": f"{r}/issues/{pull.number}/comments"},
                "review_comments": {"href": f"{url}/comments"},
                "review_comment": {"href": f"{r}/pulls/comments{{/number}}"},
                "commits": {"href": f"{url}/commits"},
                "statuses": {"href": f"{r}/statuses/{head_sha}"},
            },
            "author_association": self._association(pull, pull.user),
            "auto_merge": None,
            "active_lock_reason": None,
        }
        if simple:
            return data
        adds = dels = 0
        for pf in pull.files.values():
            a, d = _Diff(pf.patch).counts()
            adds, dels = adds + a, dels + d
        data.update(
            merged=False,
            mergeable=True,
            rebaseable=True,
            mergeable_state="clean",
            merged_by=None,
            comments=len(pull.issue_comments),
            review_comments=len(pull.visible_comments()),
            maintainer_can_modify=False,
            commits=len(pull.commit_shas),
            additions=adds,
            deletions=dels,
            changed_files=len(pull.files),
        )
        return data

    def _file_json(self, pull: PullRequest, path: str, pf: PullFile) -> dict[str, Any]:
        repo = pull.repo
        head = pull.head_sha
        quoted = urllib.parse.quote(path)
        adds, dels = _Diff(pf.patch).counts()
        content = b"" if pf.content is None else _as_bytes(pf.content)
        data: dict[str, Any] = {
            "sha": _blob_sha(content),
            "filename": path,
            "status": pf.resolved_status(),
            "additions": adds,
            "deletions": dels,
            "changes": adds + dels,
            "blob_url": f"{self.root_url}/{repo.full_name}/blob/{head}/{quoted}",
            "raw_url": f"{self.root_url}/{repo.full_name}/raw/{head}/{quoted}",
            "contents_url": f"{self._api}/repos/{repo.full_name}/contents/{quoted}?ref={head}",
        }
        if pf.patch is not None:
            data["patch"] = pf.patch
        if pf.previous_filename:
            data["previous_filename"] = pf.previous_filename
        return data

    def _comment_json(self, c: ReviewComment) -> dict[str, Any]:
        pull = c.pull
        full = pull.repo.full_name
        url = f"{self._api}/repos/{full}/pulls/comments/{c.id}"
        html = f"{self.root_url}/{full}/pull/{pull.number}#discussion_r{c.id}"
        pull_url = f"{self._api}/repos/{full}/pulls/{pull.number}"
        data: dict[str, Any] = {
            "url": url,
            "pull_request_review_id": c.review.id if c.review else None,
            "id": c.id,
            "node_id": c.node_id,
            "diff_hunk": c.diff_hunk,
            "path": c.path,
            "position": c.position,
            "original_position": c.original_position,
            "commit_id": c.commit_id,
            "original_commit_id": c.original_commit_id,
        }
        if c.in_reply_to_id is not None:
            data["in_reply_to_id"] = c.in_reply_to_id
        data.update(
            {
                "user": self._user_json(c.user),
                "body": c.body,
                "created_at": c.created_at,
                "updated_at": c.updated_at,
                "html_url": html,
                "pull_request_url": pull_url,
                "author_association": self._association(pull, c.user),
                "_links": {
                    "self": {"href": url},
                    "html": {"href": html},
                    "pull_request": {"href": pull_url},
                },
                "reactions": _reactions(f"{url}/reactions"),
                "start_line": c.start_line,
                "original_start_line": c.original_start_line,
                "start_side": c.start_side if c.original_start_line is not None else None,
                "line": c.line,
                "original_line": c.original_line,
                "side": c.side,
                "subject_type": "line",
            }
        )
        return data

    def _review_json(self, review: Review) -> dict[str, Any]:
        pull = review.pull
        full = pull.repo.full_name
        html = f"{self.root_url}/{full}/pull/{pull.number}#pullrequestreview-{review.id}"
        pull_url = f"{self._api}/repos/{full}/pulls/{pull.number}"
        data: dict[str, Any] = {
            "id": review.id,
            "node_id": review.node_id,
            "user": self._user_json(review.user),
            "body": review.body,
            "state": review.state,
            "html_url": html,
            "pull_request_url": pull_url,
            "author_association": self._association(pull, review.user),
            "_links": {"html": {"href": html}, "pull_request": {"href": pull_url}},
            "commit_id": review.commit_id,
        }
        if review.submitted_at is not None:
            data["submitted_at"] = review.submitted_at
        return data

    def _issue_comment_json(self, c: IssueComment) -> dict[str, Any]:
        pull = c.pull
        full = pull.repo.full_name
        url = f"{self._api}/repos/{full}/issues/comments/{c.id}"
        return {
            "id": c.id,
            "node_id": c.node_id,
            "url": url,
            "html_url": f"{self.root_url}/{full}/pull/{pull.number}#issuecomment-{c.id}",
            "body": c.body,
            "user": self._user_json(c.user),
            "created_at": c.created_at,
            "updated_at": c.updated_at,
            "issue_url": f"{self._api}/repos/{full}/issues/{pull.number}",
            "author_association": self._association(pull, c.user),
            "performed_via_github_app": None,
            "reactions": _reactions(f"{url}/reactions"),
            "pin": None,
            "minimized": None if c.minimized_reason is None else {"reason": c.minimized_reason},
        }

    def _commit_json(
        self, repo: Repository, commit: _Commit, *, with_files: bool
    ) -> dict[str, Any]:
        r = f"{self._api}/repos/{repo.full_name}"
        person = {
            "name": commit.author.login,
            "email": f"{commit.author.id}+{commit.author.login}@users.noreply.github.com",
            "date": commit.date,
        }
        data: dict[str, Any] = {
            "url": f"{r}/commits/{commit.sha}",
            "sha": commit.sha,
            "node_id": f"C_kwDO{_b64('commit:' + commit.sha)}",
            "html_url": f"{self.root_url}/{repo.full_name}/commit/{commit.sha}",
            "comments_url": f"{r}/commits/{commit.sha}/comments",
            "commit": {
                "url": f"{r}/git/commits/{commit.sha}",
                "author": dict(person),
                "committer": dict(person),
                "message": commit.message,
                "tree": {
                    "url": f"{r}/git/trees/{fake_sha('tree:' + commit.sha)}",
                    "sha": fake_sha("tree:" + commit.sha),
                },
                "comment_count": 0,
                "verification": {
                    "verified": False,
                    "reason": "unsigned",
                    "signature": None,
                    "payload": None,
                    "verified_at": None,
                },
            },
            "author": self._user_json(commit.author),
            "committer": self._user_json(commit.author),
            "parents": [
                {
                    "url": f"{r}/commits/{p}",
                    "sha": p,
                    "html_url": f"{self.root_url}/{repo.full_name}/commit/{p}",
                }
                for p in commit.parents
            ],
        }
        if with_files:
            files = []
            adds = dels = 0
            for path, old, new in self._commit_changes(repo, commit):
                patch = _text_patch(old, new)
                diff = _Diff(patch)
                a, d = diff.counts()
                adds, dels = adds + a, dels + d
                status = "added" if old is None else "removed" if new is None else "modified"
                quoted = urllib.parse.quote(path)
                entry: dict[str, Any] = {
                    "sha": _blob_sha(new if new is not None else b""),
                    "filename": path,
                    "status": status,
                    "additions": a,
                    "deletions": d,
                    "changes": a + d,
                    "blob_url": f"{self.root_url}/{repo.full_name}/blob/{commit.sha}/{quoted}",
                    "raw_url": f"{self.root_url}/{repo.full_name}/raw/{commit.sha}/{quoted}",
                    "contents_url": f"{r}/contents/{quoted}?ref={commit.sha}",
                }
                if patch is not None:
                    entry["patch"] = patch
                files.append(entry)
            data["stats"] = {"additions": adds, "deletions": dels, "total": adds + dels}
            data["files"] = files
        return data

    def _commit_changes(
        self, repo: Repository, commit: _Commit
    ) -> list[tuple[str, bytes | None, bytes | None]]:
        parent = repo.commits.get(commit.parents[0]) if commit.parents else None
        before = parent.tree if parent else {}
        paths = sorted(set(before) | set(commit.tree))
        return [
            (p, before.get(p), commit.tree.get(p))
            for p in paths
            if before.get(p) != commit.tree.get(p)
        ]

    # -- pagination --------------------------------------------------------------------

    def _page(self, ctx: _Ctx, items: Sequence[Any]) -> tuple[list[Any], dict[str, str]]:
        try:
            per_page = int(ctx.arg("per_page") or DEFAULT_PER_PAGE)
        except ValueError:
            per_page = DEFAULT_PER_PAGE
        per_page = min(max(per_page, 1), MAX_PER_PAGE)
        try:
            page = max(int(ctx.arg("page") or 1), 1)
        except ValueError:
            page = 1
        chunk = list(items[(page - 1) * per_page : page * per_page])
        last = max(1, -(-len(items) // per_page))
        if last == 1:
            return chunk, {}
        path = ctx.record.path.split("?", 1)[0]

        def link(number: int, rel: str) -> str:
            query = [(k, v) for k, values in ctx.query.items() if k != "page" for v in values]
            query.append(("page", str(number)))
            return f'<{self.root_url}{path}?{urllib.parse.urlencode(query)}>; rel="{rel}"'

        links = []
        if page > 1:
            links.append(link(min(page - 1, last), "prev"))
        if page < last:
            links.append(link(page + 1, "next"))
            links.append(link(last, "last"))
        if page > 1:
            links.append(link(1, "first"))
        return chunk, {"Link": ", ".join(links)}

    # -- lookups -----------------------------------------------------------------------

    def _repo_of(self, ctx: _Ctx) -> Repository:
        repo = self._repos.get(f"{ctx.params['owner']}/{ctx.params['repo']}")
        if repo is None:
            raise self._not_found(ctx)
        return repo

    def _pull_of(self, ctx: _Ctx, key: str = "pull_number") -> PullRequest:
        repo = self._repo_of(ctx)
        pull = repo.pulls.get(int(ctx.params[key]))
        if pull is None:
            raise self._not_found(ctx)
        return pull

    def _not_found(self, ctx: _Ctx, what: str = "") -> _HTTPError:
        body = _error_body("Not Found", self._doc_url(ctx.route), 404)
        return _HTTPError(404, body, "not_found", what or "Not Found")

    def _visible(self, ctx: _Ctx, comment: ReviewComment) -> bool:
        return not comment.pending or (
            comment.review is not None and comment.review.user is ctx.viewer
        )

    def _find_comment(self, ctx: _Ctx, repo: Repository) -> ReviewComment:
        number = int(ctx.params["comment_id"])
        for pull in repo.pulls.values():
            for comment in pull.review_comments:
                if comment.id == number and self._visible(ctx, comment):
                    return comment
        raise self._not_found(ctx)

    # -- REST handlers -----------------------------------------------------------------

    def _get_user(self, ctx: _Ctx) -> _Reply:
        if ctx.viewer.type == "Bot":
            body = _error_body(
                READ_ONLY_MESSAGE, f"{_DOCS}/rest/users/users#get-the-authenticated-user", 403
            )
            raise _HTTPError(403, body, "forbidden", "installation tokens cannot call GET /user")
        data = self._user_json(ctx.viewer)
        data.update(
            name=ctx.viewer.login.title(),
            company=None,
            blog="",
            location=None,
            email=None,
            hireable=None,
            bio=None,
            twitter_username=None,
            public_repos=1,
            public_gists=0,
            followers=0,
            following=0,
            created_at="2020-01-01T00:00:00Z",
            updated_at="2024-01-01T00:00:00Z",
        )
        return _Reply(200, data)

    def _get_repo(self, ctx: _Ctx) -> _Reply:
        return _Reply(200, self._repo_json(self._repo_of(ctx), full=True))

    def _get_pull(self, ctx: _Ctx) -> _Reply:
        return _Reply(200, self._pull_json(self._pull_of(ctx)))

    def _list_files(self, ctx: _Ctx) -> _Reply:
        pull = self._pull_of(ctx)
        entries = sorted(pull.files.items())[:MAX_PULL_FILES]  # git's order: by path
        chunk, headers = self._page(ctx, entries)
        return _Reply(200, [self._file_json(pull, p, pf) for p, pf in chunk], headers)

    def _resolve_ref(self, repo: Repository, ref: str | None) -> _Commit | None:
        if ref is None:
            ref = repo.default_branch
        ref = ref.removeprefix("refs/heads/")
        sha = repo.branches.get(ref, ref)
        if sha in repo.commits:
            return repo.commits[sha]
        matches = [c for s, c in repo.commits.items() if len(ref) >= 7 and s.startswith(ref)]
        return matches[0] if len(matches) == 1 else None

    def _get_contents(self, ctx: _Ctx) -> _Reply:
        repo = self._repo_of(ctx)
        ref = ctx.arg("ref")
        commit = self._resolve_ref(repo, ref)
        path = ctx.params["path"].strip("/")
        if commit is None:
            body = _error_body(f"No commit found for the ref {ref}", self._doc_url(ctx.route), 404)
            raise _HTTPError(404, body, "not_found")
        shown_ref = ref or repo.default_branch
        object_type = "application/vnd.github.object" in ctx.headers.get("accept", "")
        content_type = (
            "application/vnd.github.object; charset=utf-8"
            if object_type
            else "application/json; charset=utf-8"
        )
        if path in commit.tree:
            data = self._content_entry(repo, path, commit.tree[path], shown_ref, with_content=True)
            return _Reply(200, data, content_type=content_type)
        prefix = path + "/" if path else ""
        children: dict[str, bytes | None] = {}
        for name, blob in commit.tree.items():
            if name.startswith(prefix):
                head, _, rest = name[len(prefix) :].partition("/")
                children[prefix + head] = None if rest else blob
        if not children:
            # Asking whether a commit holds a file is a fair question, and 404 is GitHub's "no"
            # (as for an optional `.gitattributes`): an answer, not a refused request.
            body = _error_body("Not Found", self._doc_url(ctx.route), 404)
            raise _HTTPError(404, body, _ABSENT)
        entries = [
            self._content_entry(repo, name, blob, shown_ref, with_content=False)
            for name, blob in sorted(children.items())
        ]
        if object_type:
            return _Reply(
                200,
                {
                    **self._content_entry(repo, path, None, shown_ref, with_content=False),
                    "entries": entries,
                },
                content_type=content_type,
            )
        return _Reply(200, entries, content_type=content_type)

    def _content_entry(
        self, repo: Repository, path: str, blob: bytes | None, ref: str, *, with_content: bool
    ) -> dict[str, Any]:
        quoted = urllib.parse.quote(path)
        is_dir = blob is None
        sha = fake_sha(f"tree:{path}") if is_dir else _blob_sha(blob or b"")
        url = f"{self._api}/repos/{repo.full_name}/contents/{quoted}?ref={urllib.parse.quote(ref)}"
        git_url = f"{self._api}/repos/{repo.full_name}/git/{'trees' if is_dir else 'blobs'}/{sha}"
        html_url = f"{self.root_url}/{repo.full_name}/{'tree' if is_dir else 'blob'}/{ref}/{quoted}"
        data: dict[str, Any] = {
            "type": "dir" if is_dir else "file",
            "size": 0 if is_dir else len(blob or b""),
            "name": posixpath.basename(path),
            "path": path,
            "sha": sha,
            "url": url,
            "git_url": git_url,
            "html_url": html_url,
            "download_url": None
            if is_dir
            else f"{self.root_url}/raw/{repo.full_name}/{ref}/{quoted}",
            "_links": {"self": url, "git": git_url, "html": html_url},
        }
        if with_content and blob is not None:
            if len(blob) > 1_000_000:
                data.update(content="", encoding="none")
            else:
                encoded = base64.b64encode(blob).decode()
                lines = [encoded[i : i + 60] for i in range(0, len(encoded), 60)]
                data.update(content="".join(f"{line}\n" for line in lines), encoding="base64")
        return data

    def _list_review_comments(self, ctx: _Ctx) -> _Reply:
        pull = self._pull_of(ctx)
        comments = [c for c in pull.review_comments if self._visible(ctx, c)]
        since = ctx.arg("since")
        if since:
            comments = [c for c in comments if c.updated_at >= since]
        if ctx.arg("sort") == "updated":
            comments.sort(key=lambda c: (c.updated_at, c.id))
        if ctx.arg("direction") == "desc":
            comments.reverse()
        chunk, headers = self._page(ctx, comments)
        return _Reply(200, [self._comment_json(c) for c in chunk], headers)

    def _list_reviews(self, ctx: _Ctx) -> _Reply:
        pull = self._pull_of(ctx)
        reviews = [r for r in pull.reviews if r.state != "PENDING" or r.user is ctx.viewer]
        chunk, headers = self._page(ctx, reviews)
        return _Reply(200, [self._review_json(r) for r in chunk], headers)

    def _review_of(self, ctx: _Ctx) -> tuple[PullRequest, Review]:
        pull = self._pull_of(ctx)
        number = int(ctx.params["review_id"])
        for review in pull.reviews:
            if review.id == number and (review.state != "PENDING" or review.user is ctx.viewer):
                return pull, review
        raise self._not_found(ctx)

    def _get_review(self, ctx: _Ctx) -> _Reply:
        return _Reply(200, self._review_json(self._review_of(ctx)[1]))

    def _list_comments_of_review(self, ctx: _Ctx) -> _Reply:
        _, review = self._review_of(ctx)
        chunk, headers = self._page(ctx, review.comments)
        return _Reply(200, [self._comment_json(c) for c in chunk], headers)

    def _delete_review(self, ctx: _Ctx) -> _Reply:
        pull, review = self._review_of(ctx)
        if review.state != "PENDING":
            raise _HTTPError(
                422,
                _simple_422(
                    ["Can not delete a non-pending pull request review"], self._doc_url(ctx.route)
                ),
                "rule",
            )
        if review.user is not ctx.viewer:
            raise self._not_found(ctx)
        pull.reviews.remove(review)
        for comment in review.comments:
            self._remove_comment(comment)
        return _Reply(200, self._review_json(review))

    def _submit_review(self, ctx: _Ctx) -> _Reply:
        pull, review = self._review_of(ctx)
        doc = self._doc_url(ctx.route)
        if review.state != "PENDING":
            raise _HTTPError(
                422, _simple_422(["Can not submit a non-pending pull request review"], doc), "rule"
            )
        event = ctx.body["event"]
        body = ctx.body.get("body")
        self._check_event(
            pull,
            ctx.viewer,
            event,
            body if body is not None else review.body,
            bool(review.comments),
            doc,
        )
        if body is not None:
            review.body = body
        review.state = _EVENT_STATES[event]
        review.submitted_at = self._tick()
        return _Reply(200, self._review_json(review))

    def _check_event(
        self,
        pull: PullRequest,
        viewer: Account,
        event: str,
        body: str | None,
        has_comments: bool,
        doc: str,
    ) -> None:
        if event == "APPROVE" and viewer is pull.user:
            raise _HTTPError(
                422, _simple_422(["Can not approve your own pull request"], doc), "rule"
            )
        if event == "REQUEST_CHANGES" and viewer is pull.user:
            raise _HTTPError(
                422, _simple_422(["Can not request changes on your own pull request"], doc), "rule"
            )
        if event in ("REQUEST_CHANGES", "COMMENT") and not body and not has_comments:
            raise _HTTPError(422, _simple_422(["Review body can't be blank"], doc), "rule")

    def _create_review(self, ctx: _Ctx) -> _Reply:
        pull = self._pull_of(ctx)
        doc = self._doc_url(ctx.route)
        body = ctx.body or {}
        event = body.get("event")
        text = body.get("body") or ""
        commit_id = body.get("commit_id") or pull.head_sha
        specs = list(body.get("comments") or [])
        if any(r.state == "PENDING" and r.user is ctx.viewer for r in pull.reviews):
            raise _HTTPError(
                422,
                _simple_422(["User can only have one pending review per pull request"], doc),
                "rule",
            )
        if commit_id not in pull.commit_shas:
            raise _HTTPError(
                422,
                _simple_422([f"Commit {commit_id} is not part of the pull request"], doc),
                "rule",
            )
        if event is not None:
            self._check_event(pull, ctx.viewer, event, text, bool(specs), doc)
        anchors = []
        messages: list[str] = []
        for spec in specs:
            found, anchor = self._check_thread(pull, commit_id, spec)
            refused = any(t in str(spec.get("body", "")) for t in self._comment_refusals)
            if (self._take_comment_fault() or refused) and not found:
                found = [_MSG_LINE, _MSG_HUNK]
            for message in found:
                if message not in messages:
                    messages.append(message)
            anchors.append(anchor)
        if messages:
            raise _HTTPError(422, _simple_422([_sentence(messages)], doc), "rule")
        state = _EVENT_STATES.get(event, "PENDING") if event else "PENDING"
        review = self._new_review(pull, ctx.viewer, text, state, commit_id)
        for spec, anchor in zip(specs, anchors, strict=True):
            assert anchor is not None
            self._new_comment(pull, review, ctx.viewer, spec["body"], anchor, commit_id)
        return _Reply(200, self._review_json(review))

    def _take_comment_fault(self) -> bool:
        self._comments_seen += 1
        for item in self._comment_faults:
            if item[1] > 0 and self._comments_seen >= item[0]:
                item[1] -= 1
                return True
        return False

    def _check_thread(
        self, pull: PullRequest, commit_id: str, spec: Mapping[str, Any]
    ) -> tuple[list[str], _Anchor | None]:
        """GitHub's checks of one review thread's location; messages as in POST .../reviews."""
        path = spec.get("path")
        files = pull.files_at(commit_id)
        if spec.get("subject_type") == "file":
            return [
                "Pull request review thread subject_type 'file' is not supported by the fake"
            ], None
        if path not in files:
            return [_MSG_PATH, _MSG_HUNK], None
        diff = _Diff(files[path].patch)
        line_no = spec.get("line")
        side = spec.get("side") or "RIGHT"
        start_line = spec.get("start_line")
        start_side = spec.get("start_side") or (side if start_line is not None else None)
        if line_no is None and spec.get("position") is not None:
            at_pos = diff.by_position.get(spec["position"])
            if at_pos is None or at_pos.kind in ("@", "\\"):
                return [_MSG_LINE, _MSG_HUNK], None
            side = "LEFT" if at_pos.kind == "-" else "RIGHT"
            line_no = at_pos.left if side == "LEFT" else at_pos.right
        if side not in ("LEFT", "RIGHT") or (
            start_side is not None and start_side not in ("LEFT", "RIGHT")
        ):
            return [_MSG_LINE, _MSG_HUNK], None
        end = diff.at(side, line_no) if isinstance(line_no, int) else None
        start = diff.at(start_side or side, start_line) if isinstance(start_line, int) else None
        messages: list[str] = []
        if end is None:
            messages.append(_MSG_LINE)
            if start_line is not None and (start is None):
                messages.append(_MSG_START_HUNK)
            messages.append(_MSG_HUNK)
            return messages, None
        assert isinstance(line_no, int)
        if start_line is not None:
            if start is None or start.hunk != end.hunk:
                return [_MSG_START_HUNK], None
            if start.position >= end.position:
                return [_MSG_START_ORDER], None
        anchor = _Anchor(
            path,
            side,
            line_no,
            start_line,
            start_side if start_line is not None else None,
            end.position,
            diff.hunk_until(end),
        )
        return [], anchor

    def _new_review(
        self, pull: PullRequest, user: Account, body: str, state: str, commit_id: str
    ) -> Review:
        number = self._next_id("review")
        submitted = None if state == "PENDING" else self._tick()
        review = Review(
            number, _node_id("PRR", "review", number), pull, user, body, state, commit_id, submitted
        )
        pull.reviews.append(review)
        self._nodes[review.node_id] = review
        return review

    def _new_comment(
        self,
        pull: PullRequest,
        review: Review | None,
        user: Account,
        body: str,
        anchor: _Anchor,
        commit_id: str,
    ) -> ReviewComment:
        number = self._next_id("review_comment")
        now = self._tick()
        comment = ReviewComment(
            number,
            _node_id("PRRC", "review_comment", number),
            pull,
            user,
            body,
            anchor.path,
            anchor.side,
            anchor.line,
            anchor.start_line,
            anchor.start_side,
            anchor.line,
            anchor.start_line,
            anchor.position,
            anchor.position,
            commit_id,
            commit_id,
            anchor.diff_hunk,
            now,
            now,
            review,
        )
        thread_no = self._next_id("thread")
        thread = Thread(_node_id("PRRT", "thread", thread_no), [comment])
        comment.thread = thread
        pull.threads.append(thread)
        pull.review_comments.append(comment)
        if review is not None:
            review.comments.append(comment)
        self._nodes[comment.node_id] = comment
        self._nodes[thread.node_id] = thread
        # A comment on an older commit moves along the later pushes at once.
        shas = pull.commit_shas
        if commit_id in shas:
            for old, new in zip(
                shas[shas.index(commit_id) :], shas[shas.index(commit_id) + 1 :], strict=False
            ):
                self._carry(thread, old, new)
        return comment

    def _create_reply(
        self,
        pull: PullRequest,
        user: Account,
        in_reply_to: int,
        body: str,
        review: Review | None = None,
    ) -> ReviewComment:
        parent = next((c for c in pull.review_comments if c.id == in_reply_to), None)
        if parent is None or parent.thread is None:
            raise LookupError(in_reply_to)
        root = parent.thread.root
        number = self._next_id("review_comment")
        now = self._tick()
        if review is None:
            review = self._new_review(pull, user, "", "COMMENTED", pull.head_sha)
        reply = dataclasses.replace(
            root,
            id=number,
            node_id=_node_id("PRRC", "review_comment", number),
            user=user,
            body=body,
            created_at=now,
            updated_at=now,
            review=review,
            in_reply_to_id=root.id,
            minimized_reason=None,
        )
        root.thread.comments.append(reply)
        pull.review_comments.append(reply)
        review.comments.append(reply)
        self._nodes[reply.node_id] = reply
        return reply

    def _remove_comment(self, comment: ReviewComment) -> None:
        pull = comment.pull
        if comment in pull.review_comments:
            pull.review_comments.remove(comment)
        self._nodes.pop(comment.node_id, None)
        if comment.review is not None and comment in comment.review.comments:
            comment.review.comments.remove(comment)
        thread = comment.thread
        if thread is not None and comment in thread.comments:
            thread.comments.remove(comment)
            if not thread.comments:
                pull.threads.remove(thread)
                self._nodes.pop(thread.node_id, None)

    def _create_review_comment(self, ctx: _Ctx) -> _Reply:
        pull = self._pull_of(ctx)
        doc = self._doc_url(ctx.route)
        body = ctx.body
        in_reply_to = body.get("in_reply_to")
        if in_reply_to is not None:
            try:
                comment = self._create_reply(pull, ctx.viewer, int(in_reply_to), body["body"])
            except LookupError:
                raise _HTTPError(
                    422,
                    _thread_422(
                        [("in_reply_to", "in_reply_to is not a comment of this pull request")], doc
                    ),
                    "rule",
                ) from None
            return self._created(comment)
        commit_id = body.get("commit_id") or pull.head_sha
        if commit_id not in pull.commit_shas:
            raise _HTTPError(
                422,
                _thread_422([("commit_id", "commit_id is not part of the pull request")], doc),
                "rule",
            )
        messages, anchor = self._check_thread(pull, commit_id, body)
        if self._take_comment_fault() and not messages:
            messages = [_MSG_LINE]
        if messages or anchor is None:
            errors = []
            for message in messages:
                if message == _MSG_HUNK:
                    continue
                field_name = {_MSG_PATH: "path", _MSG_LINE: "line"}.get(message, "start_line")
                tail = _MESSAGE_TAILS.get(message, message)
                errors.append((field_name, f"pull_request_review_thread.{field_name} {tail}"))
            raise _HTTPError(
                422,
                _thread_422(
                    errors
                    or [("line", "pull_request_review_thread.line must be part of the diff")],
                    doc,
                ),
                "rule",
                _sentence(messages),
            )
        review = self._new_review(pull, ctx.viewer, "", "COMMENTED", commit_id)
        comment = self._new_comment(pull, review, ctx.viewer, body["body"], anchor, commit_id)
        return self._created(comment)

    def _created(self, comment: ReviewComment) -> _Reply:
        data = self._comment_json(comment)
        return _Reply(201, data, {"Location": data["url"]})

    def _reply(self, ctx: _Ctx) -> _Reply:
        pull = self._pull_of(ctx)
        number = int(ctx.params["comment_id"])
        target = next(
            (c for c in pull.review_comments if c.id == number and self._visible(ctx, c)), None
        )
        if target is None:
            raise self._not_found(ctx)
        return self._created(self._create_reply(pull, ctx.viewer, number, ctx.body["body"]))

    def _edit_review_comment(self, ctx: _Ctx) -> _Reply:
        comment = self._find_comment(ctx, self._repo_of(ctx))
        comment.body = ctx.body["body"]
        comment.updated_at = self._tick()
        return _Reply(200, self._comment_json(comment))

    def _delete_review_comment(self, ctx: _Ctx) -> _Reply:
        comment = self._find_comment(ctx, self._repo_of(ctx))
        self._remove_comment(comment)
        return _Reply(204, None, content_type="")

    def _list_issue_comments(self, ctx: _Ctx) -> _Reply:
        pull = self._pull_of(ctx, "issue_number")
        comments = list(pull.issue_comments)
        since = ctx.arg("since")
        if since:
            comments = [c for c in comments if c.updated_at >= since]
        chunk, headers = self._page(ctx, comments)
        return _Reply(200, [self._issue_comment_json(c) for c in chunk], headers)

    def _new_issue_comment(self, pull: PullRequest, user: Account, body: str) -> IssueComment:
        number = self._next_id("issue_comment")
        now = self._tick()
        comment = IssueComment(
            number, _node_id("IC", "issue_comment", number), pull, user, body, now, now
        )
        pull.issue_comments.append(comment)
        self._nodes[comment.node_id] = comment
        return comment

    def _create_issue_comment(self, ctx: _Ctx) -> _Reply:
        pull = self._pull_of(ctx, "issue_number")
        comment = self._new_issue_comment(pull, ctx.viewer, ctx.body["body"])
        data = self._issue_comment_json(comment)
        return _Reply(201, data, {"Location": data["url"]})

    def _edit_issue_comment(self, ctx: _Ctx) -> _Reply:
        repo = self._repo_of(ctx)
        number = int(ctx.params["comment_id"])
        for pull in repo.pulls.values():
            for comment in pull.issue_comments:
                if comment.id == number:
                    comment.body = ctx.body["body"]
                    comment.updated_at = self._tick()
                    return _Reply(200, self._issue_comment_json(comment))
        raise self._not_found(ctx)

    def _create_check_run(self, ctx: _Ctx) -> _Reply:
        repo = self._repo_of(ctx)
        body = ctx.body
        doc = self._doc_url(ctx.route)
        output = body.get("output") or {}
        if len(output.get("annotations") or []) > 50:
            raise _HTTPError(
                422,
                {
                    "message": "Validation Failed",
                    "errors": [
                        {
                            "resource": "CheckRun",
                            "code": "custom",
                            "field": "annotations",
                            "message": "at most 50 annotations per request",
                        }
                    ],
                    "documentation_url": doc,
                    "status": "422",
                },
                "rule",
            )
        if self._resolve_ref(repo, body["head_sha"]) is None:
            raise _HTTPError(
                422,
                {
                    "message": "No commit found for SHA: " + body["head_sha"],
                    "documentation_url": doc,
                    "status": "422",
                },
                "rule",
            )
        number = self._next_id("check_run")
        data = self._rebased(
            _example("recorded/check-run.json"), "dhruvmanila/pygithub-testing", repo
        )
        url = f"{self._api}/repos/{repo.full_name}/check-runs/{number}"
        status = body.get("status") or ("completed" if body.get("conclusion") else "queued")
        now = self._tick()
        data.update(
            id=number,
            node_id=_node_id("CR", "check_run", number),
            head_sha=body["head_sha"],
            external_id=body.get("external_id", ""),
            url=url,
            html_url=f"{self.root_url}/{repo.full_name}/runs/{number}",
            details_url=body.get("details_url", f"{self.root_url}/{repo.full_name}"),
            status=status,
            conclusion=body.get("conclusion"),
            started_at=body.get("started_at", now),
            completed_at=body.get("completed_at", now if status == "completed" else None),
            name=body["name"],
            output={
                "title": output.get("title"),
                "summary": output.get("summary"),
                "text": output.get("text"),
                "annotations_count": len(output.get("annotations") or []),
                "annotations_url": f"{url}/annotations",
            },
            pull_requests=[],
        )
        self.check_runs.append(data)
        return _Reply(201, data)

    def _list_pull_commits(self, ctx: _Ctx) -> _Reply:
        pull = self._pull_of(ctx)
        commits = [pull.repo.commits[s] for s in pull.commit_shas][:250]
        chunk, headers = self._page(ctx, commits)
        return _Reply(
            200, [self._commit_json(pull.repo, c, with_files=False) for c in chunk], headers
        )

    def _get_commit(self, ctx: _Ctx) -> _Reply:
        repo = self._repo_of(ctx)
        commit = self._resolve_ref(repo, ctx.params["ref"])
        if commit is None:
            body = {
                "message": f"No commit found for SHA: {ctx.params['ref']}",
                "documentation_url": self._doc_url(ctx.route),
                "status": "422",
            }
            raise _HTTPError(422, body, "not_found")
        accept = ctx.headers.get("accept", "")
        if "application/vnd.github.sha" in accept:
            return _Reply(
                200,
                raw=commit.sha.encode(),
                content_type="application/vnd.github.sha; charset=utf-8",
            )
        if "application/vnd.github.diff" in accept or "application/vnd.github.patch" in accept:
            diff = "".join(
                _git_diff(p, old, new) for p, old, new in self._commit_changes(repo, commit)
            )
            if "patch" in accept:
                head = (
                    f"From {commit.sha} Mon Sep 17 00:00:00 2001\nFrom: {commit.author.login}\n"
                    f"Date: {commit.date}\nSubject: [PATCH] {commit.message}\n\n---\n\n"
                )
                return _Reply(
                    200,
                    raw=(head + diff).encode(),
                    content_type="application/vnd.github.patch; charset=utf-8",
                )
            return _Reply(
                200, raw=diff.encode(), content_type="application/vnd.github.diff; charset=utf-8"
            )
        return _Reply(200, self._commit_json(repo, commit, with_files=True))

    def _commit_pulls(self, ctx: _Ctx) -> _Reply:
        repo = self._repo_of(ctx)
        sha = ctx.params["commit_sha"]
        pulls = [
            p
            for p in repo.pulls.values()
            if any(s.startswith(sha) for s in p.commit_shas) and p.state == "open"
        ]
        chunk, headers = self._page(ctx, pulls)
        return _Reply(200, [self._pull_json(p, simple=True) for p in chunk], headers)

    # -- GraphQL -----------------------------------------------------------------------

    def _graphql_request(self, record: RecordedRequest, json_problem: str | None) -> _Reply:
        from graphql import FieldNode, GraphQLError, get_operation_ast, parse, validate

        body = record.body
        if record.method != "POST":
            raise _HTTPError(
                404,
                _error_body("Not Found", f"{_DOCS}/graphql", 404),
                "route",
                "GraphQL takes POST",
            )
        document = None
        operation = None
        if json_problem is None and isinstance(body, dict) and isinstance(body.get("query"), str):
            try:
                document = parse(body["query"])
                operation = get_operation_ast(document, body.get("operationName"))
            except GraphQLError:
                document = None
        if operation is not None:
            record.graphql_fields = tuple(
                sel.name.value
                for sel in operation.selection_set.selections
                if isinstance(sel, FieldNode)
            )
        fault = self._check_faults(record)
        if fault is not None and not fault.apply:
            return self._fault_reply(record, fault)
        token = self._authenticate_graphql(record)
        record.login = token.account.login
        doc = f"{_DOCS}/graphql"
        if json_problem is not None:
            raise _HTTPError(400, {"message": json_problem, "documentation_url": doc}, "json")
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            errors = [{"message": "A query attribute must be specified and must be a string."}]
            return self._graphql_errors(record, {"errors": errors})
        try:
            document = parse(body["query"])
        except GraphQLError as exc:
            return self._graphql_errors(record, {"errors": [_format_gql_error(exc)]})
        problems = validate(load_graphql_schema(), document)
        if problems:
            return self._graphql_errors(
                record, {"errors": [_format_gql_error(e) for e in problems]}
            )
        if operation is None:
            errors = [
                {
                    "message": "An operation name is required when the document has several "
                    "operations."
                }
            ]
            return self._graphql_errors(record, {"errors": errors})
        variables = body.get("variables") or {}
        payload = self._graphql_execute(document, variables, body.get("operationName"), token)
        if fault is not None:
            return self._fault_reply(record, fault)
        if payload.get("errors"):
            message = "; ".join(e.get("message", "") for e in payload["errors"])
            self._errors.append(
                FakeError("graphql", record.method, record.path, GRAPHQL, 200, message, payload)
            )
        reply = _Reply(200, payload)
        self._finish(reply, record, None)
        return reply

    def _graphql_errors(self, record: RecordedRequest, payload: dict[str, Any]) -> _Reply:
        message = "; ".join(e.get("message", "") for e in payload["errors"])
        self._errors.append(
            FakeError("graphql", record.method, record.path, GRAPHQL, 200, message, payload)
        )
        reply = _Reply(200, payload)
        self._finish(reply, record, None)
        return reply

    def _authenticate_graphql(self, record: RecordedRequest) -> _Token:
        try:
            return self._authenticate(record)
        except _HTTPError as exc:
            message = (
                "This endpoint requires you to be authenticated."
                if exc.message == "Requires authentication"
                else exc.message
            )
            body = {
                "message": message,
                "documentation_url": f"{_DOCS}/graphql/guides/forming-calls-with-graphql"
                "#authenticating-with-graphql",
            }
            raise _HTTPError(401, body, "auth") from None

    def _graphql_execute(
        self, document: Any, variables: Any, operation_name: Any, token: _Token
    ) -> dict[str, Any]:
        from graphql import execute_sync

        result = execute_sync(
            load_graphql_schema(),
            document,
            root_value=_GqlRoot(self, token),
            variable_values=variables,
            operation_name=operation_name,
        )
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [_format_gql_error(e) for e in result.errors]
        return payload

    # -- GraphQL objects ---------------------------------------------------------------

    def _gql_author(self, account: Account) -> dict[str, Any]:
        return {
            "__typename": account.type if account.type in ("User", "Bot") else "User",
            "login": account.graphql_login,
        }

    def _gql_comment(self, comment: ReviewComment, token: _Token) -> dict[str, Any]:
        return {
            "__typename": "PullRequestReviewComment",
            "id": comment.node_id,
            "databaseId": comment.id if comment.id <= INT32_MAX else None,
            "fullDatabaseId": str(comment.id),
            "body": comment.body,
            "author": self._gql_author(comment.user),
            "isMinimized": comment.minimized_reason is not None,
            "minimizedReason": comment.minimized_reason,
            "viewerCanMinimize": self._can_write(token),
        }

    def _gql_issue_comment(self, comment: IssueComment, token: _Token) -> dict[str, Any]:
        return {
            "__typename": "IssueComment",
            "id": comment.node_id,
            "databaseId": comment.id if comment.id <= INT32_MAX else None,
            "fullDatabaseId": str(comment.id),
            "body": comment.body,
            "isMinimized": comment.minimized_reason is not None,
            "minimizedReason": comment.minimized_reason,
            "viewerCanMinimize": self._can_write(token),
        }

    def _gql_thread(self, thread: Thread, token: _Token) -> dict[str, Any]:
        def comments(_info: Any, **args: Any) -> dict[str, Any]:
            visible = [
                c
                for c in thread.comments
                if not c.pending or (c.review is not None and c.review.user is token.account)
            ]
            return _connection(visible, "comments", args, lambda c: self._gql_comment(c, token))

        return {
            "__typename": "PullRequestReviewThread",
            "id": thread.node_id,
            "isResolved": thread.resolved,
            "isOutdated": thread.outdated,
            "line": thread.line,
            "path": thread.path,
            "comments": comments,
        }

    def _gql_repository(self, repo: Repository, token: _Token) -> dict[str, Any]:
        def pull_request(_info: Any, number: int) -> Any:
            pull = repo.pulls.get(number)
            if pull is None:
                raise _GqlError(
                    "NOT_FOUND", f"Could not resolve to a PullRequest with the number of {number}."
                )

            def review_threads(_info: Any, **args: Any) -> dict[str, Any]:
                threads = [
                    t
                    for t in pull.threads
                    if not t.root.pending
                    or (t.root.review is not None and t.root.review.user is token.account)
                ]
                return _connection(
                    threads, "reviewThreads", args, lambda t: self._gql_thread(t, token)
                )

            return {"reviewThreads": review_threads}

        def git_object(
            _info: Any, expression: str | None = None, oid: str | None = None
        ) -> dict[str, Any] | None:
            if expression is not None:
                return self._gql_object_at(repo, token, expression)
            if oid is not None:
                return self._gql_object_by_id(repo, token, oid)
            raise _GqlError("UNSUPPORTED_BY_FAKE", "fake: object needs expression or oid")

        return {"pullRequest": pull_request, "object": git_object}

    def _gql_object_at(
        self, repo: Repository, token: _Token, expression: str
    ) -> dict[str, Any] | None:
        """``<rev>:<path>`` as git rev-parse reads it; GitHub answers null for a path that the
        commit does not hold, or a revision it cannot resolve."""
        rev, colon, path = expression.partition(":")
        commit = self._resolve_ref(repo, rev)
        if commit is None:
            return None
        if colon and path in commit.tree:
            return self._gql_blob(repo, commit.tree[path], token)
        inside = path.rstrip("/") + "/"
        if not colon or not path or any(name.startswith(inside) for name in commit.tree):
            # A commit or a tree: GitHub has them, the fake does not, and saying null would
            # be a wrong answer rather than a missing one.
            raise _GqlError(
                "UNSUPPORTED_BY_FAKE", f"fake: only blobs are modelled, not {expression!r}"
            )
        return None

    def _gql_object_by_id(self, repo: Repository, token: _Token, oid: str) -> dict[str, Any] | None:
        if oid in repo.commits:
            raise _GqlError("UNSUPPORTED_BY_FAKE", f"fake: only blobs are modelled, not {oid}")
        for commit in repo.commits.values():
            for data in commit.tree.values():
                if _blob_sha(data) == oid:
                    return self._gql_blob(repo, data, token)
        return None

    def _gql_blob(self, repo: Repository, data: bytes, token: _Token) -> dict[str, Any]:
        """A Blob as GitHub describes it: ``text`` is UTF-8, cut at BLOB_TEXT_LIMIT bytes
        (``isTruncated``), null when binary. Binary means a NUL byte in the first 8000 bytes
        (git's own test); text that is not UTF-8 is the fake's "unable to determine the
        encoding" (``isBinary`` and ``text`` null)."""
        oid = _blob_sha(data)
        binary: bool | None = b"\0" in data[:8000]
        text: str | None = None
        if not binary:
            try:
                data.decode()
            except UnicodeDecodeError:
                binary = None
            else:
                # a cut inside a character drops that character, as a byte limit must
                text = data[:BLOB_TEXT_LIMIT].decode(errors="ignore")
        return {
            "__typename": "Blob",
            "abbreviatedOid": oid[:7],
            "byteSize": len(data),
            "commitResourcePath": f"/{repo.full_name}/commit/{oid}",
            "commitUrl": f"{self.root_url}/{repo.full_name}/commit/{oid}",
            "id": f"B_kwDO{_b64(f'blob:{repo.full_name}:{oid}')}",
            "isBinary": binary,
            "isTruncated": text is not None and len(data) > BLOB_TEXT_LIMIT,
            "oid": oid,
            "repository": lambda _info: self._gql_repository(repo, token),
            "text": text,
        }

    def _can_write(self, token: _Token) -> bool:
        return not (self.read_only or token.read_only)


@dataclass(frozen=True)
class _Anchor:
    path: str
    side: str
    line: int
    start_line: int | None
    start_side: str | None
    position: int
    diff_hunk: str


class _GqlRoot:
    """Root value for queries and mutations (graphql-core's default resolver calls these)."""

    def __init__(self, fake: FakeGitHub, token: _Token) -> None:
        self.fake = fake
        self.token = token

    def viewer(self, _info: Any) -> dict[str, Any]:
        return {"login": self.token.account.login}

    def repository(self, _info: Any, owner: str, name: str, followRenames: bool = True) -> Any:
        repo = self.fake._repos.get(f"{owner}/{name}")
        if repo is None:
            raise _GqlError(
                "NOT_FOUND", f"Could not resolve to a Repository with the name '{owner}/{name}'."
            )
        return self.fake._gql_repository(repo, self.token)

    def _writable(self) -> None:
        if not self.fake._can_write(self.token):
            raise _GqlError("FORBIDDEN", READ_ONLY_MESSAGE)

    def _thread(self, node_id: str) -> Thread:
        node = self.fake._nodes.get(node_id)
        if not isinstance(node, Thread):
            raise _GqlError(
                "NOT_FOUND", f"Could not resolve to a node with the global id of '{node_id}'"
            )
        return node

    def resolveReviewThread(self, _info: Any, input: dict[str, Any]) -> dict[str, Any]:
        thread = self._thread(input["threadId"])
        self._writable()
        thread.resolved = True
        thread.resolved_by = self.token.account
        return {
            "clientMutationId": input.get("clientMutationId"),
            "thread": self.fake._gql_thread(thread, self.token),
        }

    def unresolveReviewThread(self, _info: Any, input: dict[str, Any]) -> dict[str, Any]:
        thread = self._thread(input["threadId"])
        self._writable()
        thread.resolved = False
        thread.resolved_by = None
        return {
            "clientMutationId": input.get("clientMutationId"),
            "thread": self.fake._gql_thread(thread, self.token),
        }

    def minimizeComment(self, _info: Any, input: dict[str, Any]) -> dict[str, Any]:
        node_id = input["subjectId"]
        node = self.fake._nodes.get(node_id)
        if not isinstance(node, ReviewComment | IssueComment):
            raise _GqlError(
                "NOT_FOUND", f"Could not resolve to a node with the global id of '{node_id}'"
            )
        self._writable()
        node.minimized_reason = _MINIMIZE_REASONS[input["classifier"]]
        if isinstance(node, ReviewComment):
            shown = self.fake._gql_comment(node, self.token)
        else:
            shown = self.fake._gql_issue_comment(node, self.token)
        return {"clientMutationId": input.get("clientMutationId"), "minimizedComment": shown}


_MINIMIZE_REASONS = {
    "ABUSE": "abuse",
    "DUPLICATE": "duplicate",
    "OFF_TOPIC": "off-topic",
    "OUTDATED": "outdated",
    "RESOLVED": "resolved",
    "SPAM": "spam",
}
_EVENT_STATES = {
    "APPROVE": "APPROVED",
    "REQUEST_CHANGES": "CHANGES_REQUESTED",
    "COMMENT": "COMMENTED",
}
_MESSAGE_TAILS = {
    _MSG_PATH: "is invalid",
    _MSG_LINE: "must be part of the diff",
    _MSG_START_HUNK: "must be part of the same hunk as the line.",
    _MSG_START_ORDER: "must precede the end line.",
}


def _connection(
    items: Sequence[Any], name: str, args: Mapping[str, Any], to_node: Callable[[Any], Any]
) -> dict[str, Any]:
    """A GraphQL connection over ``items`` with GitHub's pagination rules."""
    first, last = args.get("first"), args.get("last")
    if first is None and last is None:
        raise _GqlError(
            "MISSING_PAGINATION_BOUNDARIES",
            f"You must provide a `first` or `last` value to properly paginate the `{name}` "
            "connection.",
        )
    if first is not None and last is not None:
        raise _GqlError(
            "INVALID_PAGINATION",
            f"Passing both `first` and `last` to paginate the `{name}` connection is not "
            "supported.",
        )
    for arg, value in (("first", first), ("last", last)):
        if value is not None and value > MAX_GRAPHQL_PAGE:
            raise _GqlError(
                "EXCESSIVE_PAGINATION",
                f"Requesting {value} records on the `{name}` connection exceeds the `{arg}` "
                f"limit of {MAX_GRAPHQL_PAGE} records.",
            )
        if value is not None and value < 0:
            raise _GqlError(
                "INVALID_PAGINATION",
                f"`{arg}` on the `{name}` connection cannot be less than zero.",
            )
    start, end = 0, len(items)
    if args.get("after") is not None:
        start = _cursor_index(args["after"]) + 1
    if args.get("before") is not None:
        end = min(end, _cursor_index(args["before"]))
    indexes = list(range(start, max(start, end)))
    if first is not None:
        indexes = indexes[:first]
    if last is not None:
        indexes = indexes[-last:] if last else []
    edges = [{"cursor": _cursor(i), "node": to_node(items[i])} for i in indexes]
    return {
        "edges": edges,
        "nodes": [edge["node"] for edge in edges],
        "pageInfo": {
            "hasNextPage": (first is not None and bool(indexes) and indexes[-1] < end - 1),
            "hasPreviousPage": (last is not None and bool(indexes) and indexes[0] > start),
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
        "totalCount": len(items),
    }


def _cursor(index: int) -> str:
    return base64.b64encode(f"cursor:v2:{index}".encode()).decode()


def _cursor_index(cursor: str) -> int:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        if not text.startswith("cursor:v2:"):
            raise ValueError(text)
        return int(text.removeprefix("cursor:v2:"))
    except ValueError:
        raise _GqlError(
            "INVALID_CURSOR_ARGUMENTS", f"`{cursor}` does not appear to be a valid cursor."
        ) from None


def _format_gql_error(error: Any) -> dict[str, Any]:
    """A graphql-core error as GitHub shapes it (``type`` at the top for its own errors)."""
    out: dict[str, Any] = {}
    original = getattr(error, "original_error", None)
    if isinstance(original, _GqlError):
        out["type"] = original.type
    if getattr(error, "path", None):
        out["path"] = list(error.path)
    if getattr(error, "locations", None):
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    out["message"] = str(original) if isinstance(original, _GqlError) else error.message
    return out


# ============================================================================ helpers


def fake_sha(seed: str) -> str:
    """A 40-hex commit id made from ``seed`` (stable across runs)."""
    return hashlib.sha1(seed.encode(), usedforsecurity=False).hexdigest()


def _decode_text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _decode_json(value: bytes | str) -> Any:
    return json.loads(value)


def _text_patch(old: bytes | None, new: bytes | None) -> str | None:
    try:
        a = None if old is None else old.decode()
        b = None if new is None else new.decode()
    except UnicodeDecodeError:
        return None
    return make_patch(a, b)


def _git_diff(path: str, old: bytes | None, new: bytes | None) -> str:
    patch = _text_patch(old, new)
    a = _blob_sha(old or b"")[:7] if old is not None else "0000000"
    b = _blob_sha(new or b"")[:7] if new is not None else "0000000"
    head = f"diff --git a/{path} b/{path}\n"
    if old is None:
        head += "new file mode 100644\n"
    elif new is None:
        head += "deleted file mode 100644\n"
    head += f"index {a}..{b}" + (" 100644\n" if old is not None and new is not None else "\n")
    if patch is None:
        return head + f"Binary files a/{path} and b/{path} differ\n"
    head += "--- /dev/null\n" if old is None else f"--- a/{path}\n"
    head += "+++ /dev/null\n" if new is None else f"+++ b/{path}\n"
    return head + patch + "\n"


def _reactions(url: str) -> dict[str, Any]:
    return {
        "url": url,
        "total_count": 0,
        "+1": 0,
        "-1": 0,
        "laugh": 0,
        "hooray": 0,
        "confused": 0,
        "heart": 0,
        "rocket": 0,
        "eyes": 0,
    }


def _phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _echo(body: Any, token: str) -> Any:
    """A copy of a fault's ``body`` with :data:`ECHO_TOKEN` replaced by ``token``."""
    if isinstance(body, str):
        return body.replace(ECHO_TOKEN, token)
    if isinstance(body, dict):
        return {key: _echo(value, token) for key, value in body.items()}
    if isinstance(body, list):
        return [_echo(value, token) for value in body]
    return copy.deepcopy(body)


def _error_body(message: str, doc: str, status: int) -> dict[str, Any]:
    return {"message": message, "documentation_url": doc, "status": str(status)}


def _simple_422(errors: list[str], doc: str) -> dict[str, Any]:
    """``validation-error-simple`` as ``POST .../reviews`` sends it."""
    return {
        "message": "Unprocessable Entity",
        "errors": errors,
        "documentation_url": doc,
        "status": "422",
    }


def _thread_422(errors: list[tuple[str, str]], doc: str) -> dict[str, Any]:
    """``validation-error`` as ``POST .../comments`` sends it."""
    return {
        "message": "Validation Failed",
        "errors": [
            {
                "resource": "PullRequestReviewComment",
                "code": "custom",
                "field": f"pull_request_review_thread.{name}",
                "message": text,
            }
            for name, text in errors
        ],
        "documentation_url": doc,
        "status": "422",
    }


def _sentence(parts: Sequence[str]) -> str:
    """Rails' ``to_sentence``: "a", "a and b", "a, b, and c" (how GitHub joins thread errors)."""
    if len(parts) <= 1:
        return "".join(parts)
    if len(parts) == 2:
        return f"{parts[0]} and {parts[1]}"
    return ", ".join(parts[:-1]) + f", and {parts[-1]}"


# ============================================================================ HTTP server


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, fake: FakeGitHub) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore dropped connections; keep anything else for the test to see."""
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            return
        if isinstance(exc, Exception):
            with self.fake._lock:
                self.fake._crashes.append(exc)
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "GitHub.com"
    sys_version = ""

    @property
    def fake(self) -> FakeGitHub:
        return cast(_Server, self.server).fake

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.fake._lock:
            self.fake._connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.fake._lock:
                self.fake._connections.discard(self.connection)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        raw = self.rfile.read(length) if length > 0 else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        reply = self.fake._handle(method, self.path, headers, raw)
        data = reply.data()
        try:
            self.send_response(reply.status)
            if reply.status != 204:
                if reply.content_type:
                    self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(data)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if reply.status != 204:
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
