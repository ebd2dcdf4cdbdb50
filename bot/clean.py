"""The clean stage: turn a model's raw completion into the exact text that replaces a hole.

Each rule is a small function from text to text, applied in the order of `_RULES`; a rule
that finds the completion unusable raises `Rejected` with the reason shown to the user.

What a rule asks of the language (which rows are inside a string or comment, where statements
start, whether a line opens a block, where the fill closes a bracket it did not open, whether
it is only another stub, whether the file still parses with it) is answered by one object per
language family: `_PythonCode` (tokenize, ast, compile) and `_LexedCode` (the comment and string
lexer driven by languages.yml, tree-sitter where the grammar is installed, and a row of
`_STYLES` for the little the table does not say).
"""

from __future__ import annotations

import ast
import functools
import re
import textwrap
import tokenize
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from bot.data import Hole, Prompt, SourceFile
from bot.languages import DEFAULT_TAGS, code, grammar, lexer, python
from bot.languages.python_syntax import tokens
from bot.languages.table import Language, languages
from bot.text import (
    ends_without_newline,
    indent_width,
    indentation,
    newline_of,
    replace_lines,
)

if TYPE_CHECKING:
    import tree_sitter

# Tokens that FIM models leak at the end of a completion, by family: generic and StarCoder,
# Qwen and CodeGemma, CodeLlama and Codestral, DeepSeek-Coder (whose bars are full-width).
_SPECIAL_TOKENS = (
    *("<|endoftext|>", "<|im_end|>", "<|EOT|>", "</s>", "<EOT>", "<file_sep>", "<fim_pad>"),
    *("<fim_prefix>", "<fim_suffix>", "<fim_middle>", "<|fim_prefix|>", "<|fim_suffix|>"),
    *("<|fim_middle|>", "<|fim_pad|>", "<|file_sep|>", "<|repo_name|>", "<|file_separator|>"),
    *("[PREFIX]", "[SUFFIX]", "[MIDDLE]"),
    *("<\uff5cfim\u2581hole\uff5c>", "<\uff5cfim\u2581end\uff5c>"),
    "<\uff5cend\u2581of\u2581sentence\uff5c>",
)
_FENCE = re.compile(r"^\s*(```|~~~)")
_REPEATS_TO_REJECT = 3  # a block of lines said this many times over: a model stuck in a loop
_LOOP_LINES = 4  # the longest such block looked for
_ECHO_CHARS = 8  # an echo of the suffix shorter than this ("return", ")") may be chance
_BROKEN = "the fill would add a syntax error"


class Rejected(Exception):
    """The completion cannot be offered; the message says why."""


class _Code(Protocol):
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


@dataclass(frozen=True, slots=True, kw_only=True)
class _Context:
    hole: Hole
    suffix: str
    code: _Code
    indent: str  # the hole's indentation, in the file's style (Go: tabs)
    unit: int  # the width of a level of indentation in the file (4 when nothing shows it)
    file_step: int | None  # the same, None when nothing shows it: the fill's levels then stay
    tabs: bool  # the fill indents with tabs, as the hole (or else most of the file) does
    cut_short: bool  # the server stopped at max_tokens, not at the end of what it meant


_Rule = Callable[[str, _Context], str]


def clean(
    hole: Hole, raw: str, *, prompt: Prompt, text: str, finish_reason: str | None = None
) -> str:
    """The suggestion for `hole`: replaces its lines exactly, in the file's own line endings.

    Raises `Rejected` when the completion is unusable (empty, runaway, cut short, or not code).
    """
    found = _code(hole.language)
    step = found.unit(text)
    context = _Context(
        hole=hole,
        suffix=prompt.suffix,
        code=found,
        indent=found.indent(hole),
        unit=step or 4,
        file_step=step,
        tabs=found.tabs(hole, text),
        cut_short=finish_reason == "length",
    )
    body = raw
    for rule in _RULES:
        body = rule(body, context)
    if context.cut_short and _runs_to_the_end(raw, body):
        raise Rejected("the answer was cut short at --max-tokens")
    if hole.head:
        body = f"{hole.head}\n{body}"
    if hole.tail:  # `fn f() { todo!() }`: the closing brace and what follows keep a line
        body = f"{body}{hole.tail}\n"
    newline = newline_of(text)
    suggestion = body.replace("\n", newline)
    if ends_without_newline(text, hole.end_line):
        suggestion = suggestion.removesuffix(newline)
    return suggestion


