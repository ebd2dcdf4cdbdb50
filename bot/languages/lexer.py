"""A lexer that knows only comments and strings, driven by a row of the language table.

It reads languages without an installed grammar (DESIGN.md section 2: "a lexer that knows the
language's comment and string syntax"), and the fragments of code a model returns, which no
grammar reads whole. Everything that is neither a comment nor a string is code to it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

from bot.languages.table import Language

TokenKind = Literal["comment", "string"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Token:
    kind: TokenKind
    start: int  # offset of the first character in the text
    end: int  # offset just past the last character
    opener: str  # the delimiter that began it ("//", "/*", '"', ...)


@dataclass(frozen=True, slots=True)
class _Syntax:
    pattern: re.Pattern[str]  # any opener, longest first
    kinds: dict[str, tuple[str, str]]  # opener -> (what it opens, its closer)


def tokens(text: str, language: Language) -> list[Token]:
    """The comments and strings of `text`, in order. An unclosed block comment or long string
    runs to the end of the text; an unclosed one-line string ends with its line."""
    syntax = _syntax(language)
    found: list[Token] = []
    position = 0
    while (match := syntax.pattern.search(text, position)) is not None:
        opener = match.group()
        start = match.start()
        what, closer = syntax.kinds[opener]
        if what == "line":
            end = _line_end(text, start)
            found.append(Token(kind="comment", start=start, end=end, opener=opener))
        elif what == "block":
            end = _block_end(text, match.end(), opener, closer, nested=language.nested)
            found.append(Token(kind="comment", start=start, end=end, opener=opener))
        elif what == "char":
            char_end = _char_end(text, match.end())
            if char_end is None:  # a lifetime or a type variable: code
                position = match.end()
                continue
            end = char_end
            found.append(Token(kind="string", start=start, end=end, opener=opener))
        else:
            end = _string_end(text, match.end(), closer, what)
            found.append(Token(kind="string", start=start, end=end, opener=opener))
        position = max(end, match.end())
    return found


def comments(text: str, language: Language) -> list[Token]:
    return [t for t in tokens(text, language) if t.kind == "comment"]


@functools.cache
def _syntax(language: Language) -> _Syntax:
    kinds: dict[str, tuple[str, str]] = {}
    for opener in language.strings:
        kinds[opener] = ("string", opener)
    if language.chars:
        kinds["'"] = ("char", "'")
    for opener in language.long:
        kinds[opener] = ("long", opener)
    for opener in language.raw:
        kinds[opener] = ("raw", opener)
    for opener, closer in language.block:
        kinds[opener] = ("block", closer)
    for opener in language.line:
        kinds[opener] = ("line", "")
    if not kinds:
        return _Syntax(re.compile(r"(?!)"), kinds)
    alternatives = "|".join(re.escape(o) for o in sorted(kinds, key=len, reverse=True))
    return _Syntax(re.compile(alternatives), kinds)


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    if end == -1:
        return len(text)
    return end - 1 if text[end - 1 : end] == "\r" else end


def _block_end(text: str, position: int, opener: str, closer: str, *, nested: bool) -> int:
    depth = 1
    while depth:
        close = text.find(closer, position)
        if close == -1:
            return len(text)
        if nested:
            inner = text.find(opener, position)
            if inner != -1 and inner < close:
                depth += 1
                position = inner + len(opener)
                continue
        depth -= 1
        position = close + len(closer)
    return position


def _string_end(text: str, position: int, closer: str, what: str) -> int:
    escapes = what != "raw"
    one_line = what == "string"
    index = position
    while index < len(text):
        char = text[index]
        if escapes and char == "\\":
            index += 2
            continue
        if one_line and char == "\n":
            return index
        if text.startswith(closer, index):
            return index + len(closer)
        index += 1
    return len(text)


def _char_end(text: str, position: int) -> int | None:
    """Where a character literal that starts just before `position` ends, or None when the
    quote is not one ('a', '\\n', '\\u{1F600}' are; 'a in `&'a str` is not)."""
    if text.startswith("\\", position):
        close = text.find("'", position + 2)
        if close == -1 or "\n" in text[position:close]:
            return None
        return close + 1
    if position + 1 < len(text) and text[position + 1] == "'" and text[position] != "\n":
        return position + 2
    return None
