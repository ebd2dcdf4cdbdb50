"""The command-line flags of the settings table (`bot.keys`), and which of them were given."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from bot.keys import KEYS, Flag, Invalid, Kind, Many, Whole

_METAVARS = {
    "api-base": "URL",
    "max-file-size": "BYTES",
    "include": "GLOB",
    "exclude": "GLOB",
    "stop": "TEXT",
    "provider": "NAME",
    "model": "NAME",
    "fim-template": "FAMILY",
    "bot-login": "LOGIN",
    "timeout": "SECONDS",
    "deadline": "SECONDS",
}


def add(parser: argparse.ArgumentParser, groups: dict[str, Any]) -> None:
    """`--config`, and a flag for each key that has one, in the group named by the key. Each
    defaults to None, "not given", so that a variable, the file or the key's default decides;
    values are checked with the others' (`bot.settings`), a mistake being one line."""
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="the configuration file (default: .fim-bot.yml or .github/fim-bot.yml at the "
        "repository root)",
    )
    for key in KEYS.values():
        if key.flag is None:
            continue
        short = key.name.rpartition(".")[2]
        shown = "" if key.default in (None, ()) else f" (default: {_shown(key.default)})"
        common: dict[str, Any] = {"dest": _dest(key.name), "default": None, "help": key.doc + shown}
        group = groups[key.group]
        if isinstance(key.kind, Flag):
            group.add_argument(key.flag, action=argparse.BooleanOptionalAction, **common)
        elif isinstance(key.kind, Many):
            metavar = _METAVARS.get(short, short.upper().rstrip("S"))
            group.add_argument(key.flag, action="append", metavar=metavar, **common)
        else:
            metavar = _METAVARS.get(short, short.upper().replace("-", "_"))
            group.add_argument(key.flag, metavar=metavar, **common)


def given(args: argparse.Namespace) -> dict[str, object]:
    """The settings the command line gave, by key name: text, true or false, or a tuple of
    texts for a repeated flag."""
    found: dict[str, object] = {}
    for key in KEYS.values():
        value = getattr(args, _dest(key.name), None) if key.flag else None
        if value is not None:
            found[key.name] = tuple(value) if isinstance(value, list) else value
    return found


def number() -> Callable[[str], object]:
    """A whole number > 0, as other flags check theirs."""
    return _type(Whole(low=1))


def _type(kind: Kind) -> Callable[[str], object]:
    """An argparse type that reads a flag as the configuration file's key would be read."""

    def parse(text: str) -> object:
        try:
            return kind.parse(text)
        except Invalid as error:
            raise argparse.ArgumentTypeError(error.text()) from None

    return parse


def _dest(name: str) -> str:
    return "setting_" + name.replace(".", "_").replace("-", "_")


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return str(value).lower() if isinstance(value, bool) else str(value)
