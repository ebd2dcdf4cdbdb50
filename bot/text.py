"""Line arithmetic shared by the stages: git's lines end at "\\n", nothing else."""

from __future__ import annotations

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
