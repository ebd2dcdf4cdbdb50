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
from collections.abc import Iterator
from dataclasses import dataclass

from bot.languages.python_syntax import last_name
from bot.repo import RepoView

# A class header up to its "(": its bases run to the first ")" (a prefilter only; ast decides).
_CLASS_HEADER = re.compile(r"^[ \t]*class[ \t]+\w+[ \t]*\(", re.MULTILINE)
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
    for start, end, bases in _headers(text):
        if base not in _WORD.findall(bases):
            continue
        # The block's own class comes first (nested ones have headers of their own).
        found = _summarize(textwrap.dedent(_block(text, start, end)))
        if not found:  # the block does not parse alone: a string at the margin inside it
            return [c for c in _summarize(text) if base in c.bases]
        classes.append(found[0])
    return classes


def _headers(text: str) -> Iterator[tuple[int, int, str]]:
    """Each class header's start, end (past the ")" of its bases) and bases, as a regex that
    went on to the ")" would find them, but in linear time: that regex read the rest of the
    text from each header that has no ")" after it (105 s on 60,000 lines `class A(`). The
    first such header ends the search here, as no header after it has one either."""
    position = 0
    while (header := _CLASS_HEADER.search(text, position)) is not None:
        close = text.find(")", header.end())
        if close == -1:
            return
        yield header.start(), close + 1, text[header.end() : close]
        position = close + 1


def _block(text: str, start: int, header_end: int) -> str:
    """The class statement whose header spans `start` to `header_end`: its lines up to the
    first one that holds code at the header's indentation or less."""
    header = text[start:header_end]
    indent = len(header) - len(header.lstrip(" \t"))
    end = text.find("\n", header_end)
    while end != -1:
        line_end = text.find("\n", end + 1)
        line = text[end + 1 : len(text) if line_end == -1 else line_end]
        stripped = line.lstrip(" \t")
        if (
            stripped.strip()
            and not stripped.startswith("#")
            and len(line) - len(stripped) <= indent
        ):
            return text[start : end + 1]
        end = line_end
    return text[start:]


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
        for _, _, bases in _headers(text):
            for word in _WORD.findall(bases):
                naming[word].add(path)
    return naming
