"""`bot config`: the effective configuration, each value with where it came from."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TextIO

import yaml

from bot.settings import Settings, Sourced
from bot.text import visible

_HEADER = """\
# fim-bot's effective configuration. After each value, where it comes from: a flag, an
# environment variable (env), the configuration file (file PATH:LINE), or the default.
"""


def write(
    settings: Settings,
    out: TextIO,
    *,
    output_format: str,
    refused: Mapping[str, str] | None = None,
) -> None:
    """YAML laid out as the configuration file, or (`json`) one object keyed by setting.
    `refused`: the settings a run would refuse to use (`bot.trust`), with why."""
    sources = _ordered(settings.sources)
    refused = refused or {}
    if output_format == "json":
        json.dump(
            {
                "version": 1,
                "file": settings.config_file,
                "settings": {
                    name: {
                        "value": _plain(s.value),
                        "source": s.source,
                        "where": s.where,
                        **({"refused": refused[name]} if name in refused else {}),
                    }
                    for name, s in sources.items()
                },
            },
            out,
            indent=2,
        )
        out.write("\n")
        return
    out.write(_HEADER)
    out.write(visible(f"# configuration file: {settings.config_file or 'none'}") + "\n")
    section = ""
    for name, sourced in sources.items():
        parent, _, short = name.rpartition(".")
        if parent != section:
            out.write(f"{parent}:\n")
            section = parent
        indent = "  " if parent else ""
        out.write(f"{indent}{visible(_line(short, sourced))}\n")
        if name in refused:  # a run that sends stops here
            out.write(f"{indent}# refused: {visible(refused[name])}\n")


def _ordered(sources: dict[str, Sourced]) -> dict[str, Sourced]:
    """The file's order, the `github:` section last, the hidden key after the API base."""
    names = [n for n in sources if "." not in n and n != "api-key"]
    names.insert(names.index("api-base") + 1, "api-key")
    names += [n for n in sources if "." in n]
    return {name: sources[name] for name in names}


def _line(name: str, sourced: Sourced) -> str:
    where = f" {sourced.where}" if sourced.where else ""
    return f"{name}: {_yaml(_plain(sourced.value))}  # {sourced.source}{where}"


def _yaml(value: object) -> str:
    """The value as YAML on one line. One holding a line break or another character that
    `visible` escapes is written in double quotes, where YAML escapes line breaks itself and
    reads `visible`'s escapes ("\\x1b", "\\u2028") as the characters they stand for."""
    # Dumped inside a one-item flow list, then unwrapped: a scalar alone would end with "...".
    listed = _dump([value]).strip()[1:-1]
    return listed if visible(listed) == listed else _dump([value], style='"').strip()[1:-1]


def _dump(value: object, style: str | None = None) -> str:
    return yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, width=1_000_000, default_style=style
    )


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value
