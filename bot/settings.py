"""Flags and environment variables -> one frozen `Settings` (the config file comes later)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from bot.errors import BotError
from bot.pipeline import Options
from bot.providers import PROVIDERS, ModelParams, ProviderSpec, Secret
from bot.source import Mode, Selection

if TYPE_CHECKING:
    from bot.github.mode import Target

Format = Literal["text", "json"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    selection: Selection
    format: Format
    apply: bool
    options: Options
    provider: ProviderSpec
    api_base: str
    api_key: Secret  # empty when none was found
    key_source: str  # the variable the key comes from, or should: named in errors
    params: ModelParams
    time_scale: float


def resolve(
    *,
    env: Mapping[str, str],
    paths: tuple[str, ...],
    base: str | None,
    head: str | None,
    staged: bool,
    all_files: bool,
    output_format: Format,
    apply: bool,
    dry_run: bool,
    provider: str | None,
    api_base: str | None,
    params: ModelParams,
    concurrency: int,
    max_holes: int,
    max_file_size: int,
    budget_tokens: int,
    context_budget_tokens: int,
) -> Settings:
    """Check the flags against each other and fill in what the environment says."""
    mode = _mode(head=head, staged=staged, all_files=all_files)
    if apply and mode == "head":
        raise BotError("--apply writes to the working tree: it cannot go with --head")
    if apply and dry_run:
        raise BotError("--apply and --dry-run exclude each other: a dry run has nothing to write")
    if base and mode == "all":
        raise BotError("--base cannot go with --all: --all treats every file as new")
    spec = _provider(provider, env)
    key_source = "FIM_BOT_API_KEY" if env.get("FIM_BOT_API_KEY") else spec.key_variable
    url = api_base or env.get("FIM_BOT_API_BASE") or env.get(spec.base_variable)
    url = url or spec.default_base
    scheme = urlsplit(url).scheme
    if scheme not in ("http", "https"):
        raise BotError(f"API base {url!r} is not an http(s) URL")
    return Settings(
        selection=Selection(
            mode=mode, base=base, head=head, paths=paths, max_file_size=max_file_size
        ),
        format=output_format,
        apply=apply,
        options=Options(
            max_holes=max_holes,
            dry_run=dry_run,
            budget_tokens=budget_tokens,
            context_budget_tokens=context_budget_tokens,
            concurrency=concurrency,
        ),
        provider=spec,
        api_base=url,
        api_key=Secret(env.get(key_source, "")),
        key_source=key_source,
        params=params,
        time_scale=_time_scale(env.get("FIM_BOT_TIME_SCALE")),
    )


def _mode(*, head: str | None, staged: bool, all_files: bool) -> Mode:
    chosen = [
        name for name, on in (("--head", head), ("--staged", staged), ("--all", all_files)) if on
    ]
    if len(chosen) > 1:
        raise BotError(f"{' and '.join(chosen)} exclude each other: choose one")
    if head:
        return "head"
    if staged:
        return "staged"
    return "all" if all_files else "worktree"


def _provider(name: str | None, env: Mapping[str, str]) -> ProviderSpec:
    if name:
        if name not in PROVIDERS:
            raise BotError(f"unknown provider {name!r}: choose one of {', '.join(PROVIDERS)}")
        return PROVIDERS[name]
    if not env.get("CODESTRAL_API_KEY") and env.get("MISTRAL_API_KEY"):
        return PROVIDERS["mistral"]
    return PROVIDERS["codestral"]


def _time_scale(value: str | None) -> float:
    if value is None or value == "":
        return 1.0
    try:
        scale = float(value)
    except ValueError:
        scale = -1.0
    if scale < 0:
        raise BotError(f"FIM_BOT_TIME_SCALE={value!r}: expected a number >= 0")
    return scale


PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")


def wants_github(env: Mapping[str, str], *, github: bool, local_mode: bool) -> bool:
    """GitHub mode: asked for, or a pull-request workflow run with no local mode asked for."""
    if github:
        return True
    if local_mode:
        return False
    return env.get("GITHUB_EVENT_NAME") in PULL_REQUEST_EVENTS and bool(
        env.get("GITHUB_EVENT_PATH")
    )


def github_target(
    env: Mapping[str, str],
    *,
    repo: str | None,
    pr: int | None,
    bot_login: str | None,
    fail_on_error: bool,
) -> Target:
    """The pull request from flags, else from the event GitHub Actions wrote, else fail."""
    from bot.github.mode import Target

    event = _event(env.get("GITHUB_EVENT_PATH"))
    found = event.get("pull_request")
    pull: dict[str, Any] = found if isinstance(found, dict) else {}
    number = pr or pull.get("number") or event.get("number")
    repository = repo or _full_name(event) or env.get("GITHUB_REPOSITORY")
    if not repository or "/" not in repository:
        raise BotError("GitHub mode needs the repository: pass --repo OWNER/NAME")
    if not isinstance(number, int) or number <= 0:
        raise BotError("GitHub mode needs the pull request: pass --pr N (or run on pull_request)")
    head = pull.get("head", {}).get("sha") if pr is None or pr == pull.get("number") else None
    return Target(
        repository=repository,
        number=number,
        head_sha=head if isinstance(head, str) else None,
        api_url=env.get("GITHUB_API_URL") or "https://api.github.com",
        token=Secret(env.get("GITHUB_TOKEN", "")),
        bot_login=bot_login or env.get("FIM_BOT_LOGIN") or None,
        step_summary=Path(env["GITHUB_STEP_SUMMARY"]) if env.get("GITHUB_STEP_SUMMARY") else None,
        output=Path(env["GITHUB_OUTPUT"]) if env.get("GITHUB_OUTPUT") else None,
        fail_on_error=fail_on_error,
    )


def _event(path: str | None) -> dict[str, Any]:
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BotError(f"cannot read the GitHub event at {path}: {error}") from None
    return data if isinstance(data, dict) else {}


def _full_name(event: dict[str, Any]) -> str | None:
    repository = event.get("repository")
    name = repository.get("full_name") if isinstance(repository, dict) else None
    return name if isinstance(name, str) else None
