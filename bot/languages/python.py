"""Python holes (DESIGN.md section 2), found with `ast` and `tokenize`, never with a regex over
raw lines.

Speed matters here (DESIGN.md section 3a: within 1.5 x of `ast.parse`), so a file that parses is
read with one walk over its statements, never over its expressions, and without tokenizing the
whole file: a line that starts with "#" outside every multi-line statement can only be a
comment, and the few lines inside one (a "#" in a triple-quoted string, say) are settled by
tokenizing that statement alone. A file that does not parse is tokenized whole, for its TODOs.
"""

from __future__ import annotations

import ast
import bisect
import io
import re
import tokenize
from collections.abc import Callable, Iterator
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
# Methods whose empty body is already a complete implementation of their protocol: an
# `__exit__` that returns None lets the exception through, which is what an empty one means.
_COMPLETE_WHEN_EMPTY = frozenset({"__exit__", "__aexit__"})
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


def find_holes(
    file: SourceFile,
    tags: tuple[str, ...],
    overridden: Callable[[str, str], bool] | None = None,
) -> list[Hole]:
    """The holes of one Python file whose marker sits on an added line.

    `overridden(cls, method)` says whether a subclass elsewhere in the repository overrides
    `cls.method`; such a method is a hook, not a hole.
    """
    # Line 1 is read without its BOM: tokenize and ast columns do not count it.
    source = file.text.removeprefix("\ufeff")
    lines = source.split("\n")
    if not _has_candidate(lines, file.added, tags):
        return []
    todo = _tag_pattern(tags)
    tree = parse(source)
    module = _Statements(tree, lines) if tree else None
    comments = _comments(source, lines, module)
    functions = _functions(file, module, overridden) if module else []
    # A TODO above the body of a function meant to stay empty does not take that body in.
    kept_empty = {s.lineno for f, empty in functions if empty for s in f.body}
    stub_rows = {
        row: s for row, s in (module.stubs if module else {}).items() if row not in kept_empty
    }
    todos = list(_todo_holes(file, lines, comments, todo, stub_rows))
    bom = file.text[: len(file.text) - len(source)]
    unit = module.unit if module else "    "
    stubs = [
        hole
        for function, empty in functions
        if not empty
        and (hole := _function_hole(file, lines, function, comments, todo, unit, bom)) is not None
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


class _Statements:
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
        steps: set[str] = set()
        pending: list[tuple[list[ast.stmt], ast.ClassDef | None, str]] = [(tree.body, None, "")]
        while pending:
            body, owner, outer = pending.pop()
            indent = _leading(lines[body[0].lineno - 1]) if body else outer
            if indent.startswith(outer) and len(indent) > len(outer):
                steps.add(indent[len(outer) :])
            for node in body:
                self._visit(node, owner, indent, pending)
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
        pending: list[tuple[list[ast.stmt], ast.ClassDef | None, str]],
    ) -> None:
        end = node.end_lineno or node.lineno
        blocks = _blocks(node)
        if not blocks:  # a simple statement
            if _stub_idiom(node) is not None:
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
        for block in blocks:
            pending.append((block, inner, indent))

    def inside(self, row: int) -> tuple[int, int] | None:
        """The multi-line statement or header whose later rows include `row`, if any."""
        i = bisect.bisect_left(self._starts, row) - 1
        if i >= 0:
            start, end = self.spans[i]
            if start < row <= end:
                return start, end
        return None


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


def _blocks(node: ast.stmt) -> list[list[ast.stmt]]:
    """The statement lists under a compound statement, in source order."""
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


def _comments(source: str, lines: list[str], module: _Statements | None) -> dict[int, _Comment]:
    """Comments alone on their line, by row."""
    if module is None:
        return _tokenized_comments(source, first_row=1)
    comments: dict[int, _Comment] = {}
    settled: dict[tuple[int, int], dict[int, _Comment]] = {}
    for row, line in enumerate(lines, start=1):
        stripped = line.lstrip(" \t\f")
        if not stripped.startswith("#"):
            continue
        span = module.inside(row)
        if span is None:
            col = len(line) - len(stripped)
            comments[row] = _Comment(row=row, col=col, text=stripped.rstrip("\r"))
            continue
        if span not in settled:  # inside a multi-line statement: ask the tokenizer
            text = "\n".join(lines[span[0] - 1 : span[1]]) + "\n"
            settled[span] = _tokenized_comments(text, first_row=span[0])
        if row in settled[span]:
            comments[row] = settled[span][row]
    return comments


def _tokenized_comments(source: str, *, first_row: int) -> dict[int, _Comment]:
    """Comments alone on their line, by the tokenizer; an error ends the search there."""
    comments: dict[int, _Comment] = {}
    shift = first_row - 1
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT and not token.line[: token.start[1]].strip():
                row, col = token.start
                comments[row + shift] = _Comment(row=row + shift, col=col, text=token.string)
    except (tokenize.TokenError, SyntaxError):
        pass
    return comments


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
    file: SourceFile,
    module: _Statements,
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
    body = function.body[1:] if _is_docstring(function.body[0]) else function.body
    return all(_stub_idiom(s) in ("pass", "...") for s in body)


def _is_stub_body(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    body = function.body[1:] if _is_docstring(function.body[0]) else function.body
    return bool(body) and all(_stub_idiom(s) is not None for s in body)


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
    comments: dict[int, _Comment],
    todo: re.Pattern[str],
    unit: str,
    bom: str,
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
    line = lines[first.lineno - 1]
    before = line[: _char_col(line, first.col_offset)]
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
