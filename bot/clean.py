"""The clean stage: turn a model's raw completion into the exact text that replaces a hole.

Each rule is a small function from text to text, applied in the order of `_RULES`; a rule
that finds the completion unusable raises `Rejected` with the reason shown to the user.
"""

from __future__ import annotations

import ast
import re
import textwrap
import tokenize
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from bot.data import Hole, Prompt
from bot.languages import python
from bot.languages.python_syntax import tokens
from bot.text import (
    ends_without_newline,
    indent_width,
    indentation,
    newline_of,
    replace_lines,
)

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


class Rejected(Exception):
    """The completion cannot be offered; the message says why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class _Context:
    hole: Hole
    suffix: str
    tabs: bool  # the fill indents with tabs, as the hole (or else most of the file) does
    cut_short: bool  # the server stopped at max_tokens, not at the end of what it meant


_Rule = Callable[[str, _Context], str]


def clean(
    hole: Hole, raw: str, *, prompt: Prompt, text: str, finish_reason: str | None = None
) -> str:
    """The suggestion for `hole`: replaces its lines exactly, in the file's own line endings.

    Raises `Rejected` when the completion is unusable (empty, runaway, cut short, or not code).
    """
    context = _Context(
        hole=hole,
        suffix=prompt.suffix,
        tabs=_indents_with_tabs(hole, text),
        cut_short=finish_reason == "length",
    )
    body = raw
    for rule in _RULES:
        body = rule(body, context)
    if context.cut_short and _runs_to_the_end(raw, body):
        raise Rejected("the answer was cut short at --max-tokens")
    if hole.head:
        body = f"{hole.head}\n{body}"
    newline = newline_of(text)
    suggestion = body.replace("\n", newline)
    if ends_without_newline(text, hole.end_line):
        suggestion = suggestion.removesuffix(newline)
    return suggestion


def check_syntax(text: str, fills: list[tuple[Hole, str]]) -> str | None:
    """Why these fills together would break `text` (DESIGN.md section 2), or None if they don't."""
    if not fills:
        return None
    if _compiles(text):
        filled = replace_lines(text, [(h.start_line, h.end_line, s) for h, s in fills])
        if not _compiles(filled):
            return "the fill would add a syntax error"
        return None
    # The file was not valid Python before: each fill must at least parse as a block alone.
    for _, suggestion in fills:
        if not python.parses_as_block(suggestion.replace("\r\n", "\n")):
            return "the fill is not valid Python on its own"
    return None


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
    inside = _string_rows("\n".join(lines))
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
    base = indent_width(context.hole.indent)
    wanted = [(indent_width(s) - base, _words(s)) for s in context.suffix.split("\n")]
    needed = _enough([w for w in wanted if w[1]][:3])
    lines = body.split("\n")
    inside = _string_rows(body)
    rows = [i for i, line in enumerate(lines) if line.strip() and i not in inside]
    if not needed or not rows:
        return body
    first = indent_width(lines[rows[0]])
    code = [(indent_width(lines[i]) - first, _words(lines[i])) for i in rows]
    for k, row in enumerate(rows):
        window = code[k : k + len(needed)]  # shorter than `needed` only at the fill's end
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
    target = indent_width(context.hole.indent)
    first = indent_width(lines[0])
    if not context.hole.indent or first == target:
        return body
    if 0 < first - target < 4:
        lines[0] = context.hole.indent + lines[0].lstrip(" \t")
        return "\n".join(lines)
    starts = [i for i in _statement_rows(body) if i > 0 and lines[i].strip()]
    if first < target and starts:
        opens_block = _code_part(lines[0]).rstrip().endswith(":")
        # The next statement sits at the first line's level, or one deeper after a `:`.
        if indent_width(lines[starts[0]]) == target + (4 if opens_block else 0):
            lines[0] = context.hole.indent + lines[0].lstrip(" \t")
    return "\n".join(lines)


