"""Line arithmetic shared by the stages (git's lines end at "\\n", nothing else), and text made
safe to show on one line."""

from __future__ import annotations

import re
from collections.abc import Iterable


def split_lines(text: str) -> list[str]:
    """The lines of `text`, each with its line break ("\\n" or "\\r\\n"); git's view of lines."""
    lines = text.split("\n")
    last = lines.pop()
    result = [line + "\n" for line in lines]
    if last:
        result.append(last)
    return result


def newline_of(text: str) -> str:
    """The file's own line break: "\\r\\n" when most of its lines end so."""
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"


def newline_at(text: str, start: int, end: int) -> str:
    """The line break for new text in place of lines `start`..`end` (1-based) of `text`: the
    one those lines end with, so that a CRLF stub in an LF file stays CRLF. When they mix
    breaks, the one most of them end with, a tie going to the later line's; when none has a
    break (one last line without one), the file's own (`newline_of`)."""
    ends = [
        line.endswith("\r\n") for line in split_lines(text)[start - 1 : end] if line[-1:] == "\n"
    ]
    if not ends:
        return newline_of(text)
    crlf = sum(ends)  # the others end with "\n" alone
    if crlf * 2 == len(ends):
        return "\r\n" if ends[-1] else "\n"
    return "\r\n" if crlf * 2 > len(ends) else "\n"


def replace_lines(text: str, fills: list[tuple[int, int, str]]) -> str:
    """`text` with each (start, end, replacement) line range replaced; ranges must not overlap."""
    lines = split_lines(text)
    for start, end, replacement in sorted(fills, reverse=True):
        lines[start - 1 : end] = [replacement]
    return "".join(lines)


def ends_without_newline(text: str, line: int) -> bool:
    """Whether `line` (1-based) is the last line of `text` and has no line break."""
    lines = split_lines(text)
    return line == len(lines) and not lines[-1].endswith("\n")


def indent_width(line: str) -> int:
    """The width of the line's indentation, a tab reaching the next multiple of 4."""
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def indent_step(lines: Iterable[str]) -> int | None:
    """A file's indentation step: the most common step from a line to a deeper one (the " *"
    rows of block comments aside), or None when no line is deeper than the one before."""
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


def indentation(width: int, *, tabs: bool) -> str:
    """An indentation `width` wide: tabs of 4 (and spaces for the rest), or spaces."""
    return "\t" * (width // 4) + " " * (width % 4) if tabs else " " * width


def char_column(line: str, byte_column: int) -> int:
    """The character column of a UTF-8 byte column of `line` (ast and tree-sitter count bytes;
    slicing needs characters)."""
    return len(line.encode("utf-8", "surrogatepass")[:byte_column].decode("utf-8", "ignore"))


def added_text(text: str, lines: list[str], added: frozenset[int]) -> str:
    """The added lines of `text` (split into `lines` at "\n"), joined by "\n": for a cheap
    search before any parsing. A file added whole is `text` itself, not copied line by line."""
    rows = len(lines) - (lines[-1] == "")  # the "" after a final line break is no line
    if added.issuperset(range(1, rows + 1)):
        return text
    return "\n".join(lines[row - 1] for row in sorted(added) if 0 < row <= len(lines))


# What a line of output must never carry raw: control characters (C0 but the tab, DEL, C1),
# which start a new line (\r, \x85 too) or drive a terminal (ESC); the Unicode line and
# paragraph separators; the bidirectional controls, which make a line read as something else;
# and "##[", the Actions runner's legacy command marker, which it obeys anywhere in a line of
# stdout or stderr (a "::" command only at a line's start). Text shown as lines keeps its line
# feeds and form feeds (a page break, common in old C and Python sources; Python's own
# `splitlines` counts it as a line break): a form feed moves a terminal down a line and hides
# nothing already written. It keeps "##[" too: any of its lines may start with "::", so in a
# job it must sit in a pause of workflow commands anyway (bot.report.log).
_C0 = "\x00-\x08\x0b\x0e-\x1f"  # all but the tab, line feed, form feed and carriage return
# A lone surrogate (a file name's undecodable byte, read with "surrogateescape") cannot be
# written as UTF-8 at all.
_OTHERS = "\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
_HIDDEN = re.compile(f"[\n\x0c\r{_C0}{_OTHERS}]|##\\[")
_HIDDEN_IN_LINES = re.compile(f"[\r{_C0}{_OTHERS}]")
# In source text, a carriage return that ends a line ("\r\n", or "\r" last: a stop sequence
# that starts with "\n" cut a CRLF line there) is a line ending, not a hidden character.
_HIDDEN_IN_SOURCE = re.compile(f"\r(?!\n|\\Z)|[{_C0}{_OTHERS}]")
_SHORT = {"\n": "\\n", "\r": "\\r"}


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with everything it holds in plain sight: line breaks and other control characters
    escaped as Python writes them ("\\n", "\\x1b", "\\u2028"), and "##[" as "#\\x23[". What
    comes from a repository, a server or the model goes through it where a line is written, so
    that it stays on that line and cannot act on a terminal or a CI log. `keep_newlines` leaves
    "\\n", the form feed and "##[" alone, for text shown as lines (a diff, a prompt); a
    carriage return is still escaped there, so one inside a line cannot send the cursor back
    over it."""
    pattern = _HIDDEN_IN_LINES if keep_newlines else _HIDDEN
    return pattern.sub(_escaped, text)


def hidden_character(text: str) -> str | None:
    """The first character of source `text` that `visible` shows escaped when it is shown as
    lines (a carriage return ending a line aside), or None: what a fill must not hold."""
    found = _HIDDEN_IN_SOURCE.search(text)
    return found.group() if found else None


def _escaped(match: re.Match[str]) -> str:
    found = match.group()
    if found == "##[":
        return "#\\x23["
    code = ord(found)
    return _SHORT.get(found) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
