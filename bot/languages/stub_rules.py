"""The stub rules of stub_rows.py, their tree-sitter queries compiled once per language."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.languages import grammar, stub_rows
from bot.languages.table import Language

if TYPE_CHECKING:
    import tree_sitter


@dataclass(frozen=True, slots=True)
class Rules:
    """One row of stub_rows.py, its queries compiled (stub_rows.py's header says what each is)."""

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
    row = stub_rows.ROWS.get(language.name)
    if row is None:
        return ()
    return tuple(str(w) for w in (*stub_rows.WORDS, *row.get("words", ())))


@functools.cache
def message() -> re.Pattern[str]:
    return re.compile(stub_rows.MESSAGE, re.IGNORECASE | re.DOTALL | re.VERBOSE)


@functools.cache
def rules(language: Language) -> Rules | None:
    row = stub_rows.ROWS.get(language.name)
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
