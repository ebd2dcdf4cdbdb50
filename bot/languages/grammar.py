"""tree-sitter, for the languages whose official grammar wheel is installed.

Grammars are imported on first use (DESIGN.md section 3a: `bot --version` loads none), and a
language whose wheel is missing falls back to the comment lexer: TODOs only, no stubs.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from bot.languages.table import Language

if TYPE_CHECKING:
    import tree_sitter


@functools.cache
def parser(language: Language) -> tree_sitter.Parser | None:
    """A parser for `language`, or None when its grammar is not installed."""
    if language.grammar is None:
        return None
    module_name, _, function = language.grammar.partition(":")
    try:
        import tree_sitter

        module = importlib.import_module(module_name)
        grammar = tree_sitter.Language(getattr(module, function)())
    except (ImportError, AttributeError, ValueError):  # not installed, or an ABI it can't read
        return None
    return tree_sitter.Parser(grammar)


def installed(language: Language) -> bool:
    return parser(language) is not None


@functools.lru_cache(maxsize=16)
def parse(language: Language, text: str) -> tree_sitter.Tree | None:
    """The tree of `text`, or None without a grammar. Trees are shared between the stages
    that ask for the same text (scan, then clean): never edit one."""
    found = parser(language)
    return found.parse(text.encode("utf-8", "surrogatepass")) if found else None


def errors(tree: tree_sitter.Tree) -> int:
    """How many ERROR and MISSING nodes the tree holds: what a fill may not add."""
    if not tree.root_node.has_error:
        return 0
    count = 0
    cursor = tree.walk()
    while True:
        node = cursor.node
        if node is not None and (node.is_error or node.is_missing):
            count += 1
        # Only subtrees that hold an error are worth entering.
        if node is not None and node.has_error and not node.is_error and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return count


def is_comment(node: tree_sitter.Node) -> bool:
    """Comment nodes, by the names grammars give them: comment, line_comment, block_comment."""
    return node.type.endswith("comment")


def comment_spans(tree: tree_sitter.Tree) -> list[tuple[int, int]]:
    """The byte spans of every comment node, in order (a comment inside another one, Rust's
    doc_comment in a line_comment, is part of it)."""
    import tree_sitter

    cursor = tree_sitter.QueryCursor(_comment_query(tree.language))
    found = cursor.captures(tree.root_node).get("comment", [])
    return sorted(
        (node.start_byte, node.end_byte)
        for node in found
        if node.parent is None or not is_comment(node.parent)
    )


@functools.cache
def _comment_query(language: tree_sitter.Language) -> tree_sitter.Query:
    """A query for the grammar's comment nodes: a query runs in C, a walk over every node of
    the tree in Python took longer than the parse."""
    import tree_sitter

    kinds = sorted(
        {
            kind
            for i in range(language.node_kind_count)
            if language.node_kind_is_named(i)
            and language.node_kind_is_visible(i)
            and (kind := language.node_kind_for_id(i)) is not None
            and kind.endswith("comment")
        }
    )
    pattern = "[" + " ".join(f"({k})" for k in kinds) + "] @comment"
    query: tree_sitter.Query = tree_sitter.Query(language, pattern)  # typed Any in its stubs
    return query


def qualified_name(
    node: tree_sitter.Node,
    *,
    functions: frozenset[str] | None = None,
    classes: frozenset[str] = frozenset(),
    names: Mapping[str, tuple[str, ...]] | None = None,
) -> str:
    """The qualified name of `node`'s place ("Class.method"): the names of the `functions`
    and `classes` around it, and its own when it is one. `names` gives the fields that hold a
    node type's name when it has no `name` field. Without `functions`, every node with a
    `name` field counts."""
    parts = []
    found: tree_sitter.Node | None = node
    while found is not None:
        if functions is None or found.type in functions or found.type in classes:
            name = _name(found, functions, names or {})
            if name:
                parts.append(name)
        found = found.parent
    return ".".join(reversed(parts))


def text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


def _name(
    node: tree_sitter.Node,
    functions: frozenset[str] | None,
    names: Mapping[str, tuple[str, ...]],
) -> str:
    parts = [_identifier(c) for c in _fields(node, names.get(node.type, ("name",)))]
    if not any(parts) and functions and node.type in functions and node.parent is not None:
        # An unnamed function takes the name it is given: `const f = () => {...}`, `k: function`.
        given = _fields(node.parent, ("name", "key", "declarator", "pattern", "left"))
        parts = [_identifier(c) for c in given if _named_like(c)][:1]
    return ".".join(p for p in parts if p)


def _fields(node: tree_sitter.Node, fields: Iterable[str]) -> list[tree_sitter.Node]:
    return [c for f in fields if (c := node.child_by_field_name(f)) is not None]


def _identifier(node: tree_sitter.Node) -> str:
    """The name a field holds: an identifier, the end of a C declarator chain (`*f(void)`), or
    the first type named in it (a Go receiver `(s *S)`, a Rust `impl<T> Foo<T>`)."""
    while (inner := node.child_by_field_name("declarator")) is not None:
        node = inner
    if not _named_like(node):
        found = _first(node, "type_identifier") or _first(node, "identifier")
        if found is None:
            return text(node) if not node.named_child_count else ""
        node = found
    return text(node).replace("::", ".").replace("\\", ".").strip(".")


def _named_like(node: tree_sitter.Node) -> bool:
    return node.type.endswith(("identifier", "name", "constant")) or not node.named_child_count


def _first(node: tree_sitter.Node, node_type: str) -> tree_sitter.Node | None:
    for child in node.named_children:
        if child.type == node_type:
            return child
        found = _first(child, node_type)
        if found is not None:
            return found
    return None
