"""Python holes (DESIGN.md section 2), found with `tokenize` and `ast`, never with a regex over
raw lines: comments and strings are told apart by the tokenizer, statements by the parser."""

from __future__ import annotations

import ast
import bisect
import io
import itertools
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass, replace

from bot.data import Hole, SourceFile

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
# Bases and metaclasses whose methods are interfaces, not unfinished code.
_INTERFACE_BASES = frozenset({"ABC", "Protocol"})
_INTERFACE_METACLASSES = frozenset({"ABCMeta"})
# Cheap text test before any parsing: a file whose added lines hold none of these has no hole.
_STUB_WORDS = ("pass", "...", "NotImplementedError")


@dataclass(frozen=True, slots=True, kw_only=True)
class _Comment:
    row: int
    col: int
    text: str  # with the leading "#"


def find_holes(file: SourceFile, tags: tuple[str, ...]) -> list[Hole]:
    """The holes of one Python file whose marker sits on an added line."""
    lines = file.text.split("\n")
    if not _has_candidate(lines, file.added, tags):
        return []
    source = file.text.removeprefix("\ufeff")
    todo = _tag_pattern(tags)
    comments, colons = _tokens(source)
    tree = parse(source)
    stub_rows = _stub_statement_rows(tree) if tree else {}
    todos = list(_todo_holes(file, lines, comments, todo, stub_rows))
    stubs = list(_stub_holes(file, lines, tree, comments, colons)) if tree else []
    holes = [_absorb(stub, [t for t in todos if _contains(stub, t)]) for stub in stubs]
    holes += [t for t in todos if not any(_contains(s, t) for s in stubs)]
    return sorted(holes, key=lambda h: h.start_line)


def _absorb(stub: Hole, todos: list[Hole]) -> Hole:
    """A stub whose body holds TODO comments: the first tag is its marker, their text its
    instruction."""
    if not todos:
        return stub
    instruction = " ".join(t.instruction for t in todos if t.instruction)
    return replace(stub, marker=todos[0].marker, instruction=instruction)


def parse(source: str) -> ast.Module | None:
    """The module's tree, or None when it is not valid Python."""
    try:
        return ast.parse(source.removeprefix("\ufeff"))
    except (SyntaxError, ValueError):  # ValueError: NUL bytes
        return None


def parses_as_block(code: str) -> bool:
    """Whether `code`, dedented, is a valid block of statements (for files that did not parse)."""
    import textwrap

    return parse(textwrap.dedent(code)) is not None


def _has_candidate(lines: list[str], added: frozenset[int], tags: tuple[str, ...]) -> bool:
    folded = tuple(t.casefold() for t in tags)
    for row in added:
        if 0 < row <= len(lines):
            line = lines[row - 1]
            if any(w in line for w in _STUB_WORDS) or any(t in line.casefold() for t in folded):
                return True
    return False


def _tag_pattern(tags: tuple[str, ...]) -> re.Pattern[str]:
    # "# TODO: x", "#todo x", "# FIXME", and the common "# TODO(owner): x".
    alternatives = "|".join(re.escape(t) for t in sorted(tags, key=len, reverse=True))
    return re.compile(
        rf"#+\s*(?P<tag>{alternatives})(?:\([^)]*\))?(?=[:\s]|$):?\s*(?P<text>.*)", re.IGNORECASE
    )


def _tokens(source: str) -> tuple[dict[int, _Comment], list[tuple[int, int]]]:
    """Comments alone on their line (by row), and the positions of colons outside brackets.

    A tokenizer error ends the search where it happens: what came before still counts.
    """
    comments: dict[int, _Comment] = {}
    colons: list[tuple[int, int]] = []
    depth = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT and not token.line[: token.start[1]].strip():
                row, col = token.start
                comments[row] = _Comment(row=row, col=col, text=token.string)
            elif token.type == tokenize.OP:
                if token.string in "([{":
                    depth += 1
                elif token.string in ")]}":
                    depth = max(depth - 1, 0)
                elif token.string == ":" and depth == 0:
                    colons.append(token.start)
    except (tokenize.TokenError, SyntaxError):
        pass
    return comments, colons


def _stub_idiom(node: ast.stmt) -> str | None:
    """The marker of a stub statement (`pass`, `...`, `raise NotImplementedError[(...)]`)."""
    if isinstance(node, ast.Pass):
        return "pass"
    if (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and node.value.value is Ellipsis
    ):
        return "..."
    if isinstance(node, ast.Raise) and node.exc is not None and node.cause is None:
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        if _last_name(exc) == "NotImplementedError":
            return "NotImplementedError"
    return None


def _last_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):  # Protocol[T]
        return _last_name(node.value)
    if isinstance(node, ast.Call):
        return _last_name(node.func)
    return None


