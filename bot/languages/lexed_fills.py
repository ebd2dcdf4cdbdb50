"""Fills in every language but Python: strings and comments from the lexer, the parse check
from tree-sitter when the language's grammar is installed (else a lexical check), and a row of
`_STYLES` for what language_rows.py does not say."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.data import Hole, SourceFile
from bot.languages import DEFAULT_TAGS, code, grammar, lexer
from bot.languages.fills import BROKEN, filled, indents_with_tabs
from bot.languages.table import Language, languages
from bot.text import char_column, indent_step, indent_width, indentation

if TYPE_CHECKING:
    import tree_sitter


def for_language(name: str) -> LexedCode:
    return LexedCode(languages()[name], _STYLES.get(name, _Style()))


# A line that ends with `{`, or a control statement whose body is the next line, unbraced
# (`if (x)`, `} else`, `for (...)`): the next statement sits a level deeper.
_BRACE_OPENS = re.compile(r"\{\s*$|^\s*(\}\s*)?(if|else|for|foreach|while|do)\b(?!.*[;{}]\s*$)")
# A label alone or before its statement (`retry:`, `outer: for`), a C++ access specifier
# (`public:`); never `default:` (a case body ends at the next `case`/`default`), `std::` or
# Go's `x :=`.
_LABEL = r"(?!default\b)[A-Za-z_]\w*\s*:(?![:=])"
_LABELS = re.compile(rf"\s*{_LABEL}")
_LABELS_AND_DIRECTIVES = re.compile(rf"\s*(#|{_LABEL})")


# How a line in the middle of an expression begins (a method chain, a leading operator), or
# how the line before it ends (a trailing operator, `=`, `=>`, a comma).
_GOES_ON_FROM = (".", "?", ":", "||", "&&")
_GOES_ON_AFTER = ("&&", "||", "=", "=>", "?", ",", ".", "+", "-", "*", "/")


@dataclass(frozen=True, slots=True, kw_only=True)
class _Style:
    """What the clean-up needs to know of a language beyond language_rows.py. Patterns match a
    line whose strings and comments are blanked out."""

    opens_block: re.Pattern[str] = _BRACE_OPENS
    sits_left: re.Pattern[str] | None = None  # lines that may sit left of their block
    tabs: bool = False  # always indent with tabs (gofmt)
    # A function around a fill, for the scanner to tell whether the fill is only a stub.
    wrap: tuple[str, str] | None = None
    brackets: str = "()[]{}"  # pairs that must match: the structural end, the lexer-only check
    goes_on_after: tuple[str, ...] = _GOES_ON_AFTER  # line endings that continue an expression


_C_FUNCTION = ("void f() {\n", "}\n")
_JS_FUNCTION = ("function f() {\n", "}\n")
_CLASS_METHOD = ("class C {\nvoid f() {\n", "}\n}\n")
_STYLES: dict[str, _Style] = {
    "javascript": _Style(sits_left=_LABELS, wrap=_JS_FUNCTION),
    "typescript": _Style(sits_left=_LABELS, wrap=_JS_FUNCTION),
    "tsx": _Style(sits_left=_LABELS, wrap=_JS_FUNCTION),
    "java": _Style(sits_left=_LABELS, wrap=_CLASS_METHOD),
    "go": _Style(sits_left=_LABELS, tabs=True, wrap=("package p\n\nfunc f() {\n", "}\n")),
    "rust": _Style(wrap=("fn f() {\n", "}\n")),
    "c": _Style(sits_left=_LABELS_AND_DIRECTIVES, wrap=_C_FUNCTION),
    "cpp": _Style(sits_left=_LABELS_AND_DIRECTIVES, wrap=_C_FUNCTION),
    "csharp": _Style(sits_left=_LABELS_AND_DIRECTIVES, wrap=_CLASS_METHOD),
    "kotlin": _Style(wrap=("fun f() {\n", "}\n")),
    "php": _Style(wrap=("<?php\nfunction f() {\n", "}\n")),
    "ruby": _Style(
        opens_block=re.compile(
            r"^\s*(def|class|module|if|unless|while|until|case|begin|for)\b"
            r"|(=|\|\||&&)\s*(if|unless|case|begin)\b"
            r"|(\bdo|\{)\s*(\|[^|]*\|)?\s*$"
        ),
        wrap=("def f\n", "end\n"),
        goes_on_after=tuple(e for e in _GOES_ON_AFTER if e != "?"),  # `empty?` ends a name
    ),
    "shell": _Style(brackets="[]{}"),  # `case` patterns close a `)` they never open
}


@dataclass(frozen=True, slots=True)
class LexedCode:
    """A language of language_rows.py: strings and comments from the lexer, the parse check from
    tree-sitter when its grammar is installed (else a lexical check)."""

    language: Language
    style: _Style = field(default_factory=_Style)

    def indent(self, hole: Hole) -> str:
        if self.style.tabs:
            return indentation(indent_width(hole.indent), tabs=True)
        return hole.indent

    def tabs(self, hole: Hole, text: str) -> bool:
        return self.style.tabs or indents_with_tabs(hole, text)

    def unit(self, text: str) -> int | None:
        return _unit(text)

    def step(self, body: str, *, tabs: bool) -> int | None:
        hidden = self.hidden_rows(body)
        lines = [line for i, line in enumerate(body.split("\n")) if i not in hidden]
        with_tabs = any(line.startswith("\t") for line in lines)
        if with_tabs == tabs:
            return None  # spaces in a file of spaces keep their widths: they may align
        return indent_width("\t") if with_tabs else indent_step(lines)

    def text_rows(self, body: str) -> frozenset[int]:
        return _token_rows(body, self.language, strings_only=True)

    def hidden_rows(self, body: str) -> frozenset[int]:
        return _token_rows(body, self.language, strings_only=False)

    def statement_rows(self, body: str) -> list[int]:
        """Rows that start outside strings, comments, and the parentheses and square brackets
        of an expression (a brace opens a block of statements), and that do not go on with
        the expression of the line before (`.then(...)`, `&& x`, or after `a =`)."""
        hidden = self.hidden_rows(body)
        rows: list[int] = []
        depth = 0
        before = ""  # the code of the last line that held some
        lines = body.split("\n")
        for i, (line, masked) in enumerate(zip(lines, _masked(body, self.language), strict=True)):
            code_line = masked.strip()
            goes_on = code_line.startswith(_GOES_ON_FROM) or (
                before.endswith(self.style.goes_on_after) and not before.endswith(("++", "--"))
            )
            if line.strip() and i not in hidden and depth <= 0 and not (code_line and goes_on):
                rows.append(i)
            depth += sum(masked.count(c) for c in "([") - sum(masked.count(c) for c in ")]")
            before = code_line or before
        return rows

    def opens_block(self, line: str) -> bool:
        (masked,) = _masked(line, self.language)
        return self.style.opens_block.search(masked) is not None

    def sits_left(self, line: str) -> bool:
        (masked,) = _masked(line, self.language)
        return self.style.sits_left is not None and self.style.sits_left.match(masked) is not None

    def unopened_closer(self, body: str) -> tuple[int, int] | None:
        """The first bracket closed and never opened, or a keyword that ends a block (Ruby's
        `end`) standing alone at the top of the fill's own tree: whichever comes first."""
        found = [_unopened_bracket(_masked(body, self.language), self.style.brackets)]
        end = self.language.block_end
        if end and end.isidentifier() and end in body:
            found.append(_stray_keyword(self.language, body, end))
        return min((f for f in found if f is not None), default=None)

    def is_stub(self, body: str, hole: Hole) -> bool:
        """Only comments; or, wrapped in a function of its own, a stub to the scanner."""
        if not "".join(_masked(body, self.language)).strip():
            return True
        if self.style.wrap is None:
            return False
        before, after = self.style.wrap
        wrapped = before + body + after
        first = before.count("\n") + 1
        last = first + body.count("\n") - 1
        rows = frozenset(range(1, wrapped.count("\n") + 1))
        file = SourceFile(path=hole.path, text=wrapped, added=rows)
        return any(
            h.kind == "stub" and h.start_line <= first and h.end_line >= last
            for h in code.find_holes(file, self.language, DEFAULT_TAGS)
        )

    def check(self, text: str, fills: list[tuple[Hole, str]]) -> str | None:
        """With a grammar: no new ERROR or MISSING node (none at all if the file had none).
        Without one: no fill leaves a string or block comment open or its brackets unmatched,
        which keeps the file's own balance whatever it was."""
        if grammar.installed(self.language):
            before = _errors_before(self, text)
            return BROKEN if self._errors(filled(text, fills)) > before else None
        for _, suggestion in fills:
            reason = self._lexical_fault(suggestion.replace("\r\n", "\n"))
            if reason:
                return reason
        return None

    def _errors(self, text: str) -> int:
        text = text.removeprefix("\ufeff")
        tree = grammar.parse(self.language, text)
        if tree is None:
            return 0
        found = grammar.errors(tree)
        end = self.language.block_end
        if end and end.isidentifier() and end in text:
            found += _stray_keywords(tree, end)
        return found

    def _lexical_fault(self, fill: str) -> str | None:
        for token in lexer.tokens(fill, self.language):
            if not _closed(token, self.language):
                return "the fill leaves a string or comment open"
        openers, closers = self.style.brackets[0::2], self.style.brackets[1::2]
        stack: list[str] = []
        for char in "\n".join(_masked(fill, self.language)):
            if char in openers:
                stack.append(closers[openers.index(char)])
            elif char in closers and (not stack or stack.pop() != char):
                return "the fill's brackets do not match"
        return "the fill's brackets do not match" if stack else None


