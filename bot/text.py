"""Line arithmetic shared by the stages: git's lines end at "\\n", nothing else."""

from __future__ import annotations


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


def replace_lines(text: str, fills: list[tuple[int, int, str]]) -> str:
    """`text` with each (start, end, replacement) line range replaced; ranges must not overlap."""
    lines = split_lines(text)
    for start, end, replacement in sorted(fills, reverse=True):
        lines[start - 1 : end] = [replacement]
    return "".join(lines)
