"""The language table (language_rows.py), read once: what each language's comments, strings and
blocks look like, and which tree-sitter grammar reads it."""

from __future__ import annotations

import fnmatch
import functools
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Literal

from bot.languages.language_rows import ROWS

# What a delimiter of the table opens; language_rows.py's header says what each one means.
DelimiterKind = Literal[
    "line", "block", "strings", "long", "quotes", "raw", "chars", "heredoc", "code"
]
# A placeholder of a delimiter template: "{=}" a run of "=" (maybe empty), "{#+}" a run of at
# least one "#", "{id}" a name, "{delim}" a C++ raw-string delimiter, "{eol}" (last) nothing but
# blanks up to the line's end.
PLACEHOLDER = re.compile(r"\{(id|delim|eol|[^{}]\+?)\}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Delimiter:
    """One opener of the table and its closer, as written there (templates allowed)."""

    kind: DelimiterKind
    open: str
    close: str  # "" for what ends with its line


@dataclass(frozen=True, slots=True, kw_only=True)
class Language:
    """One row of language_rows.py (its header documents each field). `line` and `block` hold
    comments as they look in code ("--[[", not the template "--[{=}["); the lexer reads the
    templates from `delimiters`."""

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
    escape: str = "\\"
    line_after: str | None = None
    delimiters: tuple[Delimiter, ...] = ()
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
    return {name: _language(name, row) for name, row in ROWS.items()}


@functools.cache
def _by_name() -> tuple[dict[str, Language], dict[str, Language], list[tuple[str, Language]]]:
    extensions: dict[str, Language] = {}
    names: dict[str, Language] = {}
    patterns: list[tuple[str, Language]] = []  # "Dockerfile.*"
    for language in languages().values():
        extensions.update(dict.fromkeys(language.extensions, language))
        for name in language.names:
            if "*" in name:
                patterns.append((name, language))
            else:
                names[name] = language
    return extensions, names, patterns


def language_for(path: str) -> Language | None:
    """The language of the file at `path`, from its name, or None when fim-bot does not read it."""
    extensions, names, patterns = _by_name()
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
    return next((lang for pattern, lang in patterns if fnmatch.fnmatchcase(name, pattern)), None)


def plain(template: str) -> str:
    """A delimiter template as it looks in code at its shortest: "--[{=}[" is "--[[", "^%{{eol}"
    is "%{", "{#+}\\"" is "#\\"" ("{id}" and "{delim}" left empty)."""

    def run(match: re.Match[str]) -> str:
        inside = match[1]
        return inside[0] if inside.endswith("+") and len(inside) == 2 else ""

    return PLACEHOLDER.sub(run, template.removeprefix("^"))


def _language(name: str, row: dict[str, Any]) -> Language:
    def items(key: str) -> list[tuple[str, str]]:
        """A key's delimiters as (opener, closer): a lone opener closes with itself."""
        pairs = []
        for item in row.get(key, ()):
            if isinstance(item, list):
                pairs.append((str(item[0]), str(item[1])))
            else:
                pairs.append((str(item), str(item)))
        return pairs

    def strings(key: str) -> tuple[str, ...]:
        return tuple(str(item) for item in row.get(key, ()))

    line = [(opener, "") for opener in strings("line")]
    chars = ["'"] if row.get("chars") is True else strings("chars") if row.get("chars") else []
    delimiters = [
        *(Delimiter(kind="line", open=o, close=c) for o, c in line),
        *(Delimiter(kind="block", open=o, close=c) for o, c in items("block")),
        *(
            Delimiter(kind=kind, open=o, close=c)
            for kind in ("strings", "long", "quotes", "raw")
            for o, c in items(kind)
        ),
        *(Delimiter(kind="chars", open=o, close="'") for o in chars),
        *(Delimiter(kind="heredoc", open=o, close="") for o in strings("heredoc")),
        *(Delimiter(kind="code", open=o, close="") for o in strings("code")),
    ]
    return Language(
        name=name,
        extensions=tuple(e.lower() for e in strings("extensions")),
        names=strings("names"),
        line=tuple(plain(o) for o, _ in line),
        block=tuple((plain(o), plain(c)) for o, c in items("block")),
        nested=bool(row.get("nested", False)),
        doc=strings("doc"),
        strings=tuple(plain(o) for o, _ in items("strings")),
        long=tuple(plain(o) for o, _ in items("long")),
        raw=tuple(plain(o) for o, _ in items("raw")),
        chars=bool(chars),
        escape=str(row.get("escape", "\\")),
        line_after=row.get("line_after"),
        delimiters=tuple(delimiters),
        grammar=row.get("grammar"),
        block_end=row.get("block_end"),
    )
