"""The pre-commit hooks (`.pre-commit-hooks.yaml`): `fim-bot-hook show` and `fim-bot-hook apply`.

`show` prints the fills for what is being committed as a diff and never blocks: a missing or
rejected key, a model or network failure, a failed hole give a notice and exit 0, and the model
has ten seconds (`deadline`) before the holes it has not filled fail. At `pre-push`
(pre-commit sets PRE_COMMIT_FROM_REF and PRE_COMMIT_TO_REF) it reads the commits being pushed.
`apply` writes the fills into the files and exits 1 only when it changed one, as formatters do.
A file it cannot write (read-only, a full disk) is named on stderr and does not block by itself:
what is committed is then the same as without the hook, as when the model fails.
Both exit 2 for a broken configuration, which the author can fix (DESIGN.md section 3).

Fills are kept in a local cache (`bot.fill_cache`), so a hole shown once costs no second model
call: when a commit is retried, at push time, or when `apply` follows `show`.

Like `bot.main`, this is an entry point: it reads argv and the environment and wires the stages.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, BotError
from bot.text import visible
from bot.wiring import configure_logging

if TYPE_CHECKING:
    from bot.data import Report
    from bot.git import Git
    from bot.settings import Settings

log = logging.getLogger("bot.hook")

CACHE_FILE = Path("fim-bot", "cache.json")  # under the repository's common git directory
# A hook holds a commit while it runs: unless told otherwise (`deadline`), the model has ten
# seconds, after which the holes still unfilled fail and the hook passes.
DEADLINE = 10.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="fim-bot-hook",
        description="fim-bot as a pre-commit hook: `show` prints the fills for the staged "
        "changes (or, at pre-push, the commits being pushed); `apply` writes them into the files.",
    )
    parser.add_argument("action", choices=("show", "apply"))
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logs on stderr")
    args = parser.parse_args(argv)
    env = os.environ
    configure_logging(args.verbose, env)
    try:
        return run(args.action, env=env, cwd=Path.cwd(), out=sys.stdout)
    except KeyboardInterrupt:
        print("fim-bot: interrupted", file=sys.stderr)
        return 130
    finally:
        if argv is None:  # the process ends: no last full collection (as in bot.main)
            gc.freeze()


def run(action: str, *, env: Mapping[str, str], cwd: Path, out: TextIO) -> int:
    from bot import settings
    from bot.git import Git
    from bot.report.log import read_by_runner

    git = Git.find(cwd)
    if git is None:
        return _notice("not inside a git repository: nothing to do")
    head, base = _pushed(env) if action == "show" else (None, None)
    try:
        resolved = settings.resolve(
            env=env,
            flags={},
            config_path=None,
            cwd=cwd,
            root=git.root,
            base=base,
            head=head,
            staged=head is None,
            apply=action == "apply",
            defaults={"deadline": DEADLINE},
        )
    except BotError as error:  # the configuration: the author can fix it
        print(f"fim-bot: error: {visible(error.message)}", file=sys.stderr)
        return error.exit_code or EXIT_USAGE
    try:
        from bot import trust

        # A branch's file may not redirect the key (say so, and pass) nor lift an exclude.
        resolved = trust.guard(resolved, git, sending=resolved.can_send, flags=False)
        return _fill(action, git, resolved, cwd=cwd, out=out, in_log=read_by_runner(out, env))
    except BotError as error:  # a rejected key, git trouble: never a reason to block
        return _notice(error.message)


def _pushed(env: Mapping[str, str]) -> tuple[str | None, str | None]:
    """At pre-push, the commits being pushed (`--head`, `--base`); else (None, None): the index.

    pre-commit names the range only when the remote has an ancestor of it; pushing a history
    that is all new, it names the branch alone, which is then compared like `bot run --head`.
    """
    head = env.get("PRE_COMMIT_TO_REF") or env.get("PRE_COMMIT_LOCAL_BRANCH") or None
    return head, (env.get("PRE_COMMIT_FROM_REF") or None) if head else None


def _fill(
    action: str, git: Git, resolved: Settings, *, cwd: Path, out: TextIO, in_log: bool
) -> int:
    """Fill, show and (for `apply`) write; `in_log`: `out` is a GitHub Actions log (pre-commit
    in a job), where the diff must not act as a workflow command."""
    from bot import pipeline, source, wiring
    from bot.fill_cache import FillCache
    from bot.report import terminal
    from bot.report.log import commands_stopped

    collected = source.collect(resolved.selection, cwd=cwd, git=git)
    # The model's identity: its name, on which provider, at which address.
    model = f"{resolved.provider.name} {resolved.api_base} {resolved.params.model}"
    cache = FillCache.load(_cache_path(git), model=model)
    # With no key (for a provider that needs one), only cached fills are shown: the other
    # holes are planned, and not sent.
    options = resolved.options if resolved.can_send else replace(resolved.options, dry_run=True)
    report = pipeline.run(
        collected.changes,
        options=options,
        provider=lambda: wiring.provider(resolved),
        repo=collected.repo,
        cached=cache.lookup,
    )
    cache.remember(report.results, report.texts)
    cache.save()
    planned = report.count("planned")
    if len(report.results) > planned or not planned:  # all planned: the notice says it all
        with commands_stopped(out, active=in_log):
            terminal.write(_without_planned(report), out, color=False)
        out.flush()
    if cache.hits:
        log.info("%d fill(s) from the cache %s", cache.hits, cache.path)
    if planned:
        _notice(
            f"{planned} hole(s) not filled: no API key in this environment "
            f"(set {resolved.key_source} or FIM_BOT_API_KEY)"
        )
    if action != "apply":
        return EXIT_OK
    return _apply(report, collected.root)


def _apply(report: Report, root: Path) -> int:
    from bot.report import apply

    applied = apply.write_and_tell(report, root, sys.stderr)
    return EXIT_FAILED if applied.written else EXIT_OK


def _cache_path(git: Git) -> Path:
    """Under `git rev-parse --git-common-dir`: one cache for a repository and its worktrees."""
    common = git.run("rev-parse", "--git-common-dir").decode("utf-8", "surrogateescape").strip()
    return (git.root / common) / CACHE_FILE


def _without_planned(report: Report) -> Report:
    from bot.data import Report

    kept = tuple(r for r in report.results if r.status != "planned")
    return Report(results=kept, skipped_files=report.skipped_files, texts=report.texts)


def _notice(message: str) -> int:
    print(f"fim-bot: notice: {visible(message)}", file=sys.stderr)
    return EXIT_OK
