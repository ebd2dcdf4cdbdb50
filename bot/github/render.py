"""The text fim-bot puts on a pull request: review comments, review bodies, step summaries.

Text from the pull request or the model is fenced so that it cannot break out of its block;
outside a block it is a code span (`code`) or escaped (`plain`), so that it shows as the text it
is: it opens no HTML (an `<!--` would hide the rest of a comment, the fingerprint with it) nor
Markdown, and `@`-mentions no one.
"""

from __future__ import annotations

import html
import re

from bot.data import Report, Result
from bot.github import fingerprint
from bot.report.terminal import unified_diff
from bot.text import visible

_MENTION = re.compile(r"@(?=[\w-])")
_BACKTICKS = re.compile(r"`+")
# What makes Markdown of plain text within a line: emphasis, code, links and images,
# strikethrough, tables, math, and the backslash itself. `<`, `>` and `&` become HTML entities.
_MARKDOWN = re.compile(r"([\\`*_\[\]~|$])")
# What makes a block at a line's start: a heading, a list item ("-", "+", "1.", "1)"), a
# setext underline.
_BLOCK = re.compile(r"^(\d*)([#+=-]|(?<=\d)[.)])")
MAX_BODY = 60_000  # GitHub refuses bodies over 65,536 characters


def quiet(text: str) -> str:
    """`text` with every `@name` defused by a zero-width word joiner after the `@`."""
    return _MENTION.sub("@\u2060", text)


def code(text: str) -> str:
    """`text` on one line as a code span: fenced with more backticks than any run in it,
    padded with a space on each side (which Markdown takes off again) when it starts or ends
    with a backtick. Nothing in a code span is HTML or Markdown."""
    text = visible(text)  # as it is, on one line: no mention happens inside a code span
    if not text:
        return ""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    ticks = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`"):
        text = f" {text} "
    return f"{ticks}{text}{ticks}"


def plain(text: str) -> str:
    """`text` on one line, to show as it is in Markdown: `<`, `>` and `&` as HTML entities,
    Markdown's punctuation escaped (and what would start a block at the line's start),
    `@name` defused."""
    escaped = _MARKDOWN.sub(r"\\\1", html.escape(_one_line(text), quote=False))
    return quiet(_BLOCK.sub(r"\1\\\2", escaped))


def fence(content: str, info: str = "") -> str:
    """A code block around `content` whose fence is longer than any run of backticks in it."""
    longest = max((len(run) for run in _BACKTICKS.findall(content)), default=0)
    ticks = "`" * max(3, longest + 1)
    body = content.replace("\r\n", "\n")
    if not body.endswith("\n"):
        body += "\n"
    return f"{ticks}{info}\n{body}{ticks}"


def suggestion(result: Result, print_: str) -> str:
    """An inline comment: what the hole was, the suggestion, and the hidden fingerprint."""
    hole = result.hole
    what = f"this {code(hole.marker)} stub" if hole.kind == "stub" else f"this {plain(hole.marker)}"
    title = f"**fim-bot** suggests a fill for {what}."
    if hole.instruction:
        title += f" ({plain(hole.instruction)})"
    return "\n".join(
        [title, "", fence(result.suggestion or "", "suggestion"), "", fingerprint.marker(print_)]
    )


def as_diff(result: Result, text: str) -> str:
    """A fill shown as a diff, where GitHub cannot anchor a suggestion."""
    hole = result.hole
    diff = unified_diff(
        hole.path, text, [(hole.start_line, hole.end_line, result.suggestion or "")]
    )
    where = f"{code(hole.path)}, lines {hole.start_line}-{hole.end_line}"
    return f"{where}:\n\n{fence(diff, 'diff')}"


def counts(report: Report) -> str:
    """The summary table: holes, suggested, skipped, failed, tokens used."""
    header = "| holes | suggested | skipped | failed | tokens used |\n|---:|---:|---:|---:|---:|\n"
    tokens = report.prompt_tokens + report.completion_tokens
    return header + (
        f"| {len(report.results)} | {report.count('suggested')} | {report.count('skipped')} "
        f"| {report.count('failed')} | {tokens} |\n"
    )


def review_body(report: Report, outside: list[str]) -> str:
    body = "**fim-bot** filled holes that this pull request adds.\n\n" + counts(report)
    if outside:
        body += "\nThese fills could not be placed as suggestions (outside the diff's hunks):\n\n"
        body += "\n\n".join(outside)
    return _capped(body)


def step_summary(report: Report, *, notes: list[str], diffs: list[str], rejected: list[str]) -> str:
    parts = ["### fim-bot\n", counts(report)]
    parts += [f"\n{plain(note)}\n" for note in notes]
    problems = [
        f"- {code(r.hole.path)} line {r.hole.start_line}: {r.status}: {plain(r.reason or '')}"
        for r in report.results
        if r.status == "failed"
    ]
    problems += [f"- {line}" for line in rejected]
    if problems:
        parts.append("\n" + "\n".join(problems) + "\n")
    if diffs:
        parts.append("\n" + "\n\n".join(diffs) + "\n")
    return _capped("".join(parts))


def refused(result: Result, why: str) -> str:
    """A line of the step summary for a suggestion GitHub refused."""
    hole = result.hole
    return f"{code(hole.path)} line {hole.start_line}: GitHub refused the suggestion ({plain(why)})"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _capped(text: str) -> str:
    if len(text) <= MAX_BODY:
        return text
    return text[:MAX_BODY] + "\n\n(cut: too long for one GitHub comment)\n"