def check_syntax(text: str, fills: list[tuple[Hole, str]]) -> str | None:
    """Why these fills together would break `text` (DESIGN.md section 2), or None if they don't."""
    if not fills:
        return None
    return _code(fills[0][0].language).check(text, fills)


# --- The rules ------------------------------------------------------------------------------


def _strip_special_tokens(body: str, context: _Context) -> str:
    cut = min((i for t in _SPECIAL_TOKENS if (i := body.find(t)) >= 0), default=len(body))
    return body[:cut]


def _normalize_newlines(body: str, context: _Context | None) -> str:
    return body.replace("\r\n", "\n").replace("\r", "\n")


def _strip_fences(body: str, context: _Context) -> str:
    """Markdown fences: keep the code of the first fenced block, or what comes before a stray
    closing fence (the prose after a fence is never code)."""
    lines = body.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and _FENCE.match(lines[first]):
        lines = lines[first + 1 :]
    inside = context.code.hidden_rows("\n".join(lines))
    end = next(
        (i for i, line in enumerate(lines) if _FENCE.match(line) and i not in inside), len(lines)
    )
    return "\n".join(lines[:end])


def _drop_leading_blank_lines(body: str, context: _Context) -> str:
    lines = body.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines)


def _cut_suffix_echo(body: str, context: _Context) -> str:
    """Models often go on past the hole and repeat the code that follows it: cut there.

    An echo repeats the suffix's lines (whitespace aside) at their depth relative to the hole.
    It must hold enough text not to be chance ("return" or ")" alone is not), unless it runs
    to the end of the fill.
    """
    base = indent_width(context.indent)
    wanted = [(indent_width(s) - base, _words(s)) for s in context.suffix.split("\n")]
    needed = _enough([w for w in wanted if w[1]][:3])
    lines = body.split("\n")
    inside = context.code.hidden_rows(body)
    rows = [i for i, line in enumerate(lines) if line.strip() and i not in inside]
    if not needed or not rows:
        return body
    first = indent_width(lines[rows[0]])
    code_lines = [(indent_width(lines[i]) - first, _words(lines[i])) for i in rows]
    for k, row in enumerate(rows):
        window = code_lines[k : k + len(needed)]  # shorter than `needed` only at the fill's end
        if window == needed[: len(window)]:
            if k == 0:
                raise Rejected("the model only repeated the code after the hole")
            return "\n".join(lines[:row])
    return body


def _align_first_line(body: str, context: _Context) -> str:
    """Fix the first line alone when only it is off: a stray space before it (less than a
    level), or no indentation at all where the next statement shows where it belongs (the
    prompt ends at a line start, so some servers strip it). A fill shifted as a whole by a
    level is `_reindent`'s business."""
    lines = body.split("\n")
    a = _anchor(lines, context)
    target = indent_width(context.indent)
    first = indent_width(lines[a])
    if not context.indent or first == target:
        return body
    if 0 < first - target < context.unit:
        lines[a] = context.indent + lines[a].lstrip(" \t")
        return "\n".join(lines)
    starts = [i for i in context.code.statement_rows(body) if i > a and lines[i].strip()]
    if first < target and starts:
        opens_block = context.code.opens_block(lines[a])
        # The next statement sits at the first line's level, or one deeper after an opener.
        if indent_width(lines[starts[0]]) == target + (context.unit if opens_block else 0):
            lines[a] = context.indent + lines[a].lstrip(" \t")
    return "\n".join(lines)


def _cut_at_unopened_closer(body: str, context: _Context) -> str:
    """The hole's block ends where the fill closes a bracket it never opened (strings and
    comments aside): the `}` of the body around the hole, the `)` of a call around it. The
    code before that bracket on its line stays."""
    found = context.code.unopened_closer(body)
    if found is None:
        return body
    row, col = found
    lines = body.split("\n")
    kept = lines[:row]
    if lines[row][:col].strip():
        kept.append(lines[row][:col].rstrip())
    return "\n".join(kept)


