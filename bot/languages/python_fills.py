"""Python fills, read by Python's own tokenizer, parser and compiler."""

from __future__ import annotations

import ast
import functools
import textwrap
import tokenize
import warnings

from bot.data import Hole
from bot.languages import python
from bot.languages.fills import BROKEN, filled, indents_with_tabs
from bot.languages.python_syntax import tokens

LANGUAGE = python.LANGUAGE


class PythonCode:
    """Python, read by its own tokenizer and parser."""

    def indent(self, hole: Hole) -> str:
        return hole.indent

    def tabs(self, hole: Hole, text: str) -> bool:
        return indents_with_tabs(hole, text)

    def unit(self, text: str) -> int | None:
        return 4  # PEP 8; a stray space of less than this is fixed on the first line alone

    def step(self, body: str, *, tabs: bool) -> int | None:
        return None  # widths are kept: a tab is four spaces, as PEP 8's level

    def text_rows(self, body: str) -> frozenset[int]:
        return _string_rows(body)

    def hidden_rows(self, body: str) -> frozenset[int]:
        return _string_rows(body)  # comments never span rows

    def statement_rows(self, body: str) -> list[int]:
        """Rows where a statement or a comment line starts: not the continuation lines of a
        bracketed expression or of a string."""
        rows: list[int] = []
        fresh = True
        skip = (tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT)
        for token in tokens(textwrap.dedent(body)):
            if token.type in (tokenize.NEWLINE, tokenize.NL):
                fresh = True
            elif fresh and token.type not in (*skip, tokenize.ENDMARKER):
                rows.append(token.start[0] - 1)
                fresh = False
        return rows

    def opens_block(self, line: str) -> bool:
        return line.split("#", 1)[0].rstrip().endswith(":")

    def sits_left(self, line: str) -> bool:
        return False

    def unopened_closer(self, body: str) -> tuple[int, int] | None:
        return None  # a block ends by its indentation; an echoed `)` is `_cut_suffix_echo`'s

    def is_stub(self, body: str, hole: Hole) -> bool:
        """Only `pass`, `...`, a bare string, `raise NotImplementedError`, or comments."""
        tree = python.parse(textwrap.dedent(body))
        return tree is not None and all(_is_placeholder(node) for node in tree.body)

    def check(self, text: str, fills: list[tuple[Hole, str]]) -> str | None:
        if _compiled_before(text):
            return None if _compiles(filled(text, fills)) else BROKEN
        # The file was not valid Python before: each fill must at least parse as a block alone.
        for _, suggestion in fills:
            if not python.parses_as_block(suggestion.replace("\r\n", "\n")):
                return "the fill is not valid Python on its own"
        return None


@functools.lru_cache(maxsize=16)  # the clean-up's rules ask it of the same answer again
def _string_rows(body: str) -> frozenset[int]:
    """The rows (0-based) that begin inside a multi-line string: text, not code.

    A tokenizer error ends the search where it happens: what came before still counts.
    """
    rows: set[int] = set()
    # Dedenting keeps the rows and spares the tokenizer an indented first line.
    for token in tokens(textwrap.dedent(body)):
        rows.update(range(token.start[0], token.end[0]))  # rows after the token's first
    return frozenset(rows)


def _is_placeholder(node: ast.stmt) -> bool:
    if isinstance(node, ast.Pass):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return node.value.value is Ellipsis or isinstance(node.value.value, str)
    if isinstance(node, ast.Raise) and node.exc is not None:
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False


@functools.lru_cache(maxsize=8)
def _compiled_before(text: str) -> bool:
    """`_compiles` for a file as it is: asked once per fill, and for all of them together."""
    return _compiles(text)


def _compiles(text: str) -> bool:
    """Whether Python accepts `text`: parsing, and the checks the compiler adds ('return'
    outside a function, a name used before its `global` declaration, ...)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like: not our business
            compile(text.removeprefix("\ufeff"), "<fill>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):  # ValueError: NUL bytes
        return False
    return True