def _stub_statement_rows(tree: ast.Module) -> dict[int, ast.stmt]:
    """Stub statements by their first row, wherever they stand."""
    return {
        node.lineno: node
        for node in ast.walk(tree)
        if isinstance(node, ast.stmt) and _stub_idiom(node) is not None
    }


def _todo_holes(
    file: SourceFile,
    lines: list[str],
    comments: dict[int, _Comment],
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


def _stub_holes(
    file: SourceFile,
    lines: list[str],
    tree: ast.Module,
    comments: dict[int, _Comment],
    colons: list[tuple[int, int]],
) -> Iterator[Hole]:
    if file.path.endswith(".pyi"):
        return
    unit = _indent_unit(lines)
    for function, owner, overridden in _functions(tree):
        if overridden or _meant_empty(function, owner):
            continue
        colon = colons[bisect.bisect(colons, (function.lineno, function.col_offset))]
        hole = _function_hole(file, lines, function, colon[0], comments, unit)
        if hole is not None:
            yield hole


def _functions(
    tree: ast.Module,
) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.ClassDef | None, bool]]:
    """Every function, with its class (if a method) and whether a subclass here overrides it."""
    classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    overrides: set[tuple[str, str]] = set()  # (base class name, method name)
    for cls in classes:
        names = {n.name for n in cls.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        for base in cls.bases:
            base_name = _last_name(base)
            if base_name:
                overrides.update((base_name, name) for name in names)
    owners: dict[int, ast.ClassDef] = {id(item): cls for cls in classes for item in cls.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            owner = owners.get(id(node))
            overridden = owner is not None and (owner.name, node.name) in overrides
            yield node, owner, overridden


def _meant_empty(
    function: ast.FunctionDef | ast.AsyncFunctionDef, owner: ast.ClassDef | None
) -> bool:
    if any(_last_name(d) in _EMPTY_ON_PURPOSE for d in function.decorator_list):
        return True
    if owner is None:
        return False
    if any(_last_name(b) in _INTERFACE_BASES for b in owner.bases):
        return True
    return any(
        k.arg == "metaclass" and _last_name(k.value) in _INTERFACE_METACLASSES
        for k in owner.keywords
    )


def _function_hole(
    file: SourceFile,
    lines: list[str],
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    row_of_colon: int,
    comments: dict[int, _Comment],
    unit: str,
) -> Hole | None:
    body = list(function.body)
    docstring = _is_docstring(body[0])
    statements = body[1:] if docstring else body
    if not statements:
        return None  # a docstring alone: documented as meant to stay empty
    idioms = [_stub_idiom(s) for s in statements]
    if None in idioms:
        return None
    first, last = statements[0], statements[-1]
    end = last.end_lineno or last.lineno
    signature_row = function.lineno  # the `def` line (decorators sit above it)
    def_line = lines[signature_row - 1]
    def_indent = def_line[: len(def_line) - len(def_line.lstrip())]
    if first.lineno == row_of_colon:  # `def f(): ...`: the body shares the signature's line
        if docstring:
            return None
        line = lines[first.lineno - 1]
        start = first.lineno
        head = line[: _char_col(line, first.col_offset)].rstrip()
        indent = def_indent + unit
    else:
        start = (body[0].end_lineno or body[0].lineno) + 1 if docstring else row_of_colon + 1
        while start < first.lineno and not lines[start - 1].strip():
            start += 1  # blank lines before the body stay where they are
        head = ""
        line = lines[first.lineno - 1]
        indent = line[: _char_col(line, first.col_offset)]
    marker_rows = {s.lineno for s in statements} | {
        row for row in range(start, end + 1) if row in comments
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


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _code_part(line: str) -> str:
    return line.split("#", 1)[0]


def _char_col(line: str, utf8_col: int) -> int:
    """ast columns count UTF-8 bytes; slicing needs characters."""
    return len(line.encode("utf-8")[:utf8_col].decode("utf-8", "ignore"))


def _indent_unit(lines: list[str]) -> str:
    """The file's indentation step: a tab, or the smallest indent under a block opener."""
    widths: list[int] = []
    for above, line in itertools.pairwise(lines):
        if _code_part(above).rstrip().endswith(":") and line.strip():
            indent = line[: len(line) - len(line.lstrip())]
            if indent.startswith("\t"):
                return "\t"
            above_width = len(above) - len(above.lstrip())
            if len(indent) > above_width:
                widths.append(len(indent) - above_width)
    return " " * min(widths) if widths else "    "


def _contains(outer: Hole, inner: Hole) -> bool:
    return outer.start_line <= inner.start_line and inner.end_line <= outer.end_line
