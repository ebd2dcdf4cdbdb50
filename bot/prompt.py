"""The prompt stage: the text before and after a hole, cut at whole lines to a budget."""

from __future__ import annotations

from bot.data import Hole, Prompt
from bot.text import split_lines

DEFAULT_BUDGET_TOKENS = 8000
_CHARS_PER_TOKEN = 4  # a rough, conservative estimate for code
_PREFIX_SHARE = 0.75  # the text before a hole says more about it than the text after


def build(hole: Hole, text: str, *, budget_tokens: int = DEFAULT_BUDGET_TOKENS) -> Prompt:
    """The FIM prompt for `hole` in `text`: the prefix ends with the TODO's text as a comment.

    Line breaks are sent as "\\n" whatever the file uses; clean puts the file's own back.
    """
    lines = [line.replace("\r\n", "\n") for line in split_lines(text)]
    before, after = lines[: hole.start_line - 1], lines[hole.end_line :]
    if before and not before[-1].endswith("\n"):
        before[-1] += "\n"
    tail = ""
    if hole.head:
        tail += f"{hole.head}\n"
    if hole.instruction:
        tail += f"{hole.indent}# {hole.instruction}\n"
    budget = budget_tokens * _CHARS_PER_TOKEN
    prefix_budget = int(budget * _PREFIX_SHARE) - len(tail)
    prefix = _keep_last(before, prefix_budget) + tail
    suffix = _keep_first(after, budget - len(prefix))
    return Prompt(prefix=prefix, suffix=suffix or "\n")


def _keep_last(lines: list[str], budget: int) -> str:
    """The longest run of whole lines at the end of `lines` that fits in `budget` characters."""
    kept: list[str] = []
    size = 0
    for line in reversed(lines):
        size += len(line)
        if size > budget:
            break
        kept.append(line)
    return "".join(reversed(kept))


def _keep_first(lines: list[str], budget: int) -> str:
    kept: list[str] = []
    size = 0
    for line in lines:
        size += len(line)
        if size > budget:
            break
        kept.append(line)
    return "".join(kept)
