"""Which methods are overridden by subclasses elsewhere in the repository.

A base-class method whose body is a stub and that a subclass overrides is a hook meant to be
empty, not unfinished code (DESIGN.md section 2). Finding subclasses means looking at every
Python file, so this reads lazily: one cheap pass over the files' class headers, then `ast` only
for the classes whose headers name the class asked about: their blocks alone, cut out by
indentation, or the whole file when a block does not parse alone.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections import defaultdict
from dataclasses import dataclass

from bot.languages.python_syntax import last_name
from bot.repo import RepoView

# A class header's bases, up to the first ")": a prefilter only; ast decides.
_CLASS_HEADER = re.compile(r"^[ \t]*class[ \t]+\w+[ \t]*\(([^)]*)\)", re.MULTILINE)
_WORD = re.compile(r"\w+")
_SUFFIXES = (".py", ".pyw")


class Overrides:
    """`overrides(cls, method)`: does a class that lists `cls` among its bases define `method`?"""

    def __init__(self, repo: RepoView | None) -> None:
        self._repo = repo
        self._files_naming: dict[str, set[str]] | None = None
        self._methods: dict[str, set[str]] = {}
        self._summaries: dict[tuple[str, str], list[_Class]] = {}

    def __call__(self, class_name: str, method: str) -> bool:
        if self._repo is None:
            return False
        if class_name not in self._methods:
            self._methods[class_name] = self._subclass_methods(self._repo, class_name)
        return method in self._methods[class_name]

    def _subclass_methods(self, repo: RepoView, class_name: str) -> set[str]:
        """The methods of every class that descends from `class_name`, at any depth."""
        if self._files_naming is None:
            self._files_naming = _index(repo)
        methods: set[str] = set()
        seen = {class_name}
        queue = [class_name]
        while queue:
            name = queue.pop()
            for path in sorted(self._files_naming.get(name, ())):
                for cls in self._classes(repo, path, name):
                    if name in cls.bases:
                        methods |= cls.methods
                        if cls.name not in seen:
                            seen.add(cls.name)
                            queue.append(cls.name)
        return methods

    def _classes(self, repo: RepoView, path: str, base: str) -> list[_Class]:
        """The classes of `path` whose headers name `base` among their bases."""
        if (path, base) not in self._summaries:
            text = repo.texts([path]).get(path)
            self._summaries[path, base] = _naming(text, base) if text is not None else []
        return self._summaries[path, base]


@dataclass(frozen=True, slots=True)
class _Class:
    name: str
    bases: frozenset[str]  # the last dotted name of each base
    methods: frozenset[str]


def _naming(text: str, base: str) -> list[_Class]:
    """The classes of a module whose headers name `base`: each block parsed alone when it can
    be (a file holds many classes; the one asked about is a few lines of it)."""
    classes: list[_Class] = []
    for header in _CLASS_HEADER.finditer(text):
        if base not in _WORD.findall(header[1]):
            continue
        # The block's own class comes first (nested ones have headers of their own).
        found = _summarize(textwrap.dedent(_block(text, header)))
        if not found:  # the block does not parse alone: a string at the margin inside it
            return [c for c in _summarize(text) if base in c.bases]
        classes.append(found[0])
    return classes


def _block(text: str, header: re.Match[str]) -> str:
    """The class statement that `header` begins: its lines up to the first one that holds code
    at the header's indentation or less."""
    indent = len(header[0]) - len(header[0].lstrip(" \t"))
    end = text.find("\n", header.end())
    while end != -1:
        line_end = text.find("\n", end + 1)
        line = text[end + 1 : len(text) if line_end == -1 else line_end]
        stripped = line.lstrip(" \t")
        if (
            stripped.strip()
            and not stripped.startswith("#")
            and len(line) - len(stripped) <= indent
        ):
            return text[header.start() : end + 1]
        end = line_end
    return text[header.start() :]


def _summarize(text: str) -> list[_Class]:
    """Every class of a module with its bases and methods, from a walk over statements only."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    classes: list[_Class] = []
    pending: list[list[ast.stmt]] = [tree.body]
    while pending:
        for node in pending.pop():
            if isinstance(node, ast.ClassDef):
                classes.append(
                    _Class(
                        name=node.name,
                        bases=frozenset(n for b in node.bases if (n := last_name(b))),
                        methods=frozenset(
                            item.name
                            for item in node.body
                            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                        ),
                    )
                )
            for field in ("body", "orelse", "finalbody"):
                block = getattr(node, field, None)
                if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                    pending.append(block)
            for handler in getattr(node, "handlers", ()):
                pending.append(handler.body)
    return classes


def _index(repo: RepoView) -> dict[str, set[str]]:
    """Every word that appears among some class's bases -> the files where it does."""
    naming: dict[str, set[str]] = defaultdict(set)
    paths = repo.paths(_SUFFIXES)
    for path, text in repo.texts(paths).items():
        for header in _CLASS_HEADER.finditer(text):
            for word in _WORD.findall(header[1]):
                naming[word].add(path)
    return naming
