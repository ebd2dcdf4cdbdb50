"""What the clean-up asks of a language (bot/clean.py's rules), answered by one object per
language family: `python_fills.PythonCode` (tokenize, ast, compile) and `lexed_fills.LexedCode`
(the comment and string lexer driven by language_rows.py, tree-sitter where the grammar is
installed, and a row of its style table for the little language_rows.py does not say)."""

from __future__ import annotations

import functools
from typing import Protocol

from bot.data import Hole
from bot.languages import python
from bot.text import replace_lines

BROKEN = "the fill would add a syntax error"


class Code(Protocol):
    """The questions the rules ask of a language."""

    def indent(self, hole: Hole) -> str:
        """The hole's indentation as the fill writes it."""

    def tabs(self, hole: Hole, text: str) -> bool:
        """Whether the fill indents with tabs."""

    def unit(self, text: str) -> int | None:
        """The width of one level of indentation in `text`, None when nothing shows it."""

    def step(self, body: str, *, tabs: bool) -> int | None:
        """The width of the fill's own level when the fill indents with tabs and the file
        with spaces (`tabs` says which the file uses), or the other way round: each of its
        levels becomes one of the file's. None when the widths are kept as they are."""

    def text_rows(self, body: str) -> frozenset[int]:
        """Rows (0-based) that begin inside a multi-line string: text, kept as it is."""

    def hidden_rows(self, body: str) -> frozenset[int]:
        """Rows (0-based) that begin inside a multi-line string or comment: not code."""

    def statement_rows(self, body: str) -> list[int]:
        """Rows (0-based) where a statement or a comment line starts."""

    def opens_block(self, line: str) -> bool:
        """Whether the code of `line` opens a block (the next statement sits a level deeper)."""

    def sits_left(self, line: str) -> bool:
        """Whether `line` may sit left of its block without ending it (labels, `#if`)."""

    def unopened_closer(self, body: str) -> tuple[int, int] | None:
        """Row and column of the first bracket that `body` closes without opening it."""

    def is_stub(self, body: str, hole: Hole) -> bool:
        """Whether the fill is itself only placeholders or comments."""

    def check(self, text: str, fills: list[tuple[Hole, str]]) -> str | None:
        """Why these fills would break `text`, or None."""


@functools.cache
def code_for(name: str) -> Code:
    """The answers for the language called `name` (a row of language_rows.py)."""
    if name == python.LANGUAGE:  # Python's own parser; the others, the lexer and tree-sitter
        from bot.languages import python_fills

        return python_fills.PythonCode()
    from bot.languages import lexed_fills

    return lexed_fills.for_language(name)


def indents_with_tabs(hole: Hole, text: str) -> bool:
    """Whether the fill should indent with tabs: as the hole does, or as most of the file does."""
    if hole.indent:
        return hole.indent.startswith("\t")
    firsts = [line[0] for line in text.split("\n") if line[:1] in (" ", "\t") and line.strip()]
    return firsts.count("\t") > firsts.count(" ")


def filled(text: str, fills: list[tuple[Hole, str]]) -> str:
    return replace_lines(text, [(h.start_line, h.end_line, s) for h, s in fills])
