"""The command line: argv and environment in, an exit status out. The only reader of os.environ."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot import __version__
from bot.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, BotError

if TYPE_CHECKING:
    from bot.git import Git
    from bot.providers import Provider
    from bot.settings import Settings

log = logging.getLogger("bot")

_DESCRIPTION = """\
Find TODOs and stubs in the added lines of a diff and fill them with a fill-in-the-middle
code model (Codestral by default, or one on your own machine). Shows the fills as a diff;
--apply writes them.
"""

_RUN_EPILOG = """\
what is read:
  (default)        the working tree (tracked changes and untracked files) against the
                   merge-base of HEAD and the default branch (origin/HEAD, main or master)
  --head REV       REV against --base (default: its merge-base with the default branch)
  --staged         the index against HEAD (what `git commit` would record)
  --all PATH...    the given files and folders, every line treated as new

configuration:
  .fim-bot.yml or .github/fim-bot.yml at the repository root (or --config FILE) sets any
  option below by its name (max-holes: 10); FIM_BOT_<NAME> (FIM_BOT_MAX_HOLES=10) sets it
  too. A flag wins over a variable, a variable over the file. `bot config` shows them all.

providers (--provider; each has its key and base variables):
  codestral  CODESTRAL_API_KEY, CODESTRAL_API_BASE  (the default)
  mistral    MISTRAL_API_KEY, MISTRAL_API_BASE  (chosen when it is the only key)
  ollama     OLLAMA_API_BASE (default http://localhost:11434), no key needed
  llamacpp   LLAMACPP_API_BASE (default http://localhost:8080), LLAMA_API_KEY if set
  openai     OPENAI_API_KEY, OPENAI_API_BASE  (any OpenAI-style /completions with suffix)
  deepseek   DEEPSEEK_API_KEY, DEEPSEEK_API_BASE  (DeepSeek's FIM beta)
  template   --api-base (default http://localhost:8000/v1: vLLM, TGI), --fim-template

environment:
  FIM_BOT_API_KEY, FIM_BOT_API_BASE       win over the chosen provider's own variables
  NO_COLOR                                no colours, even on a terminal

exit status: 0 the run worked, 1 at least one hole failed or --apply could not write a
file, 2 usage, configuration or authentication error.
"""


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    finally:
        if argv is None:  # the process's own command line: it ends when this returns
            # Skip the collector's last full pass: it would walk every object the run made
            # (some 50 ms after 50 holes) to free memory that the exit frees anyway.
            gc.freeze()


def _main(argv: Sequence[str] | None) -> int:
    given = sys.argv[1:] if argv is None else list(argv)
    if given == ["--version"]:  # answered before the parser loads the settings' modules
        print(f"fim-bot {__version__}")
        return EXIT_OK
    args = _parser().parse_args(given)
    env = os.environ
    from bot.wiring import configure_logging

    configure_logging(getattr(args, "verbose", 0), env)
    try:
        if args.command == "run":
            return _run(args, env)
        if args.command == "config":
            return _config(args, env)
        _parser().print_help(sys.stderr)
        return EXIT_USAGE
    except BotError as error:
        from bot.text import visible

        print(f"fim-bot: error: {visible(error.message)}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("fim-bot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `bot run | head`: the reader has gone, and that is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _settings(
    args: argparse.Namespace, env: Mapping[str, str], git: Git | None, **run: Any
) -> Settings:
    """Flags, environment and configuration file, resolved; the file sits at the root of the
    repository `git` that holds the working directory (or in it, outside one)."""
    from bot import flags, settings

    cwd = Path.cwd()
    return settings.resolve(
        env=env,
        flags=flags.given(args),
        config_path=args.config,
        cwd=cwd,
        root=git.root if git else cwd,
        **run,
    )


def _config(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from bot import trust
    from bot.git import Git
    from bot.report import settings as report

    git = Git.find(Path.cwd())
    resolved = _settings(args, env, git)
    vouched = trust.vouch(resolved, git)
    report.write(resolved, sys.stdout, output_format=args.format, refused=vouched.refused)
    return EXIT_OK


def _run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from bot import pipeline, settings, source, wiring
    from bot.git import Git

    local_mode = bool(args.head or args.staged or args.all)
    github = settings.wants_github(env, github=args.github, local_mode=local_mode)
    if github and (local_mode or args.apply):
        raise BotError(
            "--github reads the pull request: it cannot go with --head, --staged, --all or --apply"
        )
    git = Git.find(Path.cwd())
    resolved = _settings(
        args,
        env,
        git,
        paths=tuple(args.paths),
        base=args.base,
        head=args.head,
        staged=args.staged,
        all_files=args.all,
        output_format=args.format,
        apply=args.apply,
        dry_run=args.dry_run,
        pull_request=github,
    )
    if github:
        return _github(args, env, resolved, git)
    from bot import trust

    resolved = trust.guard(resolved, git, sending=not args.dry_run)
    collected = source.collect(resolved.selection, cwd=Path.cwd(), git=git)
    report = pipeline.run(
        collected.changes,
        options=resolved.options,
        provider=lambda: _provider(resolved),
        repo=collected.repo,
    )
    out = sys.stdout
    if resolved.format == "json":  # JSON lines cannot start a command, and `##[` is escaped
        from bot.report import json as json_report

        json_report.write(report, out, raw=wiring.raw_prompt(resolved))
    else:
        from bot.report import terminal
        from bot.report.log import commands_stopped, read_by_runner

        with commands_stopped(out, active=read_by_runner(out, env)):
            terminal.write(report, out, color=_color(out, env))
    if resolved.apply:
        from bot.report import apply

        applied = apply.write_and_tell(report, collected.root, sys.stderr)
        if applied.failed:
            return EXIT_FAILED
    elif report.count("suggested") and resolved.selection.mode != "head":
        # As linters say which findings their fix flag would fix: on stderr, off the diff.
        print("fim-bot: `bot run --apply` writes these fills into your files", file=sys.stderr)
    return EXIT_FAILED if report.count("failed") else EXIT_OK


def _github(
    args: argparse.Namespace, env: Mapping[str, str], resolved: Settings, git: Git | None
) -> int:
    from bot import settings
    from bot.clock import Clock
    from bot.github import mode

    target = settings.github_target(env, repo=args.repo, pr=args.pr, github=resolved.github)
    return mode.run(
        target,
        options=resolved.options,
        provider=lambda: _provider(resolved),
        can_send=resolved.can_send,
        key_source=resolved.key_source,
        clock=Clock(resolved.time_scale),
        max_file_size=resolved.selection.max_file_size,
        output_format=resolved.format,
        out=sys.stdout,
        git=git,
        paths=resolved.selection.paths,
    )


def _provider(resolved: Settings) -> Provider:
    from bot import wiring

    if not resolved.can_send:
        raise BotError(
            f"no API key: set {resolved.key_source} (or FIM_BOT_API_KEY), "
            "or use --dry-run to see the prompts without sending them"
        )
    return wiring.provider(resolved)


def _color(stream: TextIO, env: Mapping[str, str]) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return stream.isatty() and not env.get("NO_COLOR")


def _parser() -> argparse.ArgumentParser:
    from bot import flags

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
    github = run.add_argument_group("GitHub (chosen by itself in a pull_request workflow)")
    github.add_argument("--github", action="store_true", help="post to a pull request")
    github.add_argument("--repo", metavar="OWNER/NAME", help="default: GITHUB_REPOSITORY")
    github.add_argument("--pr", type=flags.number(), metavar="N", help="the pull request")
    out = run.add_argument_group("output")
    out.add_argument("--format", choices=("text", "json"), default="text")
    out.add_argument("--apply", action="store_true", help="write the fills into the files")
    out.add_argument(
        "--dry-run", action="store_true", help="find holes and show the prompts; send nothing"
    )
    out.add_argument("-v", "--verbose", action="count", default=0, help="more logs on stderr")
    model = run.add_argument_group("model")
    flags.add(run, {"scan": what, "model": model, "github": github})
    config = commands.add_parser(
        "config",
        help="show the effective configuration and where each value comes from",
        description="Show the settings a `bot run` here would use, and where each comes from: "
        "a flag, an environment variable, the configuration file, or the default.",
    )
    config.add_argument("--format", choices=("yaml", "json"), default="yaml")
    flags.add(
        config,
        {
            "scan": config.add_argument_group("what to read"),
            "model": config.add_argument_group("model"),
            "github": config.add_argument_group("GitHub"),
        },
    )
    return parser
