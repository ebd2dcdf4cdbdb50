"""Stubs found with tree-sitter, driven by stubs.yml: functions whose body holds only stub
statements (and comments). The hole is the body's statements; braces, signature and doc
comments stay (DESIGN.md section 2)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from bot.data import Hole, SourceFile
from bot.languages import grammar
from bot.languages.table import Language

if TYPE_CHECKING:
    import tree_sitter


@dataclass(frozen=True, slots=True)
class _Idiom:
    marker: str
    query: tree_sitter.Query
    after_todo: bool


@dataclass(frozen=True, slots=True)
class _Rules:
    functions: frozenset[str]
    unwrap: frozenset[str]
    words: tuple[str, ...]
    idioms: tuple[_Idiom, ...]


def words(language: Language) -> tuple[str, ...]:
    """Lower-case text that a stub of `language` holds (none when it has no stub rules)."""
    row = _table().get(language.name)
    return tuple(str(w) for w in row.get("words", ())) if row else ()


def find(
    file: SourceFile,
    language: Language,
    tree: tree_sitter.Tree,
    text: str,
    comment_rows: list[int],
    todo: re.Pattern[str],
) -> list[Hole]:
    """The stubs of `tree` (the file's `text` without its BOM) whose markers sit on added lines."""
    rules = _rules(language)
    if rules is None:
        return []
    lines = text.split("\n")
    # The stub statements found, by the byte where they start: (marker, after_todo, end byte).
    stubs: dict[int, tuple[str, bool, int]] = {}
    import tree_sitter

    for idiom in rules.idioms:
        for node in tree_sitter.QueryCursor(idiom.query).captures(tree.root_node).get("stub", []):
            stubs.setdefault(node.start_byte, (idiom.marker, idiom.after_todo, node.end_byte))
    if not stubs:
        return []
    todo_rows = {
        row
        for row in comment_rows
        if todo.search(lines[row - 1]) and _is_todo(lines[row - 1], todo)
    }
    holes = []
    for function in _functions(tree.root_node, rules.functions):
        hole = _hole(file, language, lines, function, rules, stubs, todo_rows)
        if hole is not None:
            holes.append(hole)
    return holes


def _is_todo(line: str, todo: re.Pattern[str]) -> bool:
    stripped = line.strip().lstrip("/#*-;!").strip()
    return todo.match(stripped) is not None


def _functions(root: tree_sitter.Node, types: frozenset[str]) -> list[tree_sitter.Node]:
    found = []
    cursor = root.walk()
    while True:
        node = cursor.node
        if node is not None and node.type in types:
            found.append(node)
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return found


def _hole(
    file: SourceFile,
    language: Language,
    lines: list[str],
    function: tree_sitter.Node,
    rules: _Rules,
    stubs: dict[int, tuple[str, bool, int]],
    todo_rows: set[int],
) -> Hole | None:
    body = function.child_by_field_name("body")
    if body is None:
        return None  # a declaration: an interface member, an abstract method, a prototype
    statements = _statements(body, rules.unwrap)
    if not statements:
        return None
    found = [stubs.get(s.start_byte) for s in statements]
    if not all(_spans(s, f) for s, f in zip(statements, found, strict=True)):
        return None
    opened, closed = _braces(body, function)
    if opened is None or closed is None:
        return None
    first, last = statements[0], statements[-1]
    open_row, close_row = opened.end_point[0] + 1, closed.start_point[0] + 1
    inner_todo = {r for r in todo_rows if open_row <= r <= close_row}
    if any(f is not None and f[1] for f in found) and not inner_todo:
        return None  # a `return 0` with no TODO above it is finished code
    marker = next(f[0] for f in found if f is not None)
    scope = _scope(function)
    if open_row == close_row:  # `fn f() { todo!() }`: the whole line, rewritten
        line = lines[open_row - 1]
        head_end = _char_col(line, opened.end_point[1])
        tail_start = _char_col(line, closed.start_point[1])
        if line[head_end : _char_col(line, first.start_point[1])].strip():
            return None
        indent = line[: len(line) - len(line.lstrip())]
        if open_row not in file.added:
            return None
        return Hole(
            path=file.path,
            start_line=open_row,
            end_line=open_row,
            kind="stub",
            marker=marker,
            language=language.name,
            indent=indent + _unit(lines),
            head=line[:head_end].rstrip(),
            tail=indent + line[tail_start:].rstrip("\r"),
            scope=scope,
        )
    # The statements on rows of their own between the opener's row and the closer's.
    if first.start_point[0] + 1 == open_row or last.end_point[0] + 1 == close_row:
        return None  # `{ todo!()` or `todo!() }` sharing a row with a brace: left alone
    start, end = open_row + 1, close_row - 1
    while start < end and not lines[start - 1].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    statement_rows = {s.start_point[0] + 1 for s in statements}
    if not (statement_rows | inner_todo) & file.added:
        return None
    first_line = lines[first.start_point[0]]
    return Hole(
        path=file.path,
        start_line=start,
        end_line=end,
        kind="stub",
        marker=marker,
        language=language.name,
        indent=first_line[: len(first_line) - len(first_line.lstrip())],
        scope=scope,
    )


def _statements(body: tree_sitter.Node, unwrap: frozenset[str]) -> list[tree_sitter.Node]:
    found = []
    for child in body.named_children:
        if grammar.is_comment(child):
            continue
        if child.type in unwrap:
            found.extend(_statements(child, unwrap))
        else:
            found.append(child)
    return found


def _spans(statement: tree_sitter.Node, found: tuple[str, bool, int] | None) -> bool:
    """Whether the idiom found where `statement` starts is the whole statement, but for the
    ";" that ends it."""
    if found is None:
        return False
    rest = (statement.text or b"")[found[2] - statement.start_byte :]
    return rest.strip() in (b"", b";")


def _braces(
    body: tree_sitter.Node, function: tree_sitter.Node
) -> tuple[tree_sitter.Node | None, tree_sitter.Node | None]:
    """The tokens that open and close the body: its braces, or (Ruby) the end of the
    signature and the `end` keyword."""
    block = body
    while block.child_count and block.children[0].type != "{" and block.named_child_count == 1:
        block = block.named_children[0]  # Kotlin's function_body holds the block
    children = block.children
    if children and children[0].type == "{" and children[-1].type == "}":
        return children[0], children[-1]
    tokens = function.children
    closer = tokens[-1] if tokens and tokens[-1].type == "end" else None
    index = tokens.index(body) if body in tokens else -1
    opener = tokens[index - 1] if index > 0 else None
    return opener, closer


def scope_at(tree: tree_sitter.Tree, row: int) -> str:
    """The qualified name of the functions and classes around the start of `row` (1-based)."""
    node = tree.root_node.named_descendant_for_point_range((row - 1, 0), (row - 1, 0))
    return _scope(node) if node is not None else ""


def _scope(function: tree_sitter.Node) -> str:
    """The qualified name of the function: the names of its enclosing classes and functions."""
    names = []
    node: tree_sitter.Node | None = function
    while node is not None:
        name = node.child_by_field_name("name")
        if name is not None and name.text is not None:
            names.append(name.text.decode("utf-8", "replace"))
        node = node.parent
    return ".".join(reversed(names))


def _unit(lines: list[str]) -> str:
    """The file's indentation step: a tab, or the most common step from a line to the next
    (a block comment's " *" rows are too rare to win)."""
    if sum(line.startswith("\t") for line in lines) > sum(line.startswith(" ") for line in lines):
        return "\t"
    steps: dict[int, int] = {}
    previous = 0
    for line in lines:
        if line.strip():
            width = len(line) - len(line.lstrip(" "))
            if width > previous:
                steps[width - previous] = steps.get(width - previous, 0) + 1
            previous = width
    return " " * max(steps, key=lambda s: (steps[s], -s), default=4)


def _char_col(line: str, byte_col: int) -> int:
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", "ignore"))


@functools.cache
def _table() -> dict[str, dict[str, Any]]:
    text = resources.files("bot.languages").joinpath("stubs.yml").read_text("utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    table: dict[str, dict[str, Any]] = yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)
    return table


@functools.cache
def _rules(language: Language) -> _Rules | None:
    row = _table().get(language.name)
    found = grammar.parser(language)
    if row is None or found is None or found.language is None:
        return None
    import tree_sitter

    idioms = tuple(
        _Idiom(str(i["marker"]), tree_sitter.Query(found.language, i["query"]), after)
        for key, after in (("idioms", False), ("after_todo", True))
        for i in row.get(key, ())
    )
    return _Rules(
        functions=frozenset(row.get("functions", ())),
        unwrap=frozenset(row.get("unwrap", ())),
        words=tuple(str(w) for w in row.get("words", ())),
        idioms=idioms,
    )
