"""The only module that talks to GitHub: PyGithub for REST, its requester for GraphQL.

PyGithub's own retries and write throttling sleep on the wall clock and re-send POSTs after a
5xx (a review could be posted twice), so they are turned off; waits for secondary rate limits
go through the bot's one `Clock` instead, and only reads are retried after a server error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.clock import Clock
from bot.errors import BotError
from bot.providers import Secret
from bot.providers.retry import retry_after

log = logging.getLogger("bot.github")

T = TypeVar("T")

_READ_ONLY = "Resource not accessible by integration"
_RATE_LIMIT_WAIT_BUDGET = 300.0  # seconds of waiting for secondary rate limits, per run
_READ_ATTEMPTS = 3


class GitHubError(Exception):
    """A GitHub request failed for good; the message says which and why, on one line."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ReadOnly(GitHubError):
    """The token may read but not write (pull requests from forks, Dependabot)."""


class Rejected(GitHubError):
    """GitHub refused the request as invalid (422): for a review, one of its comments."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PullInfo:
    number: int
    head_sha: str
    base_sha: str
    draft: bool
    labels: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PullFile:
    path: str
    status: str  # added, modified, removed, renamed, copied, changed, unchanged
    patch: str | None  # None when GitHub leaves it out (binary or too large)


@dataclass(frozen=True, slots=True, kw_only=True)
class Blob:
    """A file's bytes at a commit as GraphQL gives them: GitHub cuts `text` short of large
    files (`truncated`) and sends none for binary ones."""

    text: str | None
    size: int  # bytes in the file, whatever `text` holds
    binary: bool | None  # None: GitHub could not tell the encoding
    truncated: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ThreadComment:
    node_id: str
    author: str  # GraphQL's login: a bot's has no "[bot]" suffix
    body: str
    minimized: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Thread:
    node_id: str
    resolved: bool
    outdated: bool
    comments: tuple[ThreadComment, ...]


_THREADS = """
query($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id isResolved isOutdated
          comments(first: 100) {
            nodes { id body isMinimized author { login } }
          }
        }
      }
    }
  }
}
"""
_VIEWER = "query { viewer { login } }"
_BLOBS_PER_QUERY = 100  # aliases per query: GitHub sends up to 512 KB of text for each


def _blobs_query(count: int) -> str:
    """One aliased `object` per path, each expression a variable: a path is never GraphQL
    source, whatever characters it holds."""
    variables = "".join(f", $e{i}: String!" for i in range(count))
    fields = "".join(
        f"    f{i}: object(expression: $e{i}) "
        "{ ... on Blob { text isBinary isTruncated byteSize } }\n"
        for i in range(count)
    )
    return (
        f"query($owner: String!, $name: String!{variables}) {{\n"
        f"  repository(owner: $owner, name: $name) {{\n{fields}  }}\n}}\n"
    )


_RESOLVE = """
mutation($id: ID!) { resolveReviewThread(input: {threadId: $id}) { thread { id isResolved } } }
"""
_MINIMIZE = """
mutation($id: ID!) {
  minimizeComment(input: {subjectId: $id, classifier: OUTDATED}) {
    minimizedComment { isMinimized }
  }
}
"""


class GitHubClient:
    def __init__(self, *, base_url: str, token: Secret, repository: str, clock: Clock) -> None:
        from github import Auth, Github

        self._clock = clock
        self._token = token  # redacted from every message: proxies echo it in error bodies
        self._waited = 0.0
        self._github = Github(
            base_url=base_url.rstrip("/"),
            auth=Auth.Token(token.reveal()),
            retry=None,
            per_page=100,
            seconds_between_requests=None,
            seconds_between_writes=None,
            timeout=30,
            lazy=True,
        )
        self._repository = repository
        self._repo = self._github.get_repo(repository, lazy=True)

    def __repr__(self) -> str:
        return f"GitHubClient(repository={self._repository!r})"

    # -- reads -------------------------------------------------------------------------------

    def pull(self, number: int) -> PullInfo:
        def get() -> PullInfo:
            pr = self._repo.get_pull(number)
            return PullInfo(
                number=number,
                head_sha=pr.head.sha,
                base_sha=pr.base.sha,
                draft=bool(pr.draft),
                labels=tuple(label.name for label in pr.labels),
            )

        return self._read(get, f"pull request #{number}")

    def files(self, number: int) -> list[PullFile]:
        def get() -> list[PullFile]:
            return [
                PullFile(path=f.filename, status=f.status, patch=f.patch)
                for f in self._repo.get_pull(number).get_files()
            ]

        return self._read(get, f"the files of pull request #{number}")

    def content(self, path: str, ref: str) -> bytes | None:
        """A file's bytes at `ref` from the contents API; None when GitHub has none to give."""
        from github import GithubException

        def get() -> bytes | None:
            try:
                found = self._repo.get_contents(path, ref=ref)
            except GithubException as error:
                if error.status == 404:
                    return None
                raise
            if isinstance(found, list) or found.encoding != "base64":
                return None  # a folder, or a file over the API's 1 MB limit
            return bytes(found.decoded_content)

        return self._read(get, f"{path} at {ref[:12]}")

    def blobs(self, ref: str, paths: list[str]) -> dict[str, Blob | None]:
        """Files at commit `ref` through GraphQL, 100 to a request: {path: its blob, or None
        where `ref` holds no file}. Many small reads (most of them of files that are not
        there) for the price of one each 100 paths, against the token's hourly budget."""
        owner, name = self._repository.split("/", 1)
        found: dict[str, Blob | None] = {}
        for start in range(0, len(paths), _BLOBS_PER_QUERY):
            chunk = paths[start : start + _BLOBS_PER_QUERY]
            variables: dict[str, Any] = {"owner": owner, "name": name}
            variables |= {f"e{i}": f"{ref}:{path}" for i, path in enumerate(chunk)}
            data = self._graphql(
                _blobs_query(len(chunk)), variables, f"read {len(chunk)} files at {ref[:12]}"
            )
            repository = data.get("repository")
            if not isinstance(repository, dict):
                raise GitHubError(
                    f"could not read files at {ref[:12]}: no repository in the answer"
                )
            for i, path in enumerate(chunk):
                node = repository.get(f"f{i}")
                # null: no such path; {}: a folder or another object that is not a file
                found[path] = (
                    Blob(
                        text=node.get("text"),
                        size=int(node.get("byteSize") or 0),
                        binary=node.get("isBinary"),
                        truncated=bool(node.get("isTruncated")),
                    )
                    if node and "byteSize" in node
                    else None
                )
        return found

    def viewer(self) -> str:
        data = self._graphql(_VIEWER, {})
        return str(data["viewer"]["login"])

    def threads(self, number: int) -> list[Thread]:
        owner, name = self._repository.split("/", 1)
        threads: list[Thread] = []
        after: str | None = None
        while True:
            data = self._graphql(
                _THREADS, {"owner": owner, "name": name, "number": number, "after": after}
            )
            page = data["repository"]["pullRequest"]["reviewThreads"]
            for node in page["nodes"] or ():
                threads.append(
                    Thread(
                        node_id=node["id"],
                        resolved=bool(node["isResolved"]),
                        outdated=bool(node["isOutdated"]),
                        comments=tuple(
                            ThreadComment(
                                node_id=c["id"],
                                author=(c.get("author") or {}).get("login") or "",
                                body=c["body"],
                                minimized=bool(c.get("isMinimized")),
                            )
                            for c in node["comments"]["nodes"] or ()
                        ),
                    )
                )
            if not page["pageInfo"]["hasNextPage"]:
                return threads
            after = page["pageInfo"]["endCursor"]

    def pending_reviews(self, number: int, login: str) -> list[int]:
        def get() -> list[int]:
            return [
                r.id
                for r in self._repo.get_pull(number).get_reviews()
                if r.state == "PENDING" and r.user and same_login(r.user.login, login)
            ]

        return self._read(get, "the pull request's reviews")

    # -- writes ------------------------------------------------------------------------------

    def delete_review(self, number: int, review_id: int) -> None:
        self._write(
            lambda: self._github.requester.requestJsonAndCheck(
                "DELETE", f"{self._repo.url}/pulls/{number}/reviews/{review_id}"
            ),
            "delete a pending review",
        )

    def create_review(
        self, number: int, *, commit: str, body: str, comments: list[dict[str, Any]]
    ) -> None:
        def post() -> None:
            pr = self._repo.get_pull(number)
            pr.create_review(
                commit=self._repo.get_commit(commit),  # lazy: no request
                body=body,
                event="COMMENT",
                comments=comments,  # type: ignore[arg-type]
            )

        self._write(post, "post the review")

    def resolve(self, thread_id: str) -> None:
        self._graphql(_RESOLVE, {"id": thread_id})

    def minimize(self, comment_id: str) -> None:
        self._graphql(_MINIMIZE, {"id": comment_id})

    # -- plumbing ----------------------------------------------------------------------------

    def _graphql(
        self, query: str, variables: dict[str, Any], what: str = "send a GraphQL request"
    ) -> dict[str, Any]:
        def post() -> dict[str, Any]:
            _, data = self._github.requester.graphql_query(query, variables)
            return dict(data["data"])

        return self._call(post, what, retry_server_errors=True)

    def _read(self, call: Callable[[], T], what: str) -> T:
        return self._call(call, f"read {what}", retry_server_errors=True)

    def _write(self, call: Callable[[], T], what: str) -> T:
        return self._call(call, what, retry_server_errors=False)

    def _call(self, call: Callable[[], T], what: str, *, retry_server_errors: bool) -> T:
        from github import GithubException

        attempt = 0
        while True:
            attempt += 1
            try:
                return call()
            except GithubException as error:
                message = _message(error, self._token)
                status = error.status
                wait = self._rate_limit_wait(error)
                if wait is not None:
                    if self._waited + wait > _RATE_LIMIT_WAIT_BUDGET:
                        raise GitHubError(
                            f"could not {what}: GitHub's rate limit asks for a wait of "
                            f"{wait:.0f}s, past this run's budget",
                            status=status,
                        ) from None
                    self._waited += wait
                    self._clock.wait(wait, why=f"GitHub rate limit ({what})")
                    continue
                if status >= 500 and retry_server_errors and attempt < _READ_ATTEMPTS:
                    self._clock.wait(2.0**attempt, why=f"GitHub {status} ({what})")
                    continue
                if status == 401:
                    raise BotError(
                        f"GitHub rejected the token (401): check GITHUB_TOKEN ({message})"
                    ) from None
                if status == 403 and _READ_ONLY in message:
                    raise ReadOnly(
                        f"could not {what}: the token is read-only", status=status
                    ) from None
                if status == 422:
                    raise Rejected(f"GitHub refused to {what}: {message}", status=status) from None
                raise GitHubError(
                    f"could not {what}: HTTP {status}: {message}", status=status
                ) from None
            except OSError as error:  # connection refused, reset, timed out
                problem = self._token.redact(str(error))
                if retry_server_errors and attempt < _READ_ATTEMPTS:
                    self._clock.wait(2.0**attempt, why=f"{problem} ({what})")
                    continue
                raise GitHubError(f"could not {what}: {problem}") from None

    def _rate_limit_wait(self, error: Any) -> float | None:
        """Seconds to wait for a secondary (or primary) rate limit, or None if it is not one."""
        if error.status not in (403, 429):
            return None
        headers = {k.lower(): v for k, v in (error.headers or {}).items()}
        message = _message(error, self._token).lower()
        wait = retry_after(headers.get("retry-after"))
        if wait is not None:
            return max(wait, 1.0)
        if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
            import time

            return max(float(headers["x-ratelimit-reset"]) - time.time(), 1.0)
        if "rate limit" in message:
            return 60.0  # GitHub's advice for a secondary limit without Retry-After
        return None


def same_login(a: str, b: str) -> bool:
    """GraphQL writes a bot's login without the "[bot]" that REST shows."""
    return a.removesuffix("[bot]") == b.removesuffix("[bot]")


def _message(error: Any, token: Secret) -> str:
    """GitHub's message and its errors' (GraphQL's too), on one line, the token redacted."""
    data = error.data if isinstance(error.data, dict) else {}
    message = str(data.get("message") or error.data or "")
    details = data.get("errors")
    if isinstance(details, list) and details:
        message += ": " + "; ".join(
            str(d.get("message", d)) if isinstance(d, dict) else str(d) for d in details
        )
    return " ".join(token.redact(message).split())[:500]