def _cut_at_dedent(body: str, context: _Context) -> str:
    """The hole's block ends at the first line indented less than the fill's first line."""
    if not context.hole.indent and not context.hole.head:
        return body
    lines = body.split("\n")
    inside = _string_rows(body)
    first = indent_width(lines[0])
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() and i not in inside and indent_width(line) < first:
            return "\n".join(lines[:i])
    return body


def _reindent(body: str, context: _Context) -> str:
    """Shift the fill so that its first line sits at the hole's indentation, in the file's
    style. Lines inside a multi-line string are its text and stay as they are."""
    lines = body.split("\n")
    inside = _string_rows(body)
    first = indent_width(lines[0])
    target = indent_width(context.hole.indent)
    result = []
    for i, line in enumerate(lines):
        deeper = indent_width(line) - first
        if i in inside:
            result.append(line)
        elif not line.strip():
            result.append("")
        elif deeper >= 0:
            result.append(
                context.hole.indent + indentation(deeper, tabs=context.tabs) + line.lstrip()
            )
        else:
            result.append(indentation(max(target + deeper, 0), tabs=context.tabs) + line.lstrip())
    return "\n".join(result)


def _trim_trailing_blank_lines(body: str, context: _Context) -> str:
    inside = _string_rows(body)
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
    """A fill that is itself only placeholders (`pass`, `...`, a bare string,
    `raise NotImplementedError`) or comments fills nothing."""
    tree = python.parse(textwrap.dedent(body))
    if tree is not None and all(_is_placeholder(node) for node in tree.body):
        raise Rejected("the model answered with another stub")
    return body


def _is_placeholder(node: ast.stmt) -> bool:
    if isinstance(node, ast.Pass):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return node.value.value is Ellipsis or isinstance(node.value.value, str)
    if isinstance(node, ast.Raise) and node.exc is not None:
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False


def _ends_in_loop(lines: list[str]) -> bool:
    for size in range(1, _LOOP_LINES + 1):
        copies = lines[-size * _REPEATS_TO_REJECT :]
        if (
            len(copies) == size * _REPEATS_TO_REJECT
            and copies == copies[:size] * _REPEATS_TO_REJECT
        ):
            return True
    return False


def _string_rows(body: str) -> frozenset[int]:
    """The rows (0-based) that begin inside a multi-line string: text, not code.

    A tokenizer error ends the search where it happens: what came before still counts.
    """
    rows: set[int] = set()
    # Dedenting keeps the rows and spares the tokenizer an indented first line.
    for token in tokens(textwrap.dedent(body)):
        rows.update(range(token.start[0], token.end[0]))  # rows after the token's first
    return frozenset(rows)


def _statement_rows(body: str) -> list[int]:
    """The rows (0-based) where a statement or a comment line starts: not the continuation
    lines of a bracketed expression or of a string."""
    rows: list[int] = []
    fresh = True
    skip = (tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)
    for token in tokens(textwrap.dedent(body)):
        if token.type in (tokenize.NEWLINE, tokenize.NL):
            fresh = True
        elif fresh and token.type not in skip:
            rows.append(token.start[0] - 1)
            fresh = False
    return rows


def _runs_to_the_end(raw: str, body: str) -> bool:
    """Whether the fill keeps the raw answer's last line: nothing after it was cut away."""
    last = [line.strip() for line in _normalize_newlines(raw, None).split("\n") if line.strip()]
    kept = [line.strip() for line in body.split("\n") if line.strip()]
    return bool(last and kept) and last[-1] == kept[-1]


def _code_part(line: str) -> str:
    return line.split("#", 1)[0]


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


_RULES: tuple[_Rule, ...] = (
    _strip_special_tokens,
    _normalize_newlines,
    _strip_fences,
    _drop_leading_blank_lines,
    _reject_empty,
    _align_first_line,
    _cut_suffix_echo,
    _cut_at_dedent,
    _reindent,
    _trim_trailing_blank_lines,
    _reject_empty,
    _reject_repetition,
    _reject_stub,
)
