"""The stub rules of stubs.yml, read once, their tree-sitter queries compiled per language."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from bot.languages import grammar
from bot.languages.table import Language

if TYPE_CHECKING:
    import tree_sitter


@dataclass(frozen=True, slots=True)
class Rules:
    """One row of stubs.yml, its queries compiled (the header of stubs.yml says what each is)."""

    functions: frozenset[str]
    body: frozenset[str]
    unwrap: frozenset[str]
    skip: frozenset[str]
    classes: frozenset[str]
    names: dict[str, tuple[str, ...]]
    kept: tree_sitter.Query | None
    idioms: tree_sitter.Query | None  # every idiom's patterns in one query: one pass
    markers: tuple[str, ...]  # by pattern index
    returns: frozenset[str]
    zeros: frozenset[str]
    indent: str


# The rules by grammar, for `scope_at`, which is handed only a tree.
BY_GRAMMAR: dict[tree_sitter.Language, Rules] = {}


def words(language: Language) -> tuple[str, ...]:
    """Lower-case text that a stub of `language` holds (none when it has no stub rules)."""
    row = _table()["languages"].get(language.name)
    if row is None:
        return ()
    return tuple(str(w) for w in (*_table().get("words", ()), *row.get("words", ())))


@functools.cache
def _table() -> dict[str, Any]:
    text = resources.files("bot.languages").joinpath("stubs.yml").read_text("utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    table: dict[str, Any] = yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)
    return table


@functools.cache
def message() -> re.Pattern[str]:
    return re.compile(_table()["message"], re.IGNORECASE | re.DOTALL | re.VERBOSE)


@functools.cache
def rules(language: Language) -> Rules | None:
    row = _table()["languages"].get(language.name)
    found = grammar.parser(language)
    if row is None or found is None or found.language is None:
        return None
    import tree_sitter

    def types(key: str) -> frozenset[str]:
        return frozenset(str(t) for t in row.get(key, ()))

    kept = row.get("kept")
    idioms = row.get("idioms", ())
    # Each idiom's marker, once for each pattern its query holds.
    markers = tuple(
        str(i["marker"])
        for i in idioms
        for _ in range(tree_sitter.Query(found.language, i["query"]).pattern_count)
    )
    found_rules = Rules(
        functions=types("functions"),
        body=types("body"),
        unwrap=types("unwrap"),
        skip=types("skip"),
        classes=types("classes"),
        names={str(k): tuple(v) for k, v in row.get("names", {}).items()},
        kept=tree_sitter.Query(found.language, kept) if kept else None,
        idioms=(
            tree_sitter.Query(found.language, "\n".join(i["query"] for i in idioms))
            if idioms
            else None
        ),
        markers=markers,
        returns=types("returns"),
        zeros=frozenset(str(z) for z in row.get("zeros", ())),
        indent=str(row.get("indent", "    ")),
    )
    BY_GRAMMAR[found.language] = found_rules
    return found_rules
