"""`bot config`: the effective configuration, each value with where it came from."""

from __future__ import annotations

import json
from typing import TextIO

import yaml

from bot.settings import Settings, Sourced

_HEADER = """\
# fim-bot's effective configuration. After each value, where it comes from: a flag, an
# environment variable (env), the configuration file (file PATH:LINE), or the default.
"""


def write(settings: Settings, out: TextIO, *, output_format: str) -> None:
    """YAML laid out as the configuration file, or (`json`) one object keyed by setting."""
    sources = _ordered(settings.sources)
    if output_format == "json":
        json.dump(
            {
                "version": 1,
                "file": settings.config_file,
                "settings": {
                    name: {"value": _plain(s.value), "source": s.source, "where": s.where}
                    for name, s in sources.items()
                },
            },
            out,
            indent=2,
        )
        out.write("\n")
        return
    out.write(_HEADER)
    out.write(f"# configuration file: {settings.config_file or 'none'}\n")
    section = ""
    for name, sourced in sources.items():
        parent, _, short = name.rpartition(".")
        if parent != section:
            out.write(f"{parent}:\n")
            section = parent
        indent = "  " if parent else ""
        out.write(f"{indent}{_line(short, sourced)}\n")


def _ordered(sources: dict[str, Sourced]) -> dict[str, Sourced]:
    """The file's order, the `github:` section last, the hidden key after the API base."""
    names = [n for n in sources if "." not in n and n != "api-key"]
    names.insert(names.index("api-base") + 1, "api-key")
    names += [n for n in sources if "." in n]
    return {name: sources[name] for name in names}


def _line(name: str, sourced: Sourced) -> str:
    # Dumped inside a one-item flow list, then unwrapped: a scalar alone would end with "...".
    listed = yaml.safe_dump(
        [_plain(sourced.value)], default_flow_style=True, allow_unicode=True, width=1_000_000
    )
    where = f" {sourced.where}" if sourced.where else ""
    return f"{name}: {listed.strip()[1:-1]}  # {sourced.source}{where}"


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value
