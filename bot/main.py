"""The command line: argv and environment in, an exit status out. The only reader of os.environ."""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot import __version__
from bot.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, BotError

if TYPE_CHECKING:
    from bot.providers import Provider
    from bot.settings import Settings

log = logging.getLogger("bot")

_DESCRIPTION = """\
Find TODOs and stubs in the added lines of a diff and fill them with a fill-in-the-middle
code model (Codestral by default). Shows the fills as a diff; --apply writes them.
"""

_RUN_EPILOG = """\
what is read:
  (default)        the working tree (tracked changes and untracked files) against the
                   merge-base of HEAD and the default branch (origin/HEAD, main or master)
  --head REV       REV against --base (default: its merge-base with the default branch)
  --staged         the index against HEAD (what `git commit` would record)
  --all PATH...    the given files and folders, every line treated as new

environment:
  CODESTRAL_API_KEY, CODESTRAL_API_BASE   Codestral (the default provider)
  MISTRAL_API_KEY, MISTRAL_API_BASE       Mistral's main API (chosen when it is the only key)
  FIM_BOT_API_KEY, FIM_BOT_API_BASE       win over the chosen provider's own variables
  NO_COLOR                                no colours, even on a terminal

exit status: 0 the run worked, 1 at least one hole failed, 2 usage, configuration or
authentication error.
"""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    env = os.environ
    _configure_logging(getattr(args, "verbose", 0), secret=_secrets(env))
    try:
        if args.command == "run":
            return _run(args, env)
        _parser().print_help(sys.stderr)
        return EXIT_USAGE
    except BotError as error:
        print(f"fim-bot: error: {error.message}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("fim-bot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `bot run | head`: the reader has gone, and that is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from bot import pipeline, settings, source
    from bot.providers import ModelParams

    resolved = settings.resolve(
        env=env,
        paths=tuple(args.paths),
        base=args.base,
        head=args.head,
        staged=args.staged,
        all_files=args.all,
        output_format=args.format,
        apply=args.apply,
        dry_run=args.dry_run,
        provider=args.provider,
        api_base=args.api_base,
        params=ModelParams(
            model=args.model,
            temperature=args.temperature,
            top_p=args.top_p,
            max_tokens=args.max_tokens,
            min_tokens=args.min_tokens,
            seed=args.seed,
            stop=tuple(args.stop),
            stream=args.stream,
            timeout=args.timeout,
        ),
        concurrency=args.concurrency,
        max_holes=args.max_holes,
        max_file_size=args.max_file_size,
        budget_tokens=args.budget_tokens,
        context_budget_tokens=args.context_budget_tokens,
    )
    local_mode = bool(args.head or args.staged or args.all)
    if settings.wants_github(env, github=args.github, local_mode=local_mode):
        if local_mode or args.apply:
            raise BotError(
                "--github reads the pull request: it cannot go with --head, "
                "--staged, --all or --apply"
            )
        return _github(args, env, resolved)
    collected = source.collect(resolved.selection, cwd=Path.cwd())
    report = pipeline.run(
        collected.changes,
        options=resolved.options,
        provider=lambda: _provider(resolved),
        repo=collected.repo,
    )
    out = sys.stdout
    if resolved.format == "json":
        from bot.report import json as json_report

        json_report.write(report, out)
    else:
        from bot.report import terminal

        terminal.write(report, out, color=_color(out, env))
    if resolved.apply:
        from bot.report import apply

        applied = apply.write(report, collected.root)
        for path in applied.written:
            print(f"fim-bot: wrote fills into {path}", file=sys.stderr)
        for path, reason in applied.refused:
            print(f"fim-bot: did not write {path}: {reason}", file=sys.stderr)
    return EXIT_FAILED if report.count("failed") else EXIT_OK


def _github(args: argparse.Namespace, env: Mapping[str, str], resolved: Settings) -> int:
    from bot import settings
    from bot.clock import Clock
    from bot.github import mode

    target = settings.github_target(
        env,
        repo=args.repo,
        pr=args.pr,
        bot_login=args.bot_login,
        fail_on_error=args.fail_on_error,
    )
    return mode.run(
        target,
        options=resolved.options,
        provider=lambda: _provider(resolved),
        has_key=bool(resolved.api_key),
        key_source=resolved.key_source,
        clock=Clock(resolved.time_scale),
        max_file_size=resolved.selection.max_file_size,
        output_format=resolved.format,
        out=sys.stdout,
        cwd=Path.cwd(),
    )


def _provider(resolved: Settings) -> Provider:
    from bot.clock import Clock
    from bot.providers.codestral import MistralFIM

    if not resolved.api_key:
        raise BotError(
            f"no API key: set {resolved.key_source} (or FIM_BOT_API_KEY), "
            "or use --dry-run to see the prompts without sending them"
        )
    return MistralFIM(
        base_url=resolved.api_base,
        api_key=resolved.api_key,
        key_variable=resolved.key_source,
        params=resolved.params,
        clock=Clock(resolved.time_scale),
        concurrency=resolved.options.concurrency,
    )


def _color(stream: TextIO, env: Mapping[str, str]) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return stream.isatty() and not env.get("NO_COLOR")


def _secrets(env: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(v for k, v in env.items() if k.endswith(("_API_KEY", "_TOKEN")) and len(v) >= 4)


class _Redact(logging.Filter):
    """A last line of defence: no log line ever shows an API key, whatever logged it."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self._secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(s in message for s in self._secrets):
            for secret in self._secrets:
                message = message.replace(secret, "***")
            record.msg, record.args = message, None
        return True


def _configure_logging(verbosity: int, *, secret: tuple[str, ...]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("fim-bot: %(message)s"))
    handler.addFilter(_Redact(secret))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    log.setLevel([logging.WARNING, logging.INFO, logging.DEBUG][min(verbosity, 2)])


def _positive(kind: type[int] | type[float], *, zero: bool = False) -> Callable[[str], int | float]:
    def parse(value: str) -> int | float:
        try:
            number = kind(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {value!r}") from None
        if not math.isfinite(number):
            raise argparse.ArgumentTypeError(f"expected a finite number, got {value!r}")
        if number < 0 or (number == 0 and not zero):
            raise argparse.ArgumentTypeError(f"must be {'>= 0' if zero else '> 0'}: {value}")
        return number

    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot", description=_DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"fim-bot {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser(
        "run",
        help="find holes in the diff and fill them",
        description=_DESCRIPTION,
        epilog=_RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("paths", nargs="*", metavar="PATH", help="only these files or folders")
    what = run.add_argument_group("what to read")
    what.add_argument("--base", metavar="REV", help="the old side of the diff")
    what.add_argument("--head", metavar="REV", help="the new side: a commit, read from git")
    what.add_argument("--staged", action="store_true", help="the index against HEAD")
    what.add_argument("--all", action="store_true", help="treat the PATHs as wholly new")
    what.add_argument(
        "--max-file-size",
        type=_positive(int),
        default=1_000_000,
        metavar="BYTES",
        help="skip larger files (default: 1000000)",
    )
    github = run.add_argument_group("GitHub (chosen by itself in a pull_request workflow)")
    github.add_argument("--github", action="store_true", help="post to a pull request")
    github.add_argument("--repo", metavar="OWNER/NAME", help="default: GITHUB_REPOSITORY")
    github.add_argument("--pr", type=_positive(int), metavar="N", help="the pull request")
    github.add_argument(
        "--fail-on-error",
        action="store_true",
        help="exit 1 when a hole fails and 2 for a missing or rejected key (default: exit 0)",
    )
    github.add_argument("--bot-login", help="whose comments are the bot's (default: the token's)")
    out = run.add_argument_group("output")
    out.add_argument("--format", choices=("text", "json"), default="text")
    out.add_argument("--apply", action="store_true", help="write the fills into the files")
    out.add_argument(
        "--dry-run", action="store_true", help="find holes and show the prompts; send nothing"
    )
    out.add_argument("-v", "--verbose", action="count", default=0, help="more logs on stderr")
    model = run.add_argument_group("model")
    model.add_argument("--provider", help="codestral (default) or mistral")
    model.add_argument("--api-base", metavar="URL", help="the provider's base URL")
    model.add_argument("--model", default="codestral-latest", help="default: codestral-latest")
    model.add_argument("--temperature", type=_positive(float, zero=True), default=0.0)
    model.add_argument("--top-p", type=_positive(float), default=None)
    model.add_argument("--max-tokens", type=_positive(int), default=512)
    model.add_argument("--min-tokens", type=_positive(int, zero=True), default=None)
    model.add_argument("--seed", type=_positive(int, zero=True), default=None)
    model.add_argument("--stop", action="append", default=[], help="a stop sequence (repeatable)")
    model.add_argument("--stream", action="store_true", help="receive the answer as it is made")
    model.add_argument(
        "--timeout", type=_positive(float), default=60.0, help="seconds per request (default: 60)"
    )
    model.add_argument(
        "--concurrency", type=_positive(int), default=8, help="requests at once (default: 8)"
    )
    model.add_argument(
        "--max-holes",
        type=_positive(int, zero=True),
        default=50,
        help="holes per run; the rest are skipped (default: 50; 0: no cap)",
    )
    model.add_argument(
        "--budget-tokens",
        type=_positive(int),
        default=8000,
        help="estimated tokens of code around a hole sent in its prompt (default: 8000)",
    )
    model.add_argument(
        "--context-budget-tokens",
        type=_positive(int, zero=True),
        default=1500,
        help="estimated tokens of definitions from other files the code uses (default: 1500; "
        "0: none)",
    )
    return parser
