"""Reading Python for the scanner: one walk over a module's statements, and its comments.

Speed matters here (DESIGN.md section 3a: within 1.5 x of `ast.parse`), so a module that parses
is read with one walk over its statements, never over its expressions, and without tokenizing
the whole file: a line that starts with "#" outside every multi-line statement can only be a
comment, and the few lines inside one (a "#" in a triple-quoted string, say) are settled by
tokenizing that statement alone. A module that does not parse is tokenized whole.
"""

from __future__ import annotations

import ast
import bisect
import functools
import io
import re
import textwrap
import tokenize
import warnings
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Comment:
    row: int
    col: int
    text: str  # with the leading "#"


@functools.lru_cache(maxsize=16)
def parse(source: str) -> ast.Module | None:
    """The module's tree, or None when it is not valid Python. Trees are shared between the
    stages that ask for the same text (scan, then prompt context): never change one."""
    try:
        with warnings.catch_warnings():
            # The file's own SyntaxWarnings (an invalid escape like "\d", `1if x`) are its
            # author's business, not lines for our stderr (Python 3.12+ shows them).
            warnings.simplefilter("ignore")
            return ast.parse(source.removeprefix("\ufeff"))
    except (SyntaxError, ValueError):  # ValueError: NUL bytes
        return None


def parses_as_block(code: str) -> bool:
    """Whether `code`, dedented, is a valid block of statements (for files that did not parse)."""
    return parse(textwrap.dedent(code)) is not None


# A statement list still to walk: its statements, their class (for methods), the enclosing
# indentation, and the qualified-name prefix of the enclosing definitions.
_Pending = tuple[list[ast.stmt], ast.ClassDef | None, str, str]


class Statements:
    """One walk over a module's statements (never its expressions): functions and their
    classes, stub statements, the spans of multi-line statements, the indentation step."""

    def __init__(self, tree: ast.Module, lines: list[str]) -> None:
        self.functions: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.ClassDef | None]]
        self.functions = []
        self.classes: list[ast.ClassDef] = []
        self.stubs: dict[int, ast.stmt] = {}  # stub statements by first row
        self.spans: list[tuple[int, int]] = []  # multi-line statements and headers, disjoint
        # Functions whose empty body is their behaviour: a fallback defined in one branch of an
        # `if` or `try` whose other branch defines the same name (a platform or import
        # fallback), and a nested function its enclosing function passes on as a value.
        self.no_ops: set[int] = set()  # ids of such function nodes
        self.scopes: list[tuple[int, int, str]] = []  # each def and class: rows, qualified name
        self._nesting: _Nesting | None = None  # built on the first scope_of
        steps: set[str] = set()
        pending: list[_Pending] = [(tree.body, None, "", "")]
        while pending:
            body, owner, outer, prefix = pending.pop()
            indent = _leading(lines[body[0].lineno - 1]) if body else outer
            if indent.startswith(outer) and len(indent) > len(outer):
                steps.add(indent[len(outer) :])
            for node in body:
                self._visit(node, owner, indent, prefix, pending)
        self.spans.sort()
        self._starts = [start for start, _ in self.spans]
        if any(step.startswith("\t") for step in steps):
            self.unit = "\t"
        else:
            self.unit = " " * min(map(len, steps), default=4)

    def _visit(
        self,
        node: ast.stmt,
        owner: ast.ClassDef | None,
        indent: str,
        prefix: str,
        pending: list[_Pending],
    ) -> None:
        end = node.end_lineno or node.lineno
        blocks = _blocks(node)
        if not blocks:  # a simple statement
            if stub_idiom(node) is not None:
                self.stubs[node.lineno] = node
            if end > node.lineno:
                self.spans.append((node.lineno, end))
            return
        # A compound statement: its header runs to the row before its first block.
        self.spans.append((node.lineno, blocks[0][0].lineno - 1))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for decorator in node.decorator_list:
                self.spans.append((decorator.lineno, decorator.end_lineno or decorator.lineno))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            self.functions.append((node, owner))
            self.no_ops.update(id(f) for f in _passed_on(node))
        elif isinstance(node, ast.If | ast.Try):
            self.no_ops.update(id(f) for f in _fallbacks(node))
        inner = node if isinstance(node, ast.ClassDef) else None
        if inner is not None:
            self.classes.append(inner)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            prefix = f"{prefix}{node.name}."
            self.scopes.append((node.lineno, end, prefix[:-1]))
        for block in blocks:
            pending.append((block, inner, indent, prefix))

    def scope_of(self, row: int) -> str:
        """The qualified name of the innermost def or class holding `row` ("" at the top)."""
        if self._nesting is None:
            self._nesting = _Nesting(self.scopes)
        return self._nesting.innermost(row)

    def inside(self, row: int) -> tuple[int, int] | None:
        """The multi-line statement or header whose later rows include `row`, if any."""
        i = bisect.bisect_left(self._starts, row) - 1
        if i >= 0:
            start, end = self.spans[i]
            if start < row <= end:
                return start, end
        return None


class _Nesting:
    """Scopes (start, end, name) that nest like blocks: the innermost one holding a row, by a
    bisection and a walk out through its parents (never over its siblings)."""

    def __init__(self, scopes: list[tuple[int, int, str]]) -> None:
        self._scopes = sorted(scopes, key=lambda s: (s[0], -s[1]))
        self._starts = [start for start, _, _ in self._scopes]
        self._parents: list[int] = []
        open_: list[int] = []
        for index, (start, _, _) in enumerate(self._scopes):
            while open_ and self._scopes[open_[-1]][1] < start:
                open_.pop()
            self._parents.append(open_[-1] if open_ else -1)
            open_.append(index)

    def innermost(self, row: int) -> str:
        index = bisect.bisect_right(self._starts, row) - 1
        while index >= 0 and self._scopes[index][1] < row:
            index = self._parents[index]
        return self._scopes[index][2] if index >= 0 else ""


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _branches(node: ast.If | ast.Try) -> list[list[ast.stmt]]:
    """The alternative statement lists of an `if`/`elif`/`else` chain or a `try`."""
    if isinstance(node, ast.Try):
        return [node.body, *(h.body for h in node.handlers), node.orelse]
    if len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If):
        return [node.body, *_branches(node.orelse[0])]
    return [node.body, node.orelse]


