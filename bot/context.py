"""Repo context: the signatures and docstrings of what the code around a hole uses from other
files of the repository, found by following the file's imports (DESIGN.md section 1, prompt).

The model sees a definition's signature and docstring, never its body: that is what a person
reading the call would look up, and it keeps the budget for many definitions.
"""

from __future__ import annotations

import ast
import functools
import posixpath
import re
from collections.abc import Iterator

from bot.data import Hole, Snippet
from bot.languages import python
from bot.prompt import CHARS_PER_TOKEN
from bot.repo import RepoView

DEFAULT_BUDGET_TOKENS = 1500
_AROUND = 25  # lines either side of a hole at the top level whose names count as "used"
_CLASS_MEMBERS = 12  # method signatures shown per class, at most
_NAME_IN_TEXT = re.compile(r"\b([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?")


def snippets(
    hole: Hole, text: str, repo: RepoView | None, *, budget_tokens: int = DEFAULT_BUDGET_TOKENS
) -> tuple[Snippet, ...]:
    """Definitions from other files that the code around `hole` uses, within the budget."""
    if repo is None or budget_tokens <= 0 or hole.language != python.LANGUAGE:
        return ()
    tree = python.parse(text)
    if tree is None:
        return ()
    imports = _imports(text, hole.path)
    wanted: dict[tuple[str, str], None] = {}
    for name, attribute in _used(tree, hole):
        if name not in imports:
            continue
        module, imported = imports[name]
        if imported is None:  # `import a.b as c` ... `c.f`
            if attribute:
                wanted[(module, attribute)] = None
        else:  # `from a import b` ... `b` or `b.f` (b may be a module)
            wanted[(module, imported)] = None
            if attribute:
                wanted[(f"{module}/{imported}", attribute)] = None
    return _render(wanted, repo, hole.path, budget_tokens * CHARS_PER_TOKEN)


@functools.lru_cache(maxsize=64)
def _imports(text: str, path: str) -> dict[str, tuple[str, str | None]]:
    """Local name -> (module as a path stem, imported name or None for a whole module).

    Relative imports become stems relative to the repository root ("pkg/sub/mod"); absolute ones
    stay as written ("a/b") and are looked up by the end of their path.
    """
    found: dict[str, tuple[str, str | None]] = {}
    tree = python.parse(text)
    for node in _statements(tree.body) if tree else ():
        if isinstance(node, ast.Import):
            for alias in node.names:
                stem = alias.name.replace(".", "/")
                if alias.asname:
                    found[alias.asname] = (stem, None)
                else:  # `import a.b` binds `a`; `a.b.f` is too deep to follow here
                    found.setdefault(alias.name.split(".")[0], (stem.split("/")[0], None))
        elif isinstance(node, ast.ImportFrom):
            stem = (node.module or "").replace(".", "/")
            if node.level:
                package = posixpath.dirname(path)
                for _ in range(node.level - 1):
                    package = posixpath.dirname(package)
                stem = "./" + posixpath.join(package, stem) if stem else "./" + package
            for alias in node.names:
                if alias.name != "*":
                    found[alias.asname or alias.name] = (stem, alias.name)
    return found


def _used(tree: ast.Module, hole: Hole) -> list[tuple[str, str | None]]:
    """Names (and `name.attribute`s) used by the code around the hole, in order of appearance:
    the innermost function or class holding it, or the lines around a top-level hole."""
    around: ast.AST | None = None
    for statement in _statements(tree.body, holding=hole.start_line):
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            around = statement  # statements come outermost first: the last is the innermost
    if around is not None:
        nodes = list(ast.walk(around))
    else:
        low, high = hole.start_line - _AROUND, hole.end_line + _AROUND
        nodes = [
            n
            for statement in tree.body
            if low <= statement.lineno <= high
            and not isinstance(statement, ast.Import | ast.ImportFrom)
            for n in ast.walk(statement)
        ]
    used: dict[tuple[str, str | None], None] = {}
    for node in sorted(
        (n for n in nodes if isinstance(n, ast.Name | ast.Attribute)),
        key=lambda n: (n.lineno, n.col_offset),
    ):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            used[(node.value.id, node.attr)] = None
        elif isinstance(node, ast.Name):
            used[(node.id, None)] = None
    # The TODO's own words may name what to use: "call parse_header", "use tax.apply".
    for name, attribute in _NAME_IN_TEXT.findall(hole.instruction):
        used[(name, attribute or None)] = None
    return list(used)


