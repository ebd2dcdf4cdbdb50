"""Python holes (DESIGN.md section 2), found with `tokenize` and `ast`, never with a regex over
raw lines: comments and strings are told apart by the tokenizer, statements by the parser."""

from __future__ import annotations

import ast
import bisect
import io
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
    # Line 1 is read without its BOM: tokenize and ast columns do not count it.
    source = file.text.removeprefix("\ufeff")
    lines = source.split("\n")
    if not _has_candidate(lines, file.added, tags):
        return []
    todo = _tag_pattern(tags)
    tokens = _tokens(source)
    tree = parse(source)
    functions = _functions(file, tree) if tree else []
    # A TODO above the body of a function meant to stay empty does not take that body in.
    kept_empty = {s.lineno for f, empty in functions if empty for s in f.body}
    stub_rows = {
        row: s
        for row, s in (_stub_statement_rows(tree) if tree else {}).items()
        if row not in kept_empty
    }
    todos = list(_todo_holes(file, lines, tokens.comments, todo, stub_rows))
    bom = file.text[: len(file.text) - len(source)]
    stubs = [
        hole
        for function, empty in functions
        if not empty
        and (hole := _function_hole(file, lines, function, tokens, todo, bom)) is not None
    ]
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
    if not alternatives:
        return re.compile(r"(?!)")  # no tags: no comment is a TODO
    return re.compile(
        rf"#+\s*(?P<tag>{alternatives})(?:\([^)]*\))?(?=[:\s]|$):?\s*(?P<text>.*)", re.IGNORECASE
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class _Tokens:
    comments: dict[int, _Comment]  # comments alone on their line, by row
    colons: list[tuple[int, int]]  # (row, col) of each colon outside brackets
    unit: str  # the file's indentation step


def _tokens(source: str) -> _Tokens:
    """What the tokenizer tells: comments, colons outside brackets, the indentation step.

    A tokenizer error ends the search where it happens: what came before still counts.
    """
    comments: dict[int, _Comment] = {}
    colons: list[tuple[int, int]] = []
    depth = 0
    # The indentation step, from INDENT tokens (block openers only, never the text of a string).
    levels = [""]
    steps: set[str] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT and not token.line[: token.start[1]].strip():
                row, col = token.start
                comments[row] = _Comment(row=row, col=col, text=token.string)
            elif token.type == tokenize.INDENT:
                if token.string.startswith(levels[-1]):
                    steps.add(token.string[len(levels[-1]) :])
                levels.append(token.string)
            elif token.type == tokenize.DEDENT:
                levels.pop()
            elif token.type == tokenize.OP:
                if token.string in "([{":
                    depth += 1
                elif token.string in ")]}":
                    depth = max(depth - 1, 0)
                elif token.string == ":" and depth == 0:
                    colons.append(token.start)
    except (tokenize.TokenError, SyntaxError):
        pass
    unit = "\t" if any(s.startswith("\t") for s in steps) else " " * min(map(len, steps), default=4)
    return _Tokens(comments=comments, colons=colons, unit=unit)


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


def _functions(
    file: SourceFile, tree: ast.Module
) -> list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, bool]]:
    """Every function, and whether it is meant to stay empty (so its stub body is no hole)."""
    classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    overrides: set[tuple[str, str]] = set()  # (base class name, method name)
    for cls in classes:
        names = {n.name for n in cls.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        for base in cls.bases:
            base_name = _last_name(base)
            if base_name:
                overrides.update((base_name, name) for name in names)
    owners: dict[int, ast.ClassDef] = {id(item): cls for cls in classes for item in cls.body}
    stub_file = file.path.endswith(".pyi")
    functions: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            owner = owners.get(id(node))
            overridden = owner is not None and (owner.name, node.name) in overrides
            functions.append((node, stub_file or overridden or _meant_empty(node, owner)))
    return functions


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
    tokens: _Tokens,
    todo: re.Pattern[str],
    bom: str,
) -> Hole | None:
    colons = tokens.colons
    row_of_colon = colons[bisect.bisect(colons, (function.lineno, function.col_offset))][0]
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
        # The suggestion replaces the whole line: a BOM on it is kept with the signature.
        head = (bom if start == 1 else "") + line[: _char_col(line, first.col_offset)].rstrip()
        indent = def_indent + tokens.unit
    else:
        start = (body[0].end_lineno or body[0].lineno) + 1 if docstring else row_of_colon + 1
        while start < first.lineno and not lines[start - 1].strip():
            start += 1  # blank lines before the body stay where they are
        head = ""
        line = lines[first.lineno - 1]
        indent = line[: _char_col(line, first.col_offset)]
    # The markers: the stub statements and the TODO comments, not any other comment.
    marker_rows = {s.lineno for s in statements} | {
        row
        for row in range(start, end + 1)
        if (comment := tokens.comments.get(row)) and todo.match(comment.text)
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


def _char_col(line: str, utf8_col: int) -> int:
    """ast columns count UTF-8 bytes; slicing needs characters."""
    return len(line.encode("utf-8")[:utf8_col].decode("utf-8", "ignore"))


def _contains(outer: Hole, inner: Hole) -> bool:
    return outer.start_line <= inner.start_line and inner.end_line <= outer.end_line
