"""What every language's scanner shares: the TODO tag pattern, and how the TODO comments
inside a stub's range join it."""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from bot.data import Hole


def tag_pattern(tags: tuple[str, ...], opener: str = "") -> re.Pattern[str]:
    """A TODO at the start of a comment's text: "TODO: x", "todo x", "FIXME", "TODO(owner): x".

    `opener` is the comment syntax the text still begins with ("#" for Python's tokens), which
    may be repeated ("## TODO"); "" for text already without it.
    """
    alternatives = "|".join(re.escape(t) for t in sorted(tags, key=len, reverse=True))
    if not alternatives:
        return re.compile(r"(?!)")  # no tags: no comment is a TODO
    lead = f"(?:{re.escape(opener)})+" if opener else ""
    return re.compile(
        rf"{lead}\s*(?P<tag>{alternatives})(?:\([^)]*\))?(?=[:\s]|$):?\s*(?P<text>.*)",
        re.IGNORECASE,
    )


def merge(stubs: list[Hole], todos: list[Hole]) -> list[Hole]:
    """Stubs take in the TODO holes inside their range (the first tag becomes the stub's
    marker, their text its instruction); the other TODOs stay holes of their own."""
    stubs = sorted(stubs, key=lambda h: h.start_line)
    starts = [s.start_line for s in stubs]  # stubs never overlap: one body each
    inside: dict[int, list[Hole]] = {}
    holes: list[Hole] = []
    for todo in todos:
        index = bisect.bisect_right(starts, todo.start_line) - 1
        if index >= 0 and _contains(stubs[index], todo):
            inside.setdefault(index, []).append(todo)
        else:
            holes.append(todo)
    holes += [_absorb(stub, inside.get(i, [])) for i, stub in enumerate(stubs)]
    return sorted(holes, key=lambda h: h.start_line)


def _absorb(stub: Hole, todos: list[Hole]) -> Hole:
    if not todos:
        return stub
    instruction = " ".join(t.instruction for t in todos if t.instruction)
    return replace(stub, marker=todos[0].marker, instruction=instruction)


def _contains(outer: Hole, inner: Hole) -> bool:
    return outer.start_line <= inner.start_line and inner.end_line <= outer.end_line
