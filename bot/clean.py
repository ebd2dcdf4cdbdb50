"""The clean stage: turn a model's raw completion into the exact text that replaces a hole.

Each rule is a small function from text to text, applied in the order of `_RULES`; a rule
that finds the completion unusable raises `Rejected` with the reason shown to the user.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.data import Hole, Prompt
from bot.languages import python
from bot.text import newline_of, replace_lines, split_lines

# Tokens that FIM models leak at the end of a completion (Codestral, StarCoder, CodeLlama, Qwen).
_SPECIAL_TOKENS = (
    "<|endoftext|>",
    "<|fim_middle|>",
    "<|fim_suffix|>",
    "<|fim_prefix|>",
    "<|fim_pad|>",
    "<|file_separator|>",
    "<|im_end|>",
    "<fim_middle>",
    "<fim_suffix>",
    "<fim_prefix>",
    "<EOT>",
    "</s>",
    "[SUFFIX]",
    "[PREFIX]",
    "[MIDDLE]",
)
_FENCE = re.compile(r"^\s*(```|~~~)")
_REPEATS_TO_REJECT = 3  # the same line this many times in a row: a model stuck in a loop


class Rejected(Exception):
    """The completion cannot be offered; the message says why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class _Context:
    hole: Hole
    suffix: str


_Rule = Callable[[str, _Context], str]


def clean(hole: Hole, raw: str, *, prompt: Prompt, text: str) -> str:
    """The suggestion for `hole`: replaces its lines exactly, in the file's own line endings.

    Raises `Rejected` when the completion is unusable (empty, runaway, or not code).
    """
    context = _Context(hole=hole, suffix=prompt.suffix)
    body = raw
    for rule in _RULES:
        body = rule(body, context)
    if hole.head:
        body = f"{hole.head}\n{body}"
    newline = newline_of(text)
    suggestion = body.replace("\n", newline)
    if _ends_file_without_newline(text, hole.end_line):
        suggestion = suggestion.removesuffix(newline)
    return suggestion


def check_syntax(text: str, fills: list[tuple[Hole, str]]) -> str | None:
    """Why these fills together would break `text` (DESIGN.md section 2), or None if they don't."""
    if not fills:
        return None
    if python.parse(text) is not None:
        filled = replace_lines(text, [(h.start_line, h.end_line, s) for h, s in fills])
        if python.parse(filled) is None:
            return "the fill would add a syntax error"
        return None
    # The file did not parse before: each fill must at least parse as a block on its own.
    for _, suggestion in fills:
        if not python.parses_as_block(suggestion.replace("\r\n", "\n")):
            return "the fill is not valid Python on its own"
    return None


def _strip_special_tokens(body: str, context: _Context) -> str:
    cut = min((i for t in _SPECIAL_TOKENS if (i := body.find(t)) >= 0), default=len(body))
    return body[:cut]


def _normalize_newlines(body: str, context: _Context) -> str:
    return body.replace("\r\n", "\n")


def _strip_fences(body: str, context: _Context) -> str:
    """A Markdown code fence around the code: keep what is inside."""
    lines = body.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or not _FENCE.match(lines[first]):
        return body
    inside = lines[first + 1 :]
    end = next((i for i, line in enumerate(inside) if _FENCE.match(line)), len(inside))
    return "\n".join(inside[:end]) + "\n"


def _drop_leading_blank_lines(body: str, context: _Context) -> str:
    lines = body.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines)


def _cut_suffix_echo(body: str, context: _Context) -> str:
    """Models often go on past the hole and repeat the code that follows it: cut there."""
    suffix = [line.strip() for line in context.suffix.split("\n") if line.strip()][:3]
    if not suffix:
        return body
    lines = body.split("\n")
    for i in range(1, len(lines)):
        if lines[i].strip() != suffix[0]:
            continue
        # A short line ("return", ")") repeats by chance: then the next one must match too.
        needed = suffix if len(suffix[0]) < 8 else suffix[:1]
        window = [line.strip() for line in lines[i:] if line.strip()][: len(needed)]
        if window == needed or (len(window) < len(needed) and window == needed[: len(window)]):
            return "\n".join(lines[:i])
    return body


def _cut_at_dedent(body: str, context: _Context) -> str:
    """The hole's block ends at the first line indented less than the fill's first line."""
    if not context.hole.indent and not context.hole.head:
        return body
    lines = body.split("\n")
    first = _indent_width(lines[0])
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() and _indent_width(line) < first:
            return "\n".join(lines[:i])
    return body


def _reindent(body: str, context: _Context) -> str:
    """Shift the fill so that its first line sits at the hole's indentation, in its style."""
    lines = body.split("\n")
    unit = "\t" if context.hole.indent.startswith("\t") else None
    first = _indent_width(lines[0])
    target = _indent_width(context.hole.indent)
    result = []
    for line in lines:
        if not line.strip():
            result.append("")
            continue
        width = max(_indent_width(line) - first + target, 0)
        indent = "\t" * (width // 4) + " " * (width % 4) if unit else " " * width
        result.append(indent + line.lstrip(" \t"))
    return "\n".join(result)


def _trim_trailing_blank_lines(body: str, context: _Context) -> str:
    return "\n".join(line.rstrip() for line in body.rstrip().split("\n")) + "\n"


def _reject_empty(body: str, context: _Context) -> str:
    if not body.strip():
        raise Rejected("the model returned no code")
    return body


def _reject_repetition(body: str, context: _Context) -> str:
    run, previous = 1, None
    for line in (line.strip() for line in body.split("\n") if line.strip()):
        run = run + 1 if line == previous else 1
        previous = line
        if run >= _REPEATS_TO_REJECT and len(line) > 1:
            raise Rejected("the model repeated itself")
    return body


def _reject_stub(body: str, context: _Context) -> str:
    """A fill that is itself only `pass` or a TODO fills nothing."""
    code = [line.strip() for line in body.split("\n") if line.strip()]
    if all(
        line in ("pass", "...") or line.startswith(("#", "raise NotImplementedError"))
        for line in code
    ):
        raise Rejected("the model answered with another stub")
    return body


def _indent_width(line: str) -> int:
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def _ends_file_without_newline(text: str, end_line: int) -> bool:
    lines = split_lines(text)
    return end_line == len(lines) and not lines[-1].endswith("\n")


_RULES: tuple[_Rule, ...] = (
    _strip_special_tokens,
    _normalize_newlines,
    _strip_fences,
    _drop_leading_blank_lines,
    _reject_empty,
    _cut_suffix_echo,
    _cut_at_dedent,
    _reindent,
    _trim_trailing_blank_lines,
    _reject_empty,
    _reject_repetition,
    _reject_stub,
)