@functools.lru_cache(maxsize=8)
def _errors_before(code: LexedCode, text: str) -> int:
    """The error count of a file as it is: asked once per fill, and for all of them together."""
    return code._errors(text)


@functools.lru_cache(maxsize=64)
def _masked(body: str, language: Language) -> tuple[str, ...]:
    """The lines of `body` with every string and comment blanked out: the code alone."""
    chars = list(body)
    for token in lexer.tokens(body, language):
        for i in range(token.start, token.end):
            if chars[i] != "\n":
                chars[i] = " "
    return tuple("".join(chars).split("\n"))


def _token_rows(body: str, language: Language, *, strings_only: bool) -> frozenset[int]:
    rows: set[int] = set()
    for token in lexer.tokens(body, language):
        if not strings_only or token.kind == "string":
            start = body.count("\n", 0, token.start)
            rows.update(range(start + 1, start + body.count("\n", token.start, token.end) + 1))
    return frozenset(rows)


def _closed(token: lexer.Token, language: Language) -> bool:
    """Whether a comment or string ends with its closer (a line comment ends with its line)."""
    return bool(token.closer) or (token.kind == "comment" and token.opener in language.line)


@functools.lru_cache(maxsize=16)
def _unit(text: str) -> int | None:
    """The file's indentation step, None when nothing is indented."""
    return indent_step(text.split("\n"))


