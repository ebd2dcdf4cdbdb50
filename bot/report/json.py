"""`--format json` (DESIGN.md section 3): one object, version 1."""

from __future__ import annotations

import json
from typing import Any, TextIO

from bot.data import Prompt, Report, Result, Usage


def write(report: Report, stream: TextIO) -> None:
    json.dump(to_dict(report), stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def to_dict(report: Report) -> dict[str, Any]:
    return {
        "version": 1,
        "holes": [_hole(r) for r in report.results],
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


def _hole(result: Result) -> dict[str, Any]:
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
        "prompt": _prompt(result.prompt),
        "usage": _usage(result.usage),
    }


def _prompt(prompt: Prompt) -> dict[str, Any]:
    """What is sent: the prefix (context snippets included) and suffix, the snippets on their
    own, and the stop sequences the bot adds for the hole."""
    shown: dict[str, Any] = {"prefix": prompt.prefix, "suffix": prompt.suffix}
    if prompt.context:
        shown["context"] = [{"path": s.path, "text": s.text} for s in prompt.context]
    if prompt.stop:
        shown["stop"] = list(prompt.stop)
    return shown


def _usage(usage: Usage | None) -> dict[str, int] | None:
    if usage is None:
        return None
    return {"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens}
