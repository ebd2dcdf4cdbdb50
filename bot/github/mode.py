"""GitHub mode: scan a pull request, fill its holes, post one review of suggestions.

Never red for what the author cannot fix (DESIGN.md section 3): a missing key, a read-only
token, a model or GitHub outage give a notice or a warning and exit 0, unless
`fail_on_error` asks for 1 and 2 back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bot import pipeline
from bot.clock import Clock
from bot.data import Hole, Report, Result
from bot.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, AuthError, BotError
from bot.git import Git
from bot.github import fingerprint, render, runner
from bot.github.client import (
    GitHubClient,
    GitHubError,
    PullInfo,
    ReadOnly,
    Rejected,
    Thread,
    same_login,
)
from bot.github.source import PullChanges, collect, inside_one_hunk
from bot.providers import Provider, Secret

log = logging.getLogger("bot.github")

ACTIONS_LOGIN = "github-actions[bot]"
COMMENTS_PER_REVIEW = 30
MAX_NOTICES = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """The pull request to work on, and how to reach GitHub."""

    repository: str  # OWNER/NAME
    number: int
    head_sha: str | None  # from the event; None: ask the API
    api_url: str
    token: Secret
    bot_login: str | None = None
    step_summary: Path | None = None
    output: Path | None = None
    fail_on_error: bool = False
    skip_draft: bool = False  # leave draft pull requests alone
    opt_out_label: str = "no-fim-bot"  # leave pull requests with this label alone; "": none
    stale_threads: str = "resolve"  # the bot's threads whose hole is gone: a key of _STALE


def run(
    target: Target,
    *,
    options: pipeline.Options,
    provider: Callable[[], Provider],
    can_send: bool,
    key_source: str,
    clock: Clock,
    max_file_size: int,
    output_format: str,
    out: TextIO,
    git: Git | None,
    paths: tuple[str, ...] = (),
) -> int:
    if not can_send and not options.dry_run:
        message = (
            f"no model API key ({key_source}) in this run, so no fills: pull requests from forks "
            "and Dependabot get no secrets"
        )
        _stop(target, out, "notice", message, message)
        return EXIT_USAGE if target.fail_on_error else EXIT_OK
    if not target.token:
        raise BotError("GitHub mode needs a token: set GITHUB_TOKEN (Action input github-token)")
    client = GitHubClient(
        base_url=target.api_url, token=target.token, repository=target.repository, clock=clock
    )
    try:
        return _run(
            target, client, options, provider, max_file_size, output_format, out, git, paths
        )
    except (GitHubError, AuthError) as error:
        _stop(target, out, "warning", f"fim-bot could not finish: {error}", str(error))
        if target.fail_on_error:
            return EXIT_USAGE if isinstance(error, AuthError) else EXIT_FAILED
        return EXIT_OK


def _run(
    target: Target,
    client: GitHubClient,
    options: pipeline.Options,
    provider: Callable[[], Provider],
    max_file_size: int,
    output_format: str,
    out: TextIO,
    git: Git | None,
    paths: tuple[str, ...],
) -> int:
    pull = client.pull(target.number)
    opted_out = _opted_out(target, pull)
    if opted_out:
        _stop(target, out, "notice", f"fim-bot: {opted_out}: nothing to do", opted_out)
        return EXIT_OK
    head = target.head_sha or pull.head_sha
    pulled = collect(
        client,
        client.files(target.number),
        head=head,
        base=pull.base_sha,
        git=git,
        tags=options.tags,
        max_file_size=max_file_size,
        files_filter=options.files,
        paths=paths,
    )
    login = _login(target, client)
    threads = [t for t in client.threads(target.number) if _print(t, login)]
    by_print = {_print(t, login): t for t in threads}

    def already(holes: list[Hole], texts: dict[str, str]) -> dict[Hole, str]:
        prints = fingerprint.fingerprints(holes, texts)
        return {
            h: "already suggested"
            for h, p in prints.items()
            if p in by_print and not by_print[p].outdated
        }

    report = pipeline.run(
        pulled.changes, options=options, provider=provider, repo=pulled.repo, skip=already
    )
    runner.show(report, out, output_format)
    outcome = runner.Outcome()
    prints = fingerprint.fingerprints([r.hole for r in report.results], report.texts)
    if options.dry_run:
        outcome.notes.append("dry run: nothing was sent to the model or posted")
    elif client.pull(target.number).head_sha != head:
        note = f"the pull request moved on past {head[:12]} during the run: nothing posted"
        runner.annotate(out, "notice", f"fim-bot: {note}; the next run will post")
        outcome.notes.append(note)
    else:
        current = set(prints.values())
        _tidy(client, target.number, threads, by_print, current, login, target.stale_threads)
        try:
            _post(client, target.number, head, report, pulled, prints, outcome)
        except ReadOnly:
            _read_only(report, outcome, out)
    _finish(target, report, outcome)
    failed = report.count("failed")
    return EXIT_FAILED if target.fail_on_error and failed else EXIT_OK


def _opted_out(target: Target, pull: PullInfo) -> str | None:
    """Why the bot leaves this pull request alone, if it does (settings `github.skip-draft`,
    `github.opt-out-label`)."""
    if target.skip_draft and pull.draft:
        return "the pull request is a draft"
    label = target.opt_out_label.casefold()
    if label and any(name.casefold() == label for name in pull.labels):
        return f"the pull request has the label {target.opt_out_label!r}"
    return None


def _login(target: Target, client: GitHubClient) -> str:
    """Whose comments are the bot's own: set, the Actions token's bot, or the token's user."""
    if target.bot_login:
        return target.bot_login
    if target.token.reveal().startswith("ghs_"):  # an installation token: the Actions bot
        return ACTIONS_LOGIN
    return client.viewer()