def _unopened_bracket(lines: tuple[str, ...], brackets: str) -> tuple[int, int] | None:
    openers, closers = brackets[0::2], brackets[1::2]
    depth = 0
    for row, line in enumerate(lines):
        for col, char in enumerate(line):
            if char in openers:
                depth += 1
            elif char in closers:
                depth -= 1
                if depth < 0:
                    return row, col
    return None


def _stray_keyword(language: Language, body: str, word: str) -> tuple[int, int] | None:
    """Where `body`, parsed alone, holds `word` as a statement of its own at the top: an `end`
    that closes a block the fill never opened (tree-sitter-ruby reads it as an identifier)."""
    tree = grammar.parse(language, body)
    if tree is None:
        return None
    spelled = word.encode()
    for node in tree.root_node.children:
        if node.type == "identifier" and node.text == spelled:
            row, byte = node.start_point
            line = body.split("\n")[row]
            return row, char_column(line, byte)
    return None


def _stray_keywords(tree: tree_sitter.Tree, word: str) -> int:
    """Identifiers spelled like the keyword that ends a block: tree-sitter-ruby reads a stray
    `end` as a bare identifier rather than an error (a method named so is not one)."""
    spelled = word.encode()
    count = 0
    cursor = tree.walk()
    while True:
        node = cursor.node
        if (
            node is not None
            and node.type == "identifier"
            and node.text == spelled
            and cursor.field_name not in ("name", "method")
        ):
            count += 1
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return count
