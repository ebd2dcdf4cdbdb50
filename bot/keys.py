"""Every setting a user can make, in one table: its type, default, variable, flag and meaning.

A setting comes from, in this order of precedence, a flag, an environment variable, the
configuration file (`bot.config`), or its default. Each kind of value is read the same way
from all three, so a value means the same wherever it is written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal, Protocol

from bot import globs
from bot.languages import DEFAULT_TAGS, STUB_KINDS
from bot.providers import PROVIDERS
from bot.providers.templates import TEMPLATES

STALE_THREADS = ("resolve", "minimize", "keep")
Trust = Literal["any", "workflow", "default-branch"]


class Invalid(ValueError):
    """A value a key does not take: what it `must` be, what it `got`, and whether one entry
    of a list is at fault (`entry`: its index)."""

    def __init__(self, must: str, got: object, *, entry: int | None = None, why: str = "") -> None:
        super().__init__(must)
        self.must = must
        self.got = got
        self.entry = entry
        self.why = why  # what is wrong with `got`, when "must be" does not say it all

    def explain(self, key: str) -> str:
        return f"'{key}'{' entries' if self.entry is not None else ''} {self.text()}"

    def text(self) -> str:
        each = "each " if self.entry is not None else ""
        return f"must {each}be {self.must}, got {show(self.got)}" + (
            f": {self.why}" if self.why else ""
        )


def show(value: object) -> str:
    """A value as an error message quotes it."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value) if isinstance(value, str) else str(value)


class Kind(Protocol):
    """How one key's values are read: from YAML values (`read`) and from text (`parse`)."""

    def read(self, value: object) -> object: ...

    def parse(self, text: str) -> object: ...


def _number(text: str, kind: type[int] | type[float]) -> object:
    """`text` as a number, or as it is when it is none (for the message)."""
    try:
        return kind(text.strip())
    except ValueError:
        return text


@dataclass(frozen=True, slots=True, kw_only=True)
class Whole:
    low: int  # 0 or 1

    def read(self, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int) or value < self.low:
            raise Invalid(f"a whole number {'>= 0' if self.low == 0 else '> 0'}", value)
        return value

    def parse(self, text: str) -> object:
        return self.read(_number(text, int))


@dataclass(frozen=True, slots=True, kw_only=True)
class Number:
    low: float
    high: float = math.inf
    low_open: bool = False  # `low` itself is not allowed

    def read(self, value: object) -> object:
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
        if (
            number is None
            or not math.isfinite(number)
            or number < self.low
            or (self.low_open and number == self.low)
            or number > self.high
        ):
            raise Invalid(self._must(), value)
        return float(number)

    def parse(self, text: str) -> object:
        return self.read(_number(text, int) if text.strip().isdigit() else _number(text, float))

    def _must(self) -> str:
        low = f"> {self.low:g}" if self.low_open else f">= {self.low:g}"
        if math.isinf(self.high):
            return f"a number {low}"
        if self.low_open:
            return f"a number {low} and <= {self.high:g}"
        return f"a number from {self.low:g} to {self.high:g}"


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Flag:
    def read(self, value: object) -> object:
        if not isinstance(value, bool):
            raise Invalid("true or false", value)
        return value

    def parse(self, text: str) -> object:
        folded = text.strip().lower()
        return self.read(True if folded in _TRUE else False if folded in _FALSE else text)


def _non_empty(text: str) -> str | None:
    return None if text.strip() else ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Text:
    """A string that `check` accepts: it returns None for a good one, else what is wrong with
    it ("" when `must` says it all)."""

    must: str = "a non-empty string"
    check: Callable[[str], str | None] = _non_empty

    def read(self, value: object) -> object:
        problem = self.check(value) if isinstance(value, str) else ""
        if problem is not None:
            raise Invalid(self.must, value, why=problem)
        return value

    def parse(self, text: str) -> object:
        return self.read(text)


def _one_of(options: tuple[str, ...]) -> Text:
    must = f"{', '.join(options[:-1])} or {options[-1]}" if len(options) > 1 else options[0]
    return Text(must=must, check=lambda text: None if text in options else "")


@dataclass(frozen=True, slots=True, kw_only=True)
class Many:
    """A list whose every entry is of `entry` kind (`plural` names them in messages); as text,
    entries are split at commas and line breaks (a multi-line Action input)."""

    entry: Text
    plural: str

    def read(self, value: object) -> object:
        if isinstance(value, tuple):  # a repeated flag
            value = list(value)
        if not isinstance(value, list):
            raise Invalid(f"a list of {self.plural}", value)
        for i, item in enumerate(value):
            try:
                self.entry.read(item)
            except Invalid as error:
                raise Invalid(error.must, item, entry=i, why=error.why) from None
        return tuple(value)

    def parse(self, text: str) -> object:
        return self.read([part.strip() for part in re.split(r"[,\n]", text) if part.strip()])


def _glob(text: str) -> str | None:
    try:
        globs.check(text)
    except globs.BadGlob as error:
        return str(error)
    return None


def _url(text: str) -> str | None:
    # A host, then anything without blanks. Not `[^/\s]+\S*`: its two runs overlap, and a
    # value that fails shares itself out between them every way first (31 s on 100,000
    # characters). Nor `\S*`, which looks up each character's class: split() skips along
    # the same blanks (str.isspace) 5 times faster.
    return None if re.match(r"https?://[^/\s]", text) and text.split() == [text] else ""


