"""Stubs found with tree-sitter, driven by stub_rows.py: functions whose body holds only stub
statements (and comments). The hole is the body's statements; braces, signature and doc
comments stay (DESIGN.md section 2; the rules are documented at the top of stub_rows.py)."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from bot.data import Hole, SourceFile
from bot.languages import grammar, stub_rules
from bot.languages.stub_rules import BY_GRAMMAR, Rules, message
from bot.languages.table import Language
from bot.text import char_column, indent_step

if TYPE_CHECKING:
    import tree_sitter

_QUOTES = "\"'`"
_QUOTE = re.compile("[\"'`]")
_TEMPLATE = re.compile(r"\{(\w+)\}")
_RETURN = "return"  # the marker of a zero `return` under a TODO


def find(
    file: SourceFile,
    language: Language,
    tree: tree_sitter.Tree,
    text: str,
    comment_rows: list[int],
    todo: re.Pattern[str],
) -> list[Hole]:
    """The stubs of `tree` (the file's `text` without its BOM) whose markers sit on added lines."""
    rules = stub_rules.rules(language)
    if rules is None:
        return []
    lines = text.split("\n")
    stubs = _stub_statements(tree, rules)
    todo_rows = sorted({r for row in comment_rows if (r := _todo_row(lines, row, todo))})
    # The functions worth a look: those around a stub statement, or (for a zero `return`)
    # around a TODO comment.
    around: list[tree_sitter.Node] = [node for _, node in stubs.values()]
    if rules.returns:
        around += [_node_at(tree, lines, row) for row in todo_rows]
    candidates: dict[int, tree_sitter.Node] = {}
    for node in around:
        function = _enclosing(node, rules.functions)
        if function is not None:
            candidates.setdefault(function.id, function)
    if not candidates:
        return []
    kept = _captured(rules.kept, tree, "kept") if rules.kept else set()
    holes: list[Hole] = []
    for function in sorted(candidates.values(), key=lambda f: f.start_byte):
        if function.id in kept:
            continue
        hole = _hole(file, language, text, lines, function, rules, stubs, todo_rows)
        # Two one-line bodies on one row (`{ a() { todo!() }, b() { todo!() } }`): each
        # suggestion would rewrite the whole row, so the first is the hole, the next one
        # a hole of the run after it.
        if hole is not None and not (holes and hole.start_line <= holes[-1].end_line):
            holes.append(hole)
    return holes


def scope_at(tree: tree_sitter.Tree, row: int) -> str:
    """The qualified name of the functions and classes around the start of `row` (1-based)."""
    node = tree.root_node.named_descendant_for_point_range((row - 1, 0), (row - 1, 0))
    return _scope(node, BY_GRAMMAR.get(tree.language)) if node is not None else ""


def _stub_statements(
    tree: tree_sitter.Tree, rules: Rules
) -> dict[int, tuple[str, tree_sitter.Node]]:
    """The idioms' statements, by the byte where they start: (marker, node)."""
    import tree_sitter

    found: dict[int, tuple[str, tree_sitter.Node]] = {}
    if rules.idioms is None:
        return found
    for pattern, captures in tree_sitter.QueryCursor(rules.idioms).matches(tree.root_node):
        stub = captures.get("stub")
        if not stub:
            continue
        if not all(_is_message(n) for n in captures.get("message", ())):
            continue
        if not all(_text(n) in rules.zeros for n in captures.get("zero", ())):
            continue
        marker = _fill(rules.markers[pattern], captures)
        found.setdefault(stub[0].start_byte, (marker, stub[0]))
    return found


def _fill(marker: str, captures: dict[str, list[tree_sitter.Node]]) -> str:
    """The marker, its "{name}" replaced by the text of the capture @name."""
    return _TEMPLATE.sub(lambda m: _text(captures[m[1]][0]), marker)


def _is_message(node: tree_sitter.Node) -> bool:
    inside = _inside_quotes(_text(node))
    return inside is not None and message().fullmatch(inside.strip()) is not None


def _inside_quotes(literal: str) -> str | None:
    """The text of a string literal inside its quotes, after any prefix (@"..." r"..." L"..."),
    or None without a quote. Not a regex `[^"'`]*["'`]+(.*?)["'`]*`: on a run of quotes
    inside the text its lazy group tried the run's rest at each quote (113 s on 200,000)."""
    first = _QUOTE.search(literal)
    return None if first is None else literal[first.start() :].strip(_QUOTES)


def _todo_row(lines: list[str], row: int, todo: re.Pattern[str]) -> int:
    """The row of the TODO that opens the comment starting on `row` ("/*" alone on its row:
    the first row with text), or 0 when it is no TODO or shares its row with code."""
    while row <= len(lines):
        text = lines[row - 1].strip().lstrip("/#*-;!").strip()
        if text:
            return row if todo.match(text) else 0
        row += 1
    return 0


def _node_at(tree: tree_sitter.Tree, lines: list[str], row: int) -> tree_sitter.Node:
    """The node where `row`'s text starts (a comment's row: the comment)."""
    line = lines[row - 1]
    column = len(line[: len(line) - len(line.lstrip())].encode("utf-8", "surrogatepass"))
    point = (row - 1, column)
    return tree.root_node.descendant_for_point_range(point, point) or tree.root_node


def _enclosing(node: tree_sitter.Node, types: frozenset[str]) -> tree_sitter.Node | None:
    found = node.parent
    while found is not None and found.type not in types:
        found = found.parent
    return found


def _captured(query: tree_sitter.Query, tree: tree_sitter.Tree, name: str) -> set[int]:
    import tree_sitter

    return {n.id for n in tree_sitter.QueryCursor(query).captures(tree.root_node).get(name, [])}


def _hole(
    file: SourceFile,
    language: Language,
    text: str,
    lines: list[str],
    function: tree_sitter.Node,
    rules: Rules,
    stubs: dict[int, tuple[str, tree_sitter.Node]],
    todo_rows: list[int],
) -> Hole | None:
    body = _body(function, rules)
    if body is None:
        return None  # a declaration: an interface member, an abstract method, a prototype
    statements = _statements(body, rules)
    if not statements:
        return None
    frame = _frame(body, function, rules)
    if frame is None:
        return None  # an expression body: `fun f() = TODO()`, `int F() => throw ...;`
    first, last = statements[0], statements[-1]
    opened = _opener(frame, first)
    closed = frame.children[-1]
    if opened is None or closed.is_missing:
        return None
    open_row, close_row = opened.end_point[0] + 1, closed.start_point[0] + 1
    markers = []
    for statement in statements:
        marker = _marker(statement, rules, stubs, open_row, todo_rows)
        if marker is None:
            return None
        markers.append(marker)
    inner_todo = {r for r in todo_rows if open_row <= r <= close_row}
    signature = lines[function.start_point[0]]
    signature_indent = signature[: len(signature) - len(signature.lstrip())]
    if open_row == close_row:  # `fn f() { todo!() }`: the whole line, rewritten
        line = lines[open_row - 1]
        head_end = char_column(line, opened.end_point[1])
        tail_start = char_column(line, closed.start_point[1])
        if line[head_end : char_column(line, first.start_point[1])].strip(" \t;"):
            return None  # a comment between the brace and the statement
        if open_row not in file.added:
            return None
        return Hole(
            path=file.path,
            start_line=open_row,
            end_line=open_row,
            kind="stub",
            marker=markers[0],
            language=language.name,
            indent=signature_indent + _unit(text, rules.indent),
            head=line[:head_end].rstrip(),
            tail=signature_indent + line[tail_start:].rstrip("\r"),
            scope=_scope(function, rules),
        )
    # The statements on rows of their own between the opener's row and the closer's.
    if first.start_point[0] + 1 == open_row or last.end_point[0] + 1 == close_row:
        return None  # `{ todo!()` or `todo!() }` sharing a row with a brace: left alone
    start, end = open_row + 1, close_row - 1
    while start < end and not lines[start - 1].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    # The markers: the idioms and the TODOs (a zero `return` is a stub only by its TODO).
    statement_rows = {
        s.start_point[0] + 1 for s, m in zip(statements, markers, strict=True) if m != _RETURN
    }
    if not (statement_rows | inner_todo) & file.added:
        return None
    first_line = lines[first.start_point[0]]
    return Hole(
        path=file.path,
        start_line=start,
        end_line=end,
        kind="stub",
        marker=markers[0],
        language=language.name,
        indent=first_line[: len(first_line) - len(first_line.lstrip())],
        scope=_scope(function, rules),
    )


def _body(function: tree_sitter.Node, rules: Rules) -> tree_sitter.Node | None:
    body = function.child_by_field_name("body")
    if body is not None:
        return body
    if function.type in rules.body:  # a Kotlin lambda: its braces are its body
        return function
    return next((c for c in function.named_children if c.type in rules.body), None)


def _statements(body: tree_sitter.Node, rules: Rules) -> list[tree_sitter.Node]:
    found = []
    for child in body.named_children:
        if grammar.is_comment(child) or child.type in rules.skip:
            continue
        if child.type in rules.unwrap:
            found.extend(_statements(child, rules))
        else:
            found.append(child)
    return found


def _frame(
    body: tree_sitter.Node, function: tree_sitter.Node, rules: Rules
) -> tree_sitter.Node | None:
    """The node whose first and last tokens open and close the body: its block in braces, or
    (Ruby) the function, from the signature to `end`."""
    block = body
    while block.children and block.children[0].type != "{":
        inner = next((c for c in block.named_children if c.type in rules.unwrap), None)
        if inner is None:
            break
        block = inner  # Kotlin's function_body holds the block
    if block.children and block.children[0].type == "{" and block.children[-1].type == "}":
        return block
    if function.children and function.children[-1].type == "end":
        return function
    return None


def _opener(frame: tree_sitter.Node, first: tree_sitter.Node) -> tree_sitter.Node | None:
    """The last token of `frame` before the first statement: "{", a lambda's "->", the end of
    a Ruby signature (its comments and a ";" are not)."""
    opener = None
    for child in frame.children:
        if child.end_byte > first.start_byte:
            break
        if not grammar.is_comment(child) and child.type != ";":
            opener = child
    return opener


def _marker(
    statement: tree_sitter.Node,
    rules: Rules,
    stubs: dict[int, tuple[str, tree_sitter.Node]],
    open_row: int,
    todo_rows: list[int],
) -> str | None:
    """The marker of a stub statement, or None when `statement` is not one."""
    found = stubs.get(statement.start_byte)
    if found is not None:
        # The idiom is the whole statement, but for the ";" that ends it.
        rest = (statement.text or b"")[found[1].end_byte - statement.start_byte :]
        if rest.strip() in (b"", b";"):
            return found[0]
    row = statement.start_point[0] + 1
    if (
        statement.type in rules.returns
        and any(open_row <= r < row for r in todo_rows)
        and all(_text(v) in rules.zeros for v in _statements(statement, rules))
    ):
        return _RETURN
    return None


def _scope(node: tree_sitter.Node, rules: Rules | None) -> str:
    if rules is None:
        return grammar.qualified_name(node)
    return grammar.qualified_name(
        node, functions=rules.functions, classes=rules.classes, names=rules.names
    )


def _text(node: tree_sitter.Node) -> str:
    return grammar.text(node)


@functools.lru_cache(maxsize=4)
def _unit(text: str, default: str) -> str:
    """The file's indentation step: a tab where most indented lines start with one, else
    `text.indent_step`'s spaces; `default` when no line is indented."""
    lines = text.split("\n")
    if sum(line.startswith("\t") for line in lines) > sum(line.startswith(" ") for line in lines):
        return "\t"
    step = indent_step(lines)
    return " " * step if step else default
