"""Flags, environment variables and the configuration file -> one frozen `Settings`.

Each setting of `bot.keys.KEYS` comes from a flag, else its variable, else the file, else its
default; `Settings.sources` keeps where each one came from, for `bot config`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urlsplit

from bot import config
from bot.errors import BotError
from bot.globs import DEFAULT_EXCLUDE, FileFilter
from bot.keys import KEYS, Invalid
from bot.pipeline import Options
from bot.providers import PROVIDERS, ModelParams, ProviderSpec, Secret
from bot.providers.templates import TEMPLATES, for_model
from bot.source import Mode, Selection

if TYPE_CHECKING:
    from bot.github.mode import Target

Format = Literal["text", "json"]
# An answer longer than this many characters per --max-tokens token is cut there: a token is
# 3 to 4 characters of code, so only a server that ignores max_tokens sends more.
ANSWER_CHARS_PER_TOKEN = 16
T = TypeVar("T")
log = logging.getLogger("bot.settings")


@dataclass(frozen=True, slots=True, kw_only=True)
class Sourced:
    """A setting's value and where it came from."""

    value: object
    source: Literal["flag", "env", "file", "default"]
    where: str | None = None  # the flag, the variable, or "path:line"


@dataclass(frozen=True, slots=True, kw_only=True)
class GitHubSettings:
    stale_threads: str
    skip_draft: bool
    opt_out_label: str
    bot_login: str | None
    fail_on_error: bool


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
    fim_template: str | None  # the template provider's family (bot.providers.templates)
    github: GitHubSettings
    time_scale: float
    config_file: str | None  # as messages name it; None when there is none
    config_path: Path | None  # where it is
    config: config.ConfigFile  # what it holds, as read (empty when there is none)
    sources: dict[str, Sourced]  # every key, and "api-key" (hidden), for `bot config`

    @property
    def can_send(self) -> bool:
        """There is a key, or the provider needs none (a local server)."""
        return bool(self.api_key) or not self.provider.key_required


def resolve(
    *,
    env: Mapping[str, str],
    flags: Mapping[str, object],
    config_path: str | None,
    cwd: Path,
    root: Path,
    paths: tuple[str, ...] = (),
    base: str | None = None,
    head: str | None = None,
    staged: bool = False,
    all_files: bool = False,
    output_format: Format = "text",
    apply: bool = False,
    dry_run: bool = False,
    pull_request: bool = False,
    defaults: Mapping[str, object] | None = None,
) -> Settings:
    """Read the configuration file, then check the flags against each other and fill in what
    the environment and the file say. `flags` holds only the flags given, by key name.

    On a `pull_request` the file comes from the pull request's own checkout: the keys that
    only the workflow may set (`Key.trust`) are ignored there, with a warning. `defaults` are
    the entry point's own, in place of the keys' (the hooks' deadline)."""
    found = config.find(root, config_path or env.get("FIM_BOT_CONFIG") or None, cwd=cwd)
    file = config.load(found, cwd=cwd) if found else config.ConfigFile(path="", entries={})
    for name in [n for n in file.entries if pull_request and KEYS[n].trust != "any"]:
        key = KEYS[name]
        log.warning(
            "ignoring %s from %s:%d on a pull request: only the workflow sets it (the "
            "Action's %s input, or %s)",
            name,
            file.path,
            file.entries.pop(name).line,
            name.rpartition(".")[2],
            " or ".join(filter(None, (key.env, key.flag))),
        )
    sources = {name: _layer(name, flags, env, file, defaults or {}) for name in KEYS}
    mode = _mode(head=head, staged=staged, all_files=all_files)
    if apply and mode == "head":
        raise BotError("--apply writes to the working tree: it cannot go with --head")
    if apply and dry_run:
        raise BotError("--apply and --dry-run exclude each other: a dry run has nothing to write")
    if base and mode == "all":
        raise BotError("--base cannot go with --all: --all treats every file as new")
    spec = _provider(_opt(sources, "provider", str), env)
    sources["provider"] = replace(sources["provider"], value=spec.name)
    key_source = "FIM_BOT_API_KEY" if env.get("FIM_BOT_API_KEY") else spec.key_variable
    api_key = Secret(env.get(key_source, ""))
    sources["api-base"] = _api_base(sources["api-base"], spec, env)
    sources["api-key"] = Sourced(
        value="***" if api_key else None,
        source="env" if api_key else "default",
        where=key_source if api_key else None,
    )
    url = _api_url(_get(sources, "api-base", str))
    if sources["model"].source == "default":
        sources["model"] = replace(sources["model"], value=spec.default_model)
    fim_template = _fim_template(spec, _opt(sources, "model", str), sources["fim-template"])
    files = FileFilter(
        include=_get(sources, "include", tuple),
        exclude=_get(sources, "exclude", tuple),
        # The pull request's own file may add excludes, not lift the built-in ones.
        floor=() if pull_request and sources["exclude"].source == "file" else None,
    )
    # Shown with the built-in patterns that come before the user's.
    sources["exclude"] = replace(sources["exclude"], value=(*DEFAULT_EXCLUDE, *files.exclude))
    return Settings(
        selection=Selection(
            mode=mode,
            base=base,
            head=head,
            paths=paths,
            max_file_size=_get(sources, "max-file-size", int),
        ),
        format=output_format,
        apply=apply,
        options=Options(
            tags=_get(sources, "tags", tuple),
            stub_kinds=_get(sources, "stub-kinds", tuple),
            files=files,
            max_holes=_get(sources, "max-holes", int),
            dry_run=dry_run,
            budget_tokens=_get(sources, "budget-tokens", int),
            context_budget_tokens=_get(sources, "context-budget-tokens", int),
            concurrency=_get(sources, "concurrency", int),
            answer_limit=ANSWER_CHARS_PER_TOKEN * _get(sources, "max-tokens", int),
            deadline=_opt(sources, "deadline", float),
        ),
        provider=spec,
        api_base=url,
        api_key=api_key,
        key_source=key_source,
        params=ModelParams(
            model=_opt(sources, "model", str) or "",
            temperature=_get(sources, "temperature", float),
            top_p=_opt(sources, "top-p", float),
            max_tokens=_get(sources, "max-tokens", int),
            min_tokens=_opt(sources, "min-tokens", int),
            seed=_opt(sources, "seed", int),
            stop=_get(sources, "stop", tuple),
            stream=_get(sources, "stream", bool),
            timeout=_get(sources, "timeout", float),
        ),
        fim_template=fim_template,
        github=GitHubSettings(
            stale_threads=_get(sources, "github.stale-threads", str),
            skip_draft=_get(sources, "github.skip-draft", bool),
            opt_out_label=_get(sources, "github.opt-out-label", str),
            bot_login=_opt(sources, "github.bot-login", str),
            fail_on_error=_get(sources, "github.fail-on-error", bool),
        ),
        time_scale=_time_scale(env.get("FIM_BOT_TIME_SCALE")),
        config_file=file.path or None,
        config_path=found,
        config=file,
        sources=sources,
    )