def _word(text: str) -> str | None:
    return None if text and not re.search(r"[\s#]", text) else ""


_WORDS = Many(
    entry=Text(must="a word without spaces or '#'", check=_word),
    plural="words without spaces or '#'",
)
_STRING = Text(must="a non-empty string")
_STOPS = Many(entry=Text(check=lambda text: None if text else ""), plural="strings")
_GLOBS = Many(entry=Text(must="a path glob", check=_glob), plural="path globs")
_STUBS = Many(entry=_one_of(STUB_KINDS), plural=f"stub kinds ({_one_of(STUB_KINDS).must})")
_LABEL = Text(must="a string", check=lambda text: None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Key:
    name: str  # as written in the file; "github.X" is X in the `github:` section
    kind: Kind
    default: object
    doc: str
    env: str | None  # the variable that sets it, if any
    flag: str | None  # the command-line option, if any
    group: str  # where `bot run --help` lists the flag
    # Who may set it in a configuration file (bot.trust): anyone ("any"); on a pull request
    # only the workflow, not the pull request's own file ("workflow"); and, for what sends
    # code or keys somewhere or runs a command, locally too only the default branch's file
    # ("default-branch").
    trust: Trust = "any"


def _key(
    name: str,
    kind: Kind,
    default: object,
    doc: str,
    *,
    flag: bool | str = True,
    env: bool | str = True,
    trust: Trust = "any",
) -> Key:
    """A row of the table: the variable is FIM_BOT_ and the name, the flag -- and the name."""
    short = name.rpartition(".")[2]
    return Key(
        name=name,
        kind=kind,
        default=default,
        doc=doc,
        env=(env if isinstance(env, str) else "FIM_BOT_" + short.upper().replace("-", "_"))
        if env
        else None,
        flag=(flag if isinstance(flag, str) else f"--{short}") if flag else None,
        group="",
        trust=trust,
    )


_SCAN = (
    _key("tags", _WORDS, DEFAULT_TAGS, "comment tags that mark a TODO", flag="--tag"),
    _key("stub-kinds", _STUBS, STUB_KINDS, "the stub statements that make holes", flag=False),
    _key("include", _GLOBS, (), "only files matching these globs are scanned"),
    _key("exclude", _GLOBS, (), "files never scanned nor read for any prompt"),
    _key("max-file-size", Whole(low=1), 1_000_000, "bytes; larger files are skipped"),
)
_MODEL = (
    _key(
        "provider",
        _one_of(tuple(PROVIDERS)),
        None,
        _one_of(tuple(PROVIDERS)).must,
        trust="default-branch",
    ),
    _key(
        "api-base",
        Text(must="an http(s) URL", check=_url),
        None,
        "the API's base URL",
        trust="default-branch",
    ),
    _key("model", _STRING, None, "the model name (default: the provider's)"),
    _key(
        "fim-template",
        _one_of(tuple(TEMPLATES)),
        None,
        "the template provider's FIM tokens (default: from the model name)",
    ),
    _key("temperature", Number(low=0, high=2), 0.0, "sampling temperature"),
    _key("top-p", Number(low=0, high=1, low_open=True), None, "nucleus sampling"),
    _key("max-tokens", Whole(low=1), 512, "longest fill, in tokens"),
    _key("min-tokens", Whole(low=0), None, "shortest fill, in tokens"),
    _key("seed", Whole(low=0), None, "sampling seed (Mistral: random_seed)"),
    _key("stop", _STOPS, (), "a stop sequence (repeatable)", env=False),
    _key("stream", Flag(), False, "receive answers streamed, piece by piece"),
    _key("timeout", Number(low=0, low_open=True), 60.0, "seconds per request, all of it"),
    _key(
        "deadline",
        Number(low=0, low_open=True),
        None,
        "seconds for the whole run, retries included; holes unfinished by then fail "
        "(the hooks: 10)",
    ),
    _key("concurrency", Whole(low=1), 8, "requests in flight at once"),
    _key("max-holes", Whole(low=0), 50, "holes per run, the rest are skipped; 0: no cap"),
    _key("budget-tokens", Whole(low=1), 8000, "estimated tokens of code sent around a hole"),
    _key("context-budget-tokens", Whole(low=0), 1500, "other files' definitions, in tokens"),
)
_GITHUB = (
    _key("github.stale-threads", _one_of(STALE_THREADS), "resolve", "gone holes", flag=False),
    _key(
        "github.skip-draft",
        Flag(),
        False,
        "leave draft pull requests alone",
        flag=False,
        trust="workflow",
    ),
    _key(
        "github.opt-out-label",
        _LABEL,
        "no-fim-bot",
        "leave PRs with it alone",
        flag=False,
        trust="workflow",
    ),
    _key(
        "github.bot-login",
        _STRING,
        None,
        "whose comments are the bot's",
        env="FIM_BOT_LOGIN",
        trust="workflow",
    ),
    _key(
        "github.fail-on-error",
        Flag(),
        False,
        "exit 1 for a failed hole, 2 for a bad key",
        trust="workflow",
    ),
)
KEYS: dict[str, Key] = {
    key.name: replace(key, group=group)
    for group, keys in (("scan", _SCAN), ("model", _MODEL), ("github", _GITHUB))
    for key in keys
}
