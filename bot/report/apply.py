"""`--apply`: write the suggested fills into the working tree."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.data import Report
from bot.text import replace_lines, visible


@dataclass(frozen=True, slots=True, kw_only=True)
class Applied:
    written: tuple[str, ...]
    refused: tuple[tuple[str, str], ...]  # (path, reason)


def write(report: Report, root: Path) -> Applied:
    """Write each file's fills. A file that changed since it was scanned is never overwritten."""
    written: list[str] = []
    refused: list[tuple[str, str]] = []
    paths = dict.fromkeys(r.hole.path for r in report.results if r.status == "suggested")
    for path in paths:
        fills = [
            (r.hole.start_line, r.hole.end_line, r.suggestion)
            for r in report.results
            if r.hole.path == path and r.status == "suggested" and r.suggestion is not None
        ]
        target = root / path
        scanned = report.texts[path]
        try:
            current = target.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            refused.append((path, "the file can no longer be read"))
            continue
        if current != scanned:
            refused.append((path, "the working-tree file differs from the text that was scanned"))
            continue
        target.write_bytes(replace_lines(scanned, fills).encode("utf-8"))
        written.append(path)
    return Applied(written=tuple(written), refused=tuple(refused))


def write_and_tell(report: Report, root: Path, stream: TextIO) -> Applied:
    """`write`, then one line on `stream` for each file written or left alone."""
    applied = write(report, root)
    for path in applied.written:
        stream.write(f"fim-bot: wrote fills into {visible(path)}\n")
    for path, reason in applied.refused:
        stream.write(f"fim-bot: did not write {visible(path)}: {reason}\n")
    return applied