def _print(thread: Thread, login: str) -> str | None:
    """The fingerprint of a thread the bot started; a marker in anyone else's comment counts
    for nothing."""
    if not thread.comments or not same_login(thread.comments[0].author, login):
        return None
    return fingerprint.read(thread.comments[0].body)


# What becomes of the bot's threads whose hole is gone (setting `github.stale-threads`).
_STALE: dict[str, Callable[[GitHubClient, Thread], None]] = {
    "resolve": lambda client, t: None if t.resolved else client.resolve(t.node_id),
    "minimize": lambda client, t: (
        None if t.comments[0].minimized else client.minimize(t.comments[0].node_id)
    ),
    "keep": lambda client, t: None,
}


def _tidy(
    client: GitHubClient,
    number: int,
    threads: list[Thread],
    by_print: dict[str | None, Thread],
    current: set[str],
    login: str,
    stale: str,
) -> None:
    """Deal with the bot's threads whose hole is gone as `stale` says (resolve them by
    default); minimize outdated ones being replaced."""
    for thread in threads:
        mark = _print(thread, login)
        if mark is None:
            continue
        if mark not in current:
            _STALE[stale](client, thread)
        elif thread.outdated and not thread.comments[0].minimized:
            client.minimize(thread.comments[0].node_id)
    for review in client.pending_reviews(number, login):  # left by a run that died
        client.delete_review(number, review)


def _post(
    client: GitHubClient,
    number: int,
    head: str,
    report: Report,
    pulled: PullChanges,
    prints: dict[Hole, str],
    outcome: runner.Outcome,
) -> None:
    inline: list[tuple[Result, dict[str, Any]]] = []
    outside: list[str] = []
    for result in report.results:
        if result.status != "suggested":
            continue
        hole = result.hole
        if inside_one_hunk(pulled.hunks.get(hole.path, ()), hole.start_line, hole.end_line):
            inline.append((result, _comment(result, prints[hole])))
        else:
            outside.append(render.as_diff(result, report.texts[hole.path]))
    if not inline and not outside:
        return
    chunks = [
        inline[i : i + COMMENTS_PER_REVIEW] for i in range(0, len(inline), COMMENTS_PER_REVIEW)
    ]
    body = render.review_body(report, outside)
    for chunk in chunks or [[]]:
        rejected = _post_bisecting(client, number, head, body, chunk)
        outcome.rejected += [render.refused(r, why) for r, why in rejected]
        outcome.diffs += [render.as_diff(r, report.texts[r.hole.path]) for r, _ in rejected]
        body = "**fim-bot**: more suggestions for this pull request."


def _post_bisecting(
    client: GitHubClient,
    number: int,
    head: str,
    body: str,
    chunk: list[tuple[Result, dict[str, Any]]],
) -> list[tuple[Result, str]]:
    """Post one review; when GitHub refuses it (422), halve it until the comments it refuses
    are found, post the rest, and return the refused ones with the reason."""
    try:
        client.create_review(number, commit=head, body=body, comments=[c for _, c in chunk])
        return []
    except Rejected as error:
        if len(chunk) <= 1:
            return [(r, str(error)) for r, _ in chunk]
    middle = len(chunk) // 2
    refused = _post_bisecting(client, number, head, body, chunk[:middle])
    return refused + _post_bisecting(client, number, head, body, chunk[middle:])


def _comment(result: Result, mark: str) -> dict[str, Any]:
    hole = result.hole
    comment: dict[str, Any] = {
        "path": hole.path,
        "body": render.suggestion(result, mark),
        "line": hole.end_line,
        "side": "RIGHT",
    }
    if hole.start_line < hole.end_line:
        comment["start_line"] = hole.start_line
        comment["start_side"] = "RIGHT"
    return comment


def _read_only(report: Report, outcome: runner.Outcome, out: TextIO) -> None:
    """A token that cannot write (a fork's pull request): the fills go to the step summary
    and a few annotations instead."""
    note = "the token is read-only (a pull request from a fork?): fills are in the step summary"
    runner.annotate(out, "warning", f"fim-bot: {note}")
    outcome.notes.append(note)
    suggested = [r for r in report.results if r.status == "suggested"]
    outcome.diffs += [render.as_diff(r, report.texts[r.hole.path]) for r in suggested]
    for result in suggested[:MAX_NOTICES]:
        hole = result.hole
        runner.annotate(
            out,
            "notice",
            f"fim-bot has a fill for this {hole.marker} (see the job summary)",
            file=hole.path,
            line=hole.start_line,
            end_line=hole.end_line,
        )


def _stop(target: Target, out: TextIO, kind: str, message: str, note: str) -> None:
    """A run that ends before its work: one annotation, and the note in the step summary."""
    runner.annotate(out, kind, message)
    _finish(target, None, runner.Outcome(notes=[note]))


def _finish(target: Target, report: Report | None, outcome: runner.Outcome) -> None:
    runner.finish(report, outcome, step_summary=target.step_summary, output=target.output)