def _cut_at_dedent(body: str, context: _Context) -> str:
    """The hole's block ends at the first line indented less than the fill's first line
    (lines that sit left by convention, labels and preprocessor lines, aside)."""
    if not context.hole.indent and not context.hole.head:
        return body
    lines = body.split("\n")
    inside = context.code.hidden_rows(body)
    a = _anchor(lines, context)
    first = indent_width(lines[a])
    for i, line in enumerate(lines[a + 1 :], start=a + 1):
        if (
            line.strip()
            and i not in inside
            and indent_width(line) < first
            and not context.code.sits_left(line)
        ):
            return "\n".join(lines[:i])
    return body


def _reindent(body: str, context: _Context) -> str:
    """Shift the fill so that its first line sits at the hole's indentation, in the file's
    style (where the language says so, a tab of the fill becomes a level of a file indented
    with spaces, and a level of spaces a tab). Lines inside a multi-line string are its text
    and stay as they are."""
    lines = body.split("\n")
    inside = context.code.text_rows(body)
    first = indent_width(lines[_anchor(lines, context)])
    target = indent_width(context.indent)
    step = context.code.step(body, tabs=context.tabs)
    result = []
    for i, line in enumerate(lines):
        deeper = indent_width(line) - first
        if step and context.file_step and step != context.file_step:
            deeper = deeper // step * context.file_step + deeper % step  # a level for a level
        if i in inside:
            result.append(line)
        elif not line.strip():
            result.append("")
        elif deeper >= 0:
            result.append(context.indent + indentation(deeper, tabs=context.tabs) + line.lstrip())
        else:
            result.append(indentation(max(target + deeper, 0), tabs=context.tabs) + line.lstrip())
    return "\n".join(result)


def _trim_trailing_blank_lines(body: str, context: _Context) -> str:
    inside = context.code.text_rows(body)
    lines = [line if i in inside else line.rstrip() for i, line in enumerate(body.split("\n"))]
    return "\n".join(lines).rstrip() + "\n"


def _reject_empty(body: str, context: _Context) -> str:
    if not body.strip():
        raise Rejected("the model returned no code")
    return body


def _reject_repetition(body: str, context: _Context) -> str:
    """A model stuck in a loop says the same lines over until it runs out of tokens: the fill
    ends with a block of lines said three times (the last copy may be cut short)."""
    lines = [line for line in body.split("\n") if line.strip()]
    cut_short = len(lines) > 1 and any(
        line.startswith(lines[-1]) for line in lines[-1 - _LOOP_LINES : -1]
    )
    if _ends_in_loop(lines) or (cut_short and _ends_in_loop(lines[:-1])):
        raise Rejected("the model repeated itself")
    return body


def _reject_stub(body: str, context: _Context) -> str:
    """A fill that is itself only placeholders (`pass`, `todo!()`, `throw new Error("Not
    implemented")`, ...) or comments fills nothing."""
    if context.code.is_stub(body, context.hole):
        raise Rejected("the model answered with another stub")
    return body


def _anchor(lines: list[str], context: _Context) -> int:
    """The line whose indentation is the fill's own: the first, or the first after the lines
    that sit left of their block by convention (`#ifdef`, a label)."""
    return next((i for i, line in enumerate(lines) if not context.code.sits_left(line)), 0)


def _ends_in_loop(lines: list[str]) -> bool:
    for size in range(1, _LOOP_LINES + 1):
        copies = lines[-size * _REPEATS_TO_REJECT :]
        if (
            len(copies) == size * _REPEATS_TO_REJECT
            and copies == copies[:size] * _REPEATS_TO_REJECT
        ):
            return True
    return False


def _runs_to_the_end(raw: str, body: str) -> bool:
    """Whether the fill keeps the raw answer's last line: nothing after it was cut away."""
    last = [line.strip() for line in _normalize_newlines(raw, None).split("\n") if line.strip()]
    kept = [line.strip() for line in body.split("\n") if line.strip()]
    return bool(last and kept) and last[-1] == kept[-1]