def _statements(body: list[ast.stmt], *, holding: int | None = None) -> Iterator[ast.stmt]:
    """Every statement under `body`, outer ones first, never descending into expressions; with
    `holding`, only the statements whose lines hold that row."""
    for node in body:
        if holding is not None and not node.lineno <= holding <= (node.end_lineno or node.lineno):
            continue
        yield node
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(node, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                yield from _statements(inner, holding=holding)
        for item in [*getattr(node, "handlers", ()), *getattr(node, "cases", ())]:
            yield from _statements(item.body, holding=holding)


def _render(
    wanted: dict[tuple[str, str], None], repo: RepoView, own: str, budget: int
) -> tuple[Snippet, ...]:
    by_path: dict[str, list[str]] = {}
    for stem, name in wanted:
        path = _module_path(stem, repo, own)
        if path is None or path == own:
            continue
        text = repo.texts([path]).get(path)
        definition = _definitions(text).get(name) if text else None
        if definition and definition not in by_path.get(path, []):
            by_path.setdefault(path, []).append(definition)
    snippets: list[Snippet] = []
    used = 0
    for path, definitions in by_path.items():
        kept: list[str] = []
        for definition in definitions:
            if used + len(definition) + len(path) + 20 > budget:
                break
            kept.append(definition)
            used += len(definition)
        if kept:
            snippets.append(Snippet(path=path, text="\n\n".join(kept) + "\n"))
            used += len(path) + 20
    return tuple(snippets)


def _module_path(stem: str, repo: RepoView, own: str) -> str | None:
    """The repository file of a module: `stem.py` or `stem/__init__.py`; an absolute stem may sit
    under any folder (a `src/` layout), the one nearest to the importing file wins."""
    if stem.startswith("./"):
        exact = posixpath.normpath(stem[2:])
        names = (f"{exact}.py", f"{exact}/__init__.py")
        found = [p for name in names for p in repo.named(posixpath.basename(name)) if p == name]
        return found[0] if found else None
    ends = (f"{stem}.py", f"{stem}/__init__.py")
    found = [
        p
        for end in ends
        for p in repo.named(posixpath.basename(end))
        if p == end or p.endswith("/" + end)
    ]
    if not found:
        return None
    own_dir = posixpath.dirname(own)
    return min(found, key=lambda p: (len(posixpath.relpath(p, own_dir or ".")), p))


@functools.lru_cache(maxsize=64)
def _definitions(text: str) -> dict[str, str]:
    """Every top-level def and class of a module, as a stub: signature and docstring."""
    tree = python.parse(text)
    if tree is None:
        return {}
    lines = text.split("\n")
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found[node.name] = _signature(node, lines, "")
        elif isinstance(node, ast.ClassDef):
            found[node.name] = _class(node, lines)
    return found


def _signature(
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, lines: list[str], indent: str
) -> str:
    first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
    body = node.body[0]
    if body.lineno == node.lineno:  # `def f(): ...` on one line
        line = lines[node.lineno - 1]
        head = line.encode()[: body.col_offset].decode(errors="ignore").rstrip()
        header = [*lines[first - 1 : node.lineno - 1], head]
    else:
        header = lines[first - 1 : body.lineno - 1]
        while header and not header[-1].rstrip().endswith(":"):
            header.pop()  # comments between the signature and the body
    inner = indent + "    "
    parts = [line.rstrip("\r") for line in header]
    docstring = ast.get_docstring(node, clean=False)
    if docstring is not None and isinstance(body, ast.Expr):
        parts += [
            line.rstrip("\r") for line in lines[body.lineno - 1 : body.end_lineno or body.lineno]
        ]
    if not isinstance(node, ast.ClassDef):
        parts.append(f"{inner}...")
    return "\n".join(parts)


def _class(node: ast.ClassDef, lines: list[str]) -> str:
    parts = [_signature(node, lines, "")]
    methods = [
        item
        for item in node.body
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
        and (not item.name.startswith("_") or item.name == "__init__")
    ]
    for method in methods[:_CLASS_MEMBERS]:
        indent = lines[method.lineno - 1][: method.col_offset]
        parts.append(_signature(method, lines, indent))
    if not methods:
        parts.append("    ...")
    return "\n\n".join(parts)
