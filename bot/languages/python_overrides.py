"""Which methods are overridden by subclasses elsewhere in the repository.

A base-class method whose body is a stub and that a subclass overrides is a hook meant to be
empty, not unfinished code (DESIGN.md section 2). Finding subclasses means looking at every
Python file, so this reads lazily: one cheap pass over the files' class headers, then `ast` only
for the few files whose headers name the class asked about.
"""

from __future__ import annotations

import ast
import re
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
        self._summaries: dict[str, list[_Class]] = {}

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
                for cls in self._classes(repo, path):
                    if name in cls.bases:
                        methods |= cls.methods
                        if cls.name not in seen:
                            seen.add(cls.name)
                            queue.append(cls.name)
        return methods

    def _classes(self, repo: RepoView, path: str) -> list[_Class]:
        if path not in self._summaries:
            text = repo.texts([path]).get(path)
            self._summaries[path] = _summarize(text) if text is not None else []
        return self._summaries[path]


@dataclass(frozen=True, slots=True)
class _Class:
    name: str
    bases: frozenset[str]  # the last dotted name of each base
    methods: frozenset[str]


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
