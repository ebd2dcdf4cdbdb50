"""The clean stage: turn a model's raw completion into the exact text that replaces a hole.

Each rule is a small function from text to text, applied in the order of `_RULES`; a rule
that finds the completion unusable raises `Rejected` with the reason shown to the user.

What a rule asks of the language (which rows are inside a string or comment, where statements
start, whether a line opens a block, where the fill closes a bracket it did not open, whether
it is only another stub, whether the file still parses with it) is answered by one object per
language family (bot/languages/fills.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.data import Hole, Prompt
from bot.languages.fills import Code, code_for
from bot.text import (
    ends_without_newline,
    hidden_character,
    indent_width,
    indentation,
    newline_at,
    visible,
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
    code: Code
    indent: str  # the hole's indentation, in the file's style (Go: tabs)
    unit: int  # the width of a level of indentation in the file (4 when nothing shows it)
    file_step: int | None  # the same, None when nothing shows it: the fill's levels then stay
    tabs: bool  # the fill indents with tabs, as the hole (or else most of the file) does
    cut_short: bool  # the server stopped at max_tokens, not at the end of what it meant


_Rule = Callable[[str, _Context], str]


def clean(
    hole: Hole, raw: str, *, prompt: Prompt, text: str, finish_reason: str | None = None
) -> str:
    """The suggestion for `hole`: replaces its lines exactly, in their own line endings
    (`newline_at`: a CRLF hole in an LF file stays CRLF).

    Raises `Rejected` when the completion is unusable (empty, runaway, cut short, not code, or
    holding a control character).
    """
    found = code_for(hole.language)
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
    newline = newline_at(text, hole.start_line, hole.end_line)
    suggestion = body.replace("\n", newline)
    if ends_without_newline(text, hole.end_line):
        suggestion = suggestion.removesuffix(newline)
    return suggestion


def check_syntax(text: str, fills: list[tuple[Hole, str]]) -> str | None:
    """Why these fills together would break `text` (DESIGN.md section 2), or None if they don't."""
    if not fills:
        return None
    return code_for(fills[0][0].language).check(text, fills)


# --- The rules ------------------------------------------------------------------------------


def _strip_special_tokens(body: str, context: _Context) -> str:
    cut = min((i for t in _SPECIAL_TOKENS if (i := body.find(t)) >= 0), default=len(body))
    return body[:cut]


def _reject_hidden_characters(body: str, context: _Context) -> str:
    """A fill is code to review, so it must read as what it is: a control character (ESC can
    redraw the diff on a terminal, a lone carriage return overwrite a line), NUL, a Unicode
    line or paragraph separator (a line break to some tools and not others) or a
    bidirectional control (which reorders a line as it is read) would show one thing and write
    another; a lone surrogate (JSON's "\\ud800" escape) could be neither shown nor written, as
    no UTF-8 file holds one. Tab, line feed, form feed and a carriage return that ends a line
    are code's own. The answer is refused even where a later rule would cut that part away:
    no code a model means needs them raw (a string literal spells them as escapes), so an
    answer that holds them is not one to trust."""
    found = hidden_character(body)
    if found is None:
        return body
    if "\ud800" <= found <= "\udfff":
        raise Rejected(f"the fill is not UTF-8 text: it holds a lone surrogate ({visible(found)})")
    raise Rejected(f"the fill holds a control character ({visible(found)})")


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


_RULES: tuple[_Rule, ...] = (
    _strip_special_tokens,
    _reject_hidden_characters,  # before line breaks are normalised: a lone "\r" is one
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