def _api_url(url: str) -> str:
    """The API base, if a request can be sent to it. Checked here, from wherever it came, as
    one line: httpx finds some mistakes only as it connects (a port out of range), and fails
    every hole with them."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading it checks it: a number from 0 to 65535
    except ValueError as error:  # "Invalid IPv6 URL", "Port out of range 0-65535"
        raise BotError(f"API base {url!r} is not a usable URL: {error}") from None
    if parts.scheme not in ("http", "https"):
        raise BotError(f"API base {url!r} is not an http(s) URL")
    if not parts.hostname:
        raise BotError(f"API base {url!r} names no host")
    if not url.isprintable() or any(c.isspace() for c in url):
        raise BotError(f"API base {url!r} holds spaces or control characters")
    return url


def _layer(
    name: str,
    flags: Mapping[str, object],
    env: Mapping[str, str],
    file: config.ConfigFile,
    defaults: Mapping[str, object],
) -> Sourced:
    """One setting: a flag, else its variable (an empty one is unset, as an Action input left
    blank), else the file, else the default."""
    key = KEYS[name]
    if name in flags:
        given = flags[name]
        flag = str(key.flag).replace("--", "--no-", 1) if given is False else str(key.flag)
        try:
            value = key.kind.parse(given) if isinstance(given, str) else key.kind.read(given)
        except Invalid as error:
            raise BotError(f"{flag}: {error.text()}") from None
        return Sourced(value=value, source="flag", where=flag)
    text = env.get(key.env, "") if key.env else ""
    if key.env and text.strip():
        try:
            return Sourced(value=key.kind.parse(text.strip()), source="env", where=key.env)
        except Invalid as error:
            raise BotError(f"{key.env}: {error.explain(name)}") from None
    if name in file.entries:
        entry = file.entries[name]
        return Sourced(value=entry.value, source="file", where=f"{file.path}:{entry.line}")
    return Sourced(value=defaults.get(name, key.default), source="default")


def _api_base(chosen: Sourced, spec: ProviderSpec, env: Mapping[str, str]) -> Sourced:
    """--api-base, FIM_BOT_API_BASE, then the provider's own variable, the file, its default."""
    if chosen.source in ("flag", "env"):
        return chosen
    if spec.base_variable and env.get(spec.base_variable):
        return Sourced(value=env[spec.base_variable], source="env", where=spec.base_variable)
    if chosen.value is not None:
        return chosen
    return Sourced(value=spec.default_base, source="default")


def _get(sources: Mapping[str, Sourced], name: str, kind: type[T]) -> T:
    value = sources[name].value
    assert isinstance(value, kind), (name, value)
    return value


def _opt(sources: Mapping[str, Sourced], name: str, kind: type[T]) -> T | None:
    return None if sources[name].value is None else _get(sources, name, kind)


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


def _fim_template(spec: ProviderSpec, model: str | None, chosen: Sourced) -> str | None:
    """The template provider's family: --fim-template, else the one the model's name tells."""
    if spec.wire != "template":
        return None
    if not model:
        raise BotError(
            "the template provider needs --model: the name the server serves the model under"
        )
    if isinstance(chosen.value, str):
        return chosen.value
    found = for_model(model)
    if found is None:
        raise BotError(
            f"cannot tell the FIM tokens of model {model!r} from its name: pass --fim-template "
            f"({', '.join(TEMPLATES)})"
        )
    return found.name


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
    env: Mapping[str, str], *, repo: str | None, pr: int | None, github: GitHubSettings
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
        bot_login=github.bot_login,
        step_summary=Path(env["GITHUB_STEP_SUMMARY"]) if env.get("GITHUB_STEP_SUMMARY") else None,
        output=Path(env["GITHUB_OUTPUT"]) if env.get("GITHUB_OUTPUT") else None,
        fail_on_error=github.fail_on_error,
        skip_draft=github.skip_draft,
        opt_out_label=github.opt_out_label,
        stale_threads=github.stale_threads,
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
