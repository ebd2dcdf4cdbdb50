"""The prompt stage: the text before and after a hole, cut at whole lines to a budget, with
definitions from other files of the repository in their own budget before it."""

from __future__ import annotations

import bisect
import functools
import itertools
from collections.abc import Iterator, Sequence

from bot.data import Hole, Prompt, Snippet
from bot.languages.table import Language, languages
from bot.text import split_lines

DEFAULT_BUDGET_TOKENS = 8000
CHARS_PER_TOKEN = 4  # a rough, conservative estimate for code
_PREFIX_SHARE = 0.75  # the text before a hole says more about it than the text after
# Where a Python fill has run past its block: a new definition at the level of the block's
# opener. Never a blank line: bodies hold blank lines.
_BLOCK_ENDS = ("def ", "class ", "@", "async def ")
# Other languages stop where the fill starts repeating the code after the hole: its first
# lines up to this many that hold code. Never at a lone "}" at the opener's level: an answer
# indented a level too shallow closes its inner blocks there, and the clean-up finds the
# block's end by its braces anyway.
_ECHO_STOP_LINES = 2


def build(
    hole: Hole,
    text: str,
    *,
    budget_tokens: int = DEFAULT_BUDGET_TOKENS,
    context: tuple[Snippet, ...] = (),
) -> Prompt:
    """The FIM prompt for `hole` in `text`: the prefix ends with the TODO's text as a comment.

    Line breaks are sent as "\\n" whatever the file uses; clean puts the file's own back.
    """
    language = languages()[hole.language]
    lines = _lines(text)
    before, after = lines[: hole.start_line - 1], lines[hole.end_line :]
    if hole.tail:  # the closing brace of a one-line body opens the suffix on a line of its own
        after = (f"{hole.tail}\n", *after)
    tail = ""
    if hole.head:
        tail += f"{hole.head}\n"
    if hole.instruction:
        tail += f"{hole.indent}{language.comment(hole.instruction)}\n"
    budget = budget_tokens * CHARS_PER_TOKEN
    prefix_budget = int(budget * _PREFIX_SHARE) - len(tail)
    prefix = _keep_last(before, prefix_budget) + tail
    suffix = _keep_first(after, budget - len(prefix))
    if context:
        prefix = (
            "".join(_with_header(s, language) for s in context)
            + _header(hole.path, language)
            + prefix
        )
    return Prompt(
        prefix=prefix,
        suffix=suffix or "\n",
        context=context,
        stop=_stops(before, hole, language) if language.name == "python" else _echo_stop(after),
    )


@functools.lru_cache(maxsize=4)
def _lines(text: str) -> tuple[str, ...]:
    """The file's lines with "\n" endings: split once for all the holes of a file."""
    return tuple(split_lines(text.replace("\r\n", "\n")))


def _with_header(snippet: Snippet, language: Language) -> str:
    return _header(snippet.path, language) + snippet.text.rstrip("\n") + "\n\n\n"


def _header(path: str, language: Language) -> str:
    return language.comment(f"Path: {path}") + "\n"


def _stops(before: Sequence[str], hole: Hole, language: Language) -> tuple[str, ...]:
    """Stop sequences for a hole inside a block: where the block ends at the indentation of
    the line that opens it (Python: a new `def`, `class` or decorator there). None for a hole
    at the top level, whose fill may define things itself."""
    if not hole.indent and not hole.head:
        return ()
    if hole.head:  # a one-line def: the block's opener is the def itself
        opener = hole.head[: len(hole.head) - len(hole.head.lstrip())]
    else:
        opener = _opener_indent(before, len(hole.indent.expandtabs(4)), language)
    return tuple(f"\n{opener}{end}" for end in _BLOCK_ENDS)


def _echo_stop(after: Sequence[str]) -> tuple[str, ...]:
    """The start of the code after the hole, as a stop sequence: a model that repeats it has
    finished the hole. None when too little code follows to tell a repeat from chance."""
    kept: list[str] = []
    code = 0
    for line in after:
        kept.append(line.rstrip("\n"))
        code += bool(line.strip())
        if code == _ECHO_STOP_LINES:
            return ("\n" + "\n".join(kept),)
    return ()


def _opener_indent(before: Sequence[str], width: int, language: Language) -> str:
    """The indentation of the nearest code line above that is indented less than `width`."""
    # A "*" opens the inner rows of a C-style block comment.
    block = (*(opener for opener, _ in language.block), "*") if language.block else ()
    comments = (*language.line, *block)
    for line in reversed(before):
        stripped = line.lstrip(" \t")
        if stripped.strip() and not stripped.startswith(comments):
            indent = line[: len(line) - len(stripped)]
            if len(indent.expandtabs(4)) < width:
                return indent
    return ""


def _keep_last(lines: Sequence[str], budget: int) -> str:
    """The longest run of whole lines at the end of `lines` that fits in `budget` characters."""
    count = _fitting(reversed(lines), budget)
    return "".join(lines[len(lines) - count :])


def _keep_first(lines: Sequence[str], budget: int) -> str:
    """The longest run of whole lines at the start of `lines` that fits in `budget`."""
    return "".join(lines[: _fitting(iter(lines), budget)])


def _fitting(lines: Iterator[str], budget: int) -> int:
    """How many of `lines`, taken in order, fit in `budget` characters (a line is at least
    one character: no more than `budget` of them are looked at)."""
    if budget <= 0:
        return 0
    sizes = list(itertools.accumulate(map(len, itertools.islice(lines, budget))))
    return bisect.bisect_right(sizes, budget)
