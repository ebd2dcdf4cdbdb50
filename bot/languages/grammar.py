"""tree-sitter, for the languages whose official grammar wheel is installed.

Grammars are imported on first use (DESIGN.md section 3a: `bot --version` loads none), and a
language whose wheel is missing falls back to the comment lexer: TODOs only, no stubs.
"""

from __future__ import annotations

import functools
import importlib
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
    """The byte spans of every comment node, in order."""
    spans: list[tuple[int, int]] = []
    cursor = tree.walk()
    while True:
        node = cursor.node
        entered = False
        if node is not None:
            if is_comment(node):
                spans.append((node.start_byte, node.end_byte))
            else:
                entered = cursor.goto_first_child()
        if entered:
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return spans
