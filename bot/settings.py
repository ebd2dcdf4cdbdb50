"""Flags and environment variables -> one frozen `Settings` (the config file comes later)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from bot.errors import BotError
from bot.pipeline import Options
from bot.providers import PROVIDERS, ModelParams, ProviderSpec, Secret
from bot.source import Mode, Selection

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