def _words(line: str) -> str:
    return " ".join(line.split())


def _enough(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The first of `lines` that together hold enough text to be an echo, not chance."""
    size = 0
    for count, (_, text) in enumerate(lines, start=1):
        size += len(text)
        if size >= _ECHO_CHARS:
            return lines[:count]
    return lines


def _indents_with_tabs(hole: Hole, text: str) -> bool:
    """Whether the fill should indent with tabs: as the hole does, or as most of the file does."""
    if hole.indent:
        return hole.indent.startswith("\t")
    firsts = [line[0] for line in text.split("\n") if line[:1] in (" ", "\t") and line.strip()]
    return firsts.count("\t") > firsts.count(" ")


def _filled(text: str, fills: list[tuple[Hole, str]]) -> str:
    return replace_lines(text, [(h.start_line, h.end_line, s) for h, s in fills])


_RULES: tuple[_Rule, ...] = (
    _strip_special_tokens,
    _normalize_newlines,
    _strip_fences,
    _drop_leading_blank_lines,
    _reject_empty,
    _align_first_line,
    _cut_suffix_echo,
    _cut_at_unopened_closer,
    _cut_at_dedent,
    _reindent,
    _trim_trailing_blank_lines,
    _reject_empty,
    _reject_repetition,
    _reject_stub,
)


# --- Python: tokenize, ast and compile ------------------------------------------------------


class _PythonCode:
    """Python, read by its own tokenizer and parser."""

    def indent(self, hole: Hole) -> str:
        return hole.indent

    def tabs(self, hole: Hole, text: str) -> bool:
        return _indents_with_tabs(hole, text)

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
        if _compiles(text):
            return None if _compiles(_filled(text, fills)) else _BROKEN
        # The file was not valid Python before: each fill must at least parse as a block alone.
        for _, suggestion in fills:
            if not python.parses_as_block(suggestion.replace("\r\n", "\n")):
                return "the fill is not valid Python on its own"
        return None


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


# --- Every other language: the lexer, tree-sitter, and a row of _STYLES ---------------------


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
    """What the clean-up needs to know of a language beyond languages.yml. Patterns match a
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
class _LexedCode:
    """A language of languages.yml: strings and comments from the lexer, the parse check from
    tree-sitter when its grammar is installed (else a lexical check)."""

    language: Language
    style: _Style = field(default_factory=_Style)

    def indent(self, hole: Hole) -> str:
        if self.style.tabs:
            return indentation(indent_width(hole.indent), tabs=True)
        return hole.indent

    def tabs(self, hole: Hole, text: str) -> bool:
        return self.style.tabs or _indents_with_tabs(hole, text)

    def unit(self, text: str) -> int | None:
        return _unit(text)

    def step(self, body: str, *, tabs: bool) -> int | None:
        hidden = self.hidden_rows(body)
        lines = [line for i, line in enumerate(body.split("\n")) if i not in hidden]
        with_tabs = any(line.startswith("\t") for line in lines)
        if with_tabs == tabs:
            return None  # spaces in a file of spaces keep their widths: they may align
        return indent_width("\t") if with_tabs else _step(lines)

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
            before = self._errors(text)
            return _BROKEN if self._errors(_filled(text, fills)) > before else None
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


@functools.cache
def _code(name: str) -> _Code:
    """The answers for the language called `name` (a row of languages.yml)."""
    if name == python.LANGUAGE:
        return _PythonCode()
    return _LexedCode(languages()[name], _STYLES.get(name, _Style()))


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
    return _step(text.split("\n"))


def _step(lines: list[str]) -> int | None:
    """The most common step from a line to a deeper one (the " *" rows of block comments
    aside), or None when no line is deeper than the one before."""
    steps: dict[int, int] = {}
    previous = None
    for line in lines:
        stripped = line.strip()
        if stripped and not stripped.startswith("*"):
            width = indent_width(line)
            if previous is not None and width > previous:
                steps[width - previous] = steps.get(width - previous, 0) + 1
            previous = width
    return max(steps, key=lambda s: (steps[s], -s), default=None)


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
            return row, len(line.encode("utf-8", "surrogatepass")[:byte].decode("utf-8", "ignore"))
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
