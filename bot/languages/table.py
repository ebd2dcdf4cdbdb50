"""The language table (languages.yml), read once: what each language's comments, strings and
blocks look like, and which tree-sitter grammar reads it."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import PurePosixPath
from typing import Any

import yaml


@dataclass(frozen=True, slots=True, kw_only=True)
class Language:
    """One row of languages.yml (its header documents each field)."""

    name: str
    extensions: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    line: tuple[str, ...] = ()
    block: tuple[tuple[str, str], ...] = ()
    nested: bool = False
    doc: tuple[str, ...] = ()
    strings: tuple[str, ...] = ()
    long: tuple[str, ...] = ()
    raw: tuple[str, ...] = ()
    chars: bool = False
    grammar: str | None = None
    block_end: str | None = None

    def comment(self, text: str) -> str:
        """`text` as a comment of this language, on one line."""
        if self.line:
            return f"{self.line[0]} {text}".rstrip()
        opener, closer = self.block[0]
        return f"{opener} {text} {closer}"


@functools.cache
def languages() -> dict[str, Language]:
    """Every language of the table, by name."""
    text = resources.files("bot.languages").joinpath("languages.yml").read_text("utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    rows: dict[str, dict[str, Any]] = yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)
    return {name: _language(name, row) for name, row in rows.items()}


@functools.cache
def _by_name() -> tuple[dict[str, Language], dict[str, Language]]:
    extensions: dict[str, Language] = {}
    names: dict[str, Language] = {}
    for language in languages().values():
        extensions.update(dict.fromkeys(language.extensions, language))
        names.update(dict.fromkeys(language.names, language))
    return extensions, names


def language_for(path: str) -> Language | None:
    """The language of the file at `path`, from its name, or None when fim-bot does not read it."""
    extensions, names = _by_name()
    name = PurePosixPath(path).name
    if name in names:
        return names[name]
    # The longest known ending wins: ".d.ts" before ".ts", when the table has both.
    lowered = name.lower()
    dot = lowered.find(".", 1)
    while dot != -1:
        if lowered[dot:] in extensions:
            return extensions[lowered[dot:]]
        dot = lowered.find(".", dot + 1)
    return None


def _language(name: str, row: dict[str, Any]) -> Language:
    def strings(key: str) -> tuple[str, ...]:
        return tuple(str(item) for item in row.get(key, ()))

    return Language(
        name=name,
        extensions=tuple(e.lower() for e in strings("extensions")),
        names=strings("names"),
        line=strings("line"),
        block=tuple((str(a), str(b)) for a, b in row.get("block", ())),
        nested=bool(row.get("nested", False)),
        doc=strings("doc"),
        strings=strings("strings"),
        long=strings("long"),
        raw=strings("raw"),
        chars=bool(row.get("chars", False)),
        grammar=row.get("grammar"),
        block_end=row.get("block_end"),
    )