def _defined_names(block: list[ast.stmt]) -> set[str]:
    names: set[str] = set()
    for node in block:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def _fallbacks(node: ast.If | ast.Try) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Functions of one branch whose name another branch also defines."""
    branches = _branches(node)
    if not any(isinstance(item, _FUNCTIONS) for block in branches for item in block):
        return  # most `if`s and `try`s define no function: nothing to compare
    defined = [_defined_names(block) for block in branches]
    for i, block in enumerate(branches):
        elsewhere = set().union(*(names for j, names in enumerate(defined) if j != i))
        for item in block:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name in elsewhere:
                yield item


def _passed_on(
    function: ast.FunctionDef | ast.AsyncFunctionDef,
) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Functions nested directly in `function` that it hands to a call as an argument: callbacks
    (`walk(onerror=onerror)`), whose empty body is what the caller wants."""
    nested = {
        n.name: n for n in function.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    if not nested:
        return
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        for argument in [*node.args, *(k.value for k in node.keywords)]:
            if isinstance(argument, ast.Name) and argument.id in nested:
                yield nested.pop(argument.id)
                if not nested:
                    return


# The statements that hold blocks of statements (TryStar: Python 3.11+); all others are simple.
_COMPOUND = tuple(
    getattr(ast, name)
    for name in (
        *("FunctionDef", "AsyncFunctionDef", "ClassDef", "If", "For", "AsyncFor", "While"),
        *("With", "AsyncWith", "Try", "TryStar", "Match"),
    )
    if hasattr(ast, name)
)


def _blocks(node: ast.stmt) -> list[list[ast.stmt]]:
    """The statement lists under a compound statement, in source order."""
    if not isinstance(node, _COMPOUND):  # most statements: no need to look for blocks
        return []
    blocks: list[list[ast.stmt]] = []
    for field in ("body", "handlers", "orelse", "finalbody", "cases"):
        value = getattr(node, field, None)
        if not value or not isinstance(value, list):
            continue
        if field in ("handlers", "cases"):
            blocks += [item.body for item in value if item.body]
        elif isinstance(value[0], ast.stmt):
            blocks.append(value)
    return blocks


def _leading(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def comments(source: str, lines: list[str], module: Statements | None) -> dict[int, Comment]:
    """Comments alone on their line, by row (`lines` is `source` split at "\\n")."""
    if module is None:
        return _tokenized_comments(source, first_row=1)
    comments: dict[int, Comment] = {}
    settled: dict[tuple[int, int], dict[int, Comment] | None] = {}
    row, counted = 1, 0
    for match in _COMMENT_LINE.finditer(source):
        row += source.count("\n", counted, match.start())
        counted = match.start()
        line = lines[row - 1]
        stripped = line.lstrip(" \t\f")
        span = module.inside(row)
        if span is not None and span not in settled:  # inside a multi-line statement
            text = "\n".join(lines[span[0] - 1 : span[1]]) + "\n"
            # The tokenizer is slow, and most spans are calls and literals: only where a
            # string may span lines can a "#" line be no comment.
            if _may_span_lines(text):
                settled[span] = _tokenized_comments(text, first_row=span[0])
            else:
                settled[span] = None
        found = settled.get(span) if span is not None else None
        if found is None:
            col = len(line) - len(stripped)
            comments[row] = Comment(row=row, col=col, text=stripped.rstrip("\r"))
        elif row in found:
            comments[row] = found[row]
    return comments


_COMMENT_LINE = re.compile(r"^[ \t\f]*#", re.MULTILINE)


def _may_span_lines(text: str) -> bool:
    """Whether a string of `text` may span lines: a triple-quoted one, or a backslash at a
    line's end (a continued single-quoted string)."""
    return '"""' in text or "'''" in text or "\\\n" in text or "\\\r\n" in text


def _tokenized_comments(source: str, *, first_row: int) -> dict[int, Comment]:
    """Comments alone on their line, by the tokenizer; an error ends the search there."""
    comments: dict[int, Comment] = {}
    shift = first_row - 1
    for token in tokens(source):
        if token.type == tokenize.COMMENT and not token.line[: token.start[1]].strip():
            row, col = token.start
            comments[row + shift] = Comment(row=row + shift, col=col, text=token.string)
    return comments


def tokens(source: str) -> Iterator[tokenize.TokenInfo]:
    """The tokens of `source` up to its first error, which ends them quietly.

    A NUL character ends them too: it is an error for Python 3.12+ anyway, and some 3.12 and
    3.13 releases raise SystemError on one (https://github.com/python/cpython/issues/140576).
    """
    try:
        yield from tokenize.generate_tokens(io.StringIO(source.split("\0", 1)[0]).readline)
    except (tokenize.TokenError, SyntaxError):
        return


def stub_idiom(node: ast.stmt) -> str | None:
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
        if last_name(exc) == "NotImplementedError":
            return "NotImplementedError"
    return None


def last_name(node: ast.expr) -> str | None:
    """The last dotted name of `abc.ABC`, `Protocol[T]`, `typing.overload`, `f(...)`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):  # Protocol[T]
        return last_name(node.value)
    if isinstance(node, ast.Call):
        return last_name(node.func)
    return None


def is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )
