"""`--format text`: a unified diff of the fills, then one summary line.

Everything shown comes from the repository or the model, so every line goes through `visible`:
a control character in a file name, in the file's text or in a prompt is shown escaped, and
cannot redraw the diff to hide what `--apply` would write.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import TextIO

from bot.data import Report, Result
from bot.text import replace_lines, split_lines, visible

_COLORS = {"+": "\033[32m", "-": "\033[31m", "@": "\033[36m", "!": "\033[33m", "#": "\033[2m"}
_BOLD, _RESET = "\033[1m", "\033[0m"


def write(report: Report, stream: TextIO, *, color: bool) -> None:
    paint = _painter(color)
    for path, results in _by_path(report.results):
        suggested = [r for r in results if r.status == "suggested" and r.suggestion is not None]
        if suggested:
            text = report.texts[path]
            filled = replace_lines(
                text, [(r.hole.start_line, r.hole.end_line, r.suggestion or "") for r in suggested]
            )
            for line in _diff(path, text, filled):
                stream.write(paint(line[:1] if line[:3] not in ("---", "+++") else "b", line))
        for result in results:
            if result.status == "planned":
                _write_planned(result, stream, paint)
            elif result.status in ("failed", "skipped"):
                line = f"{path}:{_lines(result)}: {result.status}: {result.reason}"
                stream.write(paint("!", visible(line) + "\n"))
    for skipped in report.skipped_files:
        stream.write(paint("#", visible(f"{skipped.path}: skipped file: {skipped.reason}") + "\n"))
    stream.write(summary(report) + "\n")


def summary(report: Report) -> str:
    """One line: what was found and what became of it."""
    holes = len(report.results)
    if holes == 0:
        line = "fim-bot: no holes found in the added lines"
    else:
        counts = [
            f"{report.count(s)} {s}"
            for s in ("suggested", "failed", "skipped", "planned")
            if report.count(s)
        ]
        line = f"fim-bot: {holes} hole{'s' if holes != 1 else ''}: {', '.join(counts)}"
    if report.prompt_tokens or report.completion_tokens:
        line += f"; tokens: {report.prompt_tokens} in, {report.completion_tokens} out"
    if report.skipped_files:
        line += f"; {len(report.skipped_files)} file(s) skipped"
    return line


def _write_planned(result: Result, stream: TextIO, paint: _Paint) -> None:
    hole = result.hole
    assert result.prompt is not None  # a planned hole's prompt is what the dry run shows
    header = f"{hole.path}:{_lines(result)}: {hole.kind} ({hole.marker}), not sent"
    stream.write(paint("b", visible(header) + "\n"))
    stream.write(paint("#", "--- prompt: prefix ---\n"))
    stream.write(_as_lines(result.prompt.prefix))
    stream.write(paint("@", ">>> the fill goes here <<<\n"))
    stream.write(paint("#", "--- prompt: suffix ---\n"))
    stream.write(_as_lines(result.prompt.suffix))
    stream.write(paint("#", "--- end of prompt ---\n"))


def unified_diff(path: str, text: str, fills: list[tuple[int, int, str]]) -> str:
    """The unified diff that writing `fills` into `text` makes, with a/ and b/ paths."""
    return "".join(_diff(path, text, replace_lines(text, fills)))


def _diff(path: str, before: str, after: str) -> Iterator[str]:
    """The diff of the text itself, each line then shown escaped (escaping first could make two
    different lines look alike, and hide a change); a CRLF line ends as any other."""
    lines = difflib.unified_diff(
        [line.replace("\r\n", "\n") for line in split_lines(before)],
        [line.replace("\r\n", "\n") for line in split_lines(after)],
        f"a/{visible(path)}",
        f"b/{visible(path)}",
    )
    for line in lines:
        yield visible(_ensure_newline(line), keep_newlines=True)


def _by_path(results: tuple[Result, ...]) -> Iterator[tuple[str, list[Result]]]:
    paths = dict.fromkeys(r.hole.path for r in results)
    for path in paths:
        yield path, [r for r in results if r.hole.path == path]


def _lines(result: Result) -> str:
    start, end = result.hole.start_line, result.hole.end_line
    return str(start) if start == end else f"{start}-{end}"


def _as_lines(text: str) -> str:
    """Text shown as lines: CRLF endings as plain ones, everything else that could act on a
    terminal escaped."""
    return visible(_ensure_newline(text.replace("\r\n", "\n")), keep_newlines=True)


def _ensure_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


class _Paint:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, kind: str, line: str) -> str:
        if not self.color:
            return line
        code = _BOLD if kind == "b" else _COLORS.get(kind)
        if code is None:
            return line
        return f"{code}{line.rstrip(chr(10))}{_RESET}\n"


def _painter(color: bool) -> _Paint:
    return _Paint(color)
