"""Python holes (DESIGN.md section 2): the rules. Reading the code (statements, comments,
strings) is `python_syntax`'s job, with `ast` and `tokenize`, never a regex over raw lines."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import replace

from bot.data import Hole, SourceFile
from bot.languages import STUB_KINDS
from bot.languages.holes import merge, tag_pattern
from bot.languages.python_syntax import (
    Comment,
    Statements,
    comments,
    is_docstring,
    last_name,
    parse,
    parses_as_block,
    stub_idiom,
)
from bot.text import added_text, char_column

__all__ = [
    "LANGUAGE",
    "STUB_KINDS",
    "find_holes",
    "has_candidate",
    "last_name",
    "parse",
    "parses_as_block",
]

LANGUAGE = "python"

# Decorators that mark a function as meant to stay empty, by their last dotted name.
_EMPTY_ON_PURPOSE = frozenset(
    {
        "abstractmethod",
        "abstractproperty",
        "abstractclassmethod",
        "abstractstaticmethod",
        "overload",
    }
)
# Methods whose empty body is already a complete implementation of their protocol: an
# `__exit__` that returns None lets the exception through, which is what an empty one means.
_COMPLETE_WHEN_EMPTY = frozenset({"__exit__", "__aexit__"})
# Bases and metaclasses whose methods are interfaces, not unfinished code.
_INTERFACE_BASES = frozenset({"ABC", "Protocol"})
_INTERFACE_METACLASSES = frozenset({"ABCMeta"})
_LONE_CR = re.compile(r"\r(?!\n)")


def find_holes(
    file: SourceFile,
    tags: tuple[str, ...],
    overridden: Callable[[str, str], bool] | None = None,
    stub_kinds: tuple[str, ...] = STUB_KINDS,
) -> list[Hole]:
    """The holes of one Python file whose marker sits on an added line.

    `overridden(cls, method)` says whether a subclass elsewhere in the repository overrides
    `cls.method`; such a method is a hook, not a hole. Only the stub statements named in
    `stub_kinds` make a stub; a TODO above another one is a `todo` that leaves it in place.
    """
    # Line 1 is read without its BOM: tokenize and ast columns do not count it. A "\r" alone
    # ends a line for Python but not for git, whose lines holes count: read it as a space.
    source = _LONE_CR.sub(" ", file.text.removeprefix("\ufeff"))
    lines = source.split("\n")
    if not _holds_candidate(added_text(source, lines, file.added), tags):
        return []
    todo = tag_pattern(tags, "#")
    tree = parse(source)
    module = Statements(tree, lines) if tree else None
    found = comments(source, lines, module)
    functions = _functions(file, module, overridden) if module else []
    # A TODO above the body of a function meant to stay empty does not take that body in.
    kept_empty = {s.lineno for f, empty in functions if empty for s in f.body}
    stub_rows = {
        row: s
        for row, s in (module.stubs if module else {}).items()
        if row not in kept_empty and stub_idiom(s) in stub_kinds
    }
    todos = list(_todo_holes(file, lines, found, todo, stub_rows))
    bom = file.text[: len(file.text) - len(source)]
    unit = module.unit if module else "    "
    stubs = [
        hole
        for function, empty in functions
        if not empty
        and (hole := _function_hole(file, lines, function, found, todo, unit, bom, stub_kinds))
        is not None
    ]
    holes = merge(stubs, todos)
    if module is not None:  # (replace only where the scope is not the default: it is slow)
        scopes = [module.scope_of(h.start_line) for h in holes]
        holes = [
            h if h.scope == s else replace(h, scope=s) for h, s in zip(holes, scopes, strict=True)
        ]
    return sorted(holes, key=lambda h: h.start_line)


def has_candidate(lines: list[str], tags: tuple[str, ...]) -> bool:
    """Whether any of `lines` holds a tag or a stub word: worth parsing the file for."""
    return _holds_candidate("\n".join(lines), tags)


def _holds_candidate(text: str, tags: tuple[str, ...]) -> bool:
    # STUB_KINDS are also the cheap text test before any parsing; searched in one string,
    # since no marker spans a line break.
    if any(word in text for word in STUB_KINDS):
        return True
    folded = text.casefold()
    return any(t.casefold() in folded for t in tags)


def _todo_holes(
    file: SourceFile,
    lines: list[str],
    comments: dict[int, Comment],
    todo: re.Pattern[str],
    stub_rows: dict[int, ast.stmt],
) -> Iterator[Hole]:
    for row, comment in comments.items():
        match = todo.match(comment.text)
        if not match or row not in file.added:
            continue
        texts = [match["text"].strip()]
        end = row
        while (
            (below := comments.get(end + 1))
            and below.col == comment.col
            and not todo.match(below.text)
        ):
            end += 1
            texts.append(below.text.lstrip("#").strip())
        kind: str = "todo"
        stub = stub_rows.get(end + 1)
        if stub is not None and stub.col_offset == comment.col:
            end = stub.end_lineno or stub.lineno
            kind = "stub"
        yield Hole(
            path=file.path,
            start_line=row,
            end_line=end,
            kind="stub" if kind == "stub" else "todo",
            marker=match["tag"].upper(),
            language=LANGUAGE,
            indent=lines[row - 1][: comment.col],
            instruction=" ".join(t for t in texts if t),
        )


def _functions(
    file: SourceFile,
    module: Statements,
    overridden: Callable[[str, str], bool] | None,
) -> list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, bool]]:
    """Every function, and whether it is meant to stay empty (so its stub body is no hole)."""
    overrides: set[tuple[str, str]] = set()  # (base class name, method name) in this file
    for cls in module.classes:
        names = {n.name for n in cls.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        for base in cls.bases:
            base_name = last_name(base)
            if base_name:
                overrides.update((base_name, name) for name in names)
    stub_file = file.path.lower().endswith(".pyi")
    hooks: dict[int, set[str]] = {}
    functions: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, bool]] = []
    for node, owner in sorted(module.functions, key=lambda f: f[0].lineno):
        empty = stub_file or id(node) in module.no_ops or _meant_empty(node, owner)
        if owner is not None and not empty and _is_stub_body(node):
            if id(owner) not in hooks:
                hooks[id(owner)] = _hooks(owner)
            empty = (
                (owner.name, node.name) in overrides
                or (node.name in hooks[id(owner)] and _is_empty_body(node))
                or bool(overridden and overridden(owner.name, node.name))
            )
        functions.append((node, empty))
    return functions


def _hooks(cls: ast.ClassDef) -> set[str]:
    """Methods the class calls on itself only as statements, never using what they return:
    an empty body (`pass`, `...`) is then a complete default, meant to be overridden."""
    as_statement: set[str] = set()
    for_value: set[str] = set()
    statements: set[int] = set()
    for node in ast.walk(cls):
        if isinstance(node, ast.Expr):
            value = node.value.value if isinstance(node.value, ast.Await) else node.value
            statements.add(id(value))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in ("self", "cls")
        ):
            (as_statement if id(node) in statements else for_value).add(node.func.attr)
    return as_statement - for_value


def _is_empty_body(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    body = function.body[1:] if is_docstring(function.body[0]) else function.body
    return all(stub_idiom(s) in ("pass", "...") for s in body)


def _is_stub_body(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    body = function.body[1:] if is_docstring(function.body[0]) else function.body
    return bool(body) and all(stub_idiom(s) is not None for s in body)


def _meant_empty(
    function: ast.FunctionDef | ast.AsyncFunctionDef, owner: ast.ClassDef | None
) -> bool:
    if any(last_name(d) in _EMPTY_ON_PURPOSE for d in function.decorator_list):
        return True
    if function.name in _COMPLETE_WHEN_EMPTY:
        return True
    if owner is None:
        return False
    if any(last_name(b) in _INTERFACE_BASES for b in owner.bases):
        return True
    return any(
        k.arg == "metaclass" and last_name(k.value) in _INTERFACE_METACLASSES
        for k in owner.keywords
    )


def _function_hole(
    file: SourceFile,
    lines: list[str],
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    comments: dict[int, Comment],
    todo: re.Pattern[str],
    unit: str,
    bom: str,
    stub_kinds: tuple[str, ...],
) -> Hole | None:
    body = list(function.body)
    docstring = is_docstring(body[0])
    statements = body[1:] if docstring else body
    if not statements:
        return None  # a docstring alone: documented as meant to stay empty
    idioms = [stub_idiom(s) for s in statements]
    if not all(idiom in stub_kinds for idiom in idioms):
        return None
    first, last = statements[0], statements[-1]
    end = last.end_lineno or last.lineno
    signature_row = function.lineno  # the `def` line (decorators sit above it)
    def_line = lines[signature_row - 1]
    def_indent = def_line[: len(def_line) - len(def_line.lstrip())]
    line = lines[first.lineno - 1]
    before = line[: char_column(line, first.col_offset)]
    if before.strip():  # `def f(): ...`: the body shares the signature's line
        if docstring:
            return None
        start = first.lineno
        # The suggestion replaces the whole line: a BOM on it is kept with the signature.
        head = (bom if start == 1 else "") + before.rstrip()
        indent = def_indent + unit
    else:
        if docstring:
            start = (body[0].end_lineno or body[0].lineno) + 1
        else:  # back over the comments between the signature's colon and the body
            start = first.lineno
            while start - 1 > signature_row and (
                start - 1 in comments or not lines[start - 2].strip()
            ):
                start -= 1
        while start < first.lineno and not lines[start - 1].strip():
            start += 1  # blank lines before the body stay where they are
        head = ""
        indent = before
    # The markers: the stub statements and the TODO comments, not any other comment.
    marker_rows = {s.lineno for s in statements} | {
        row
        for row in range(start, end + 1)
        if (comment := comments.get(row)) and todo.match(comment.text)
    }
    if not marker_rows & file.added:
        return None
    return Hole(
        path=file.path,
        start_line=start,
        end_line=end,
        kind="stub",
        marker=str(idioms[0]),
        language=LANGUAGE,
        indent=indent,
        head=head,
    )
