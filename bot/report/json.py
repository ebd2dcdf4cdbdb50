"""`--format json` (DESIGN.md section 3): one object, version 1."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TextIO

from bot.data import Prompt, Report, Result, Usage

_SURROGATE = re.compile("[\ud800-\udfff]")
_BATCH = 4096  # pieces of JSON text joined before a write
Raw = Callable[[Prompt], str]  # a provider's raw prompt for prefix and suffix (`template`)


def write(report: Report, stream: TextIO, *, raw: Raw | None = None) -> None:
    # Written some thousands of pieces at a time: a report of 50,000 holes is never one string
    # (as from json.dumps), nor a million writes (as from json.dump).
    encoder = json.JSONEncoder(indent=2, ensure_ascii=False)
    pieces: list[str] = []
    for piece in encoder.iterencode(to_dict(report, raw=raw)):
        pieces.append(piece)
        if len(pieces) == _BATCH:
            stream.write(_writable("".join(pieces)))
            pieces.clear()
    stream.write(_writable("".join(pieces)) + "\n")


def _writable(text: str) -> str:
    """JSON text as it can go to a terminal, a CI log or a UTF-8 file.

    "##[" is a command to a GitHub Actions runner anywhere in a line; it can only be inside a
    string here (between two strings stands at least a quote), where "#\\u0023[" is the same
    text to any JSON reader. A lone surrogate (a file name that is not UTF-8) is written as its
    escape: raw, it is no UTF-8 at all."""
    return _SURROGATE.sub(_escape, text.replace("##[", "#\\u0023["))


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def to_dict(report: Report, *, raw: Raw | None = None) -> dict[str, Any]:
    return {
        "version": 1,
        "holes": [_hole(r, raw) for r in report.results],
        "skipped_files": [{"path": s.path, "reason": s.reason} for s in report.skipped_files],
        "summary": {
            "holes": len(report.results),
            "suggested": report.count("suggested"),
            "failed": report.count("failed"),
            "skipped": report.count("skipped"),
            "planned": report.count("planned"),
            "prompt_tokens": report.prompt_tokens,
            "completion_tokens": report.completion_tokens,
        },
    }


def _hole(result: Result, raw: Raw | None) -> dict[str, Any]:
    hole = result.hole
    return {
        "path": hole.path,
        "start_line": hole.start_line,
        "end_line": hole.end_line,
        "kind": hole.kind,
        "marker": hole.marker,
        "language": hole.language,
        "status": result.status,
        "reason": result.reason,
        "suggestion": result.suggestion,
        "prompt": None if result.prompt is None else _prompt(result.prompt, raw),
        "usage": _usage(result.usage),
    }


def _prompt(prompt: Prompt, raw: Raw | None) -> dict[str, Any]:
    """What is sent: the prefix (context snippets included) and suffix, the snippets on their
    own, the stop sequences the bot adds for the hole, and the raw prompt where the provider
    sends one instead."""
    shown: dict[str, Any] = {"prefix": prompt.prefix, "suffix": prompt.suffix}
    if raw is not None:
        shown["raw"] = raw(prompt)
    if prompt.context:
        shown["context"] = [{"path": s.path, "text": s.text} for s in prompt.context]
    if prompt.stop:
        shown["stop"] = list(prompt.stop)
    return shown


def _usage(usage: Usage | None) -> dict[str, int] | None:
    if usage is None:
        return None
    return {"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens}
