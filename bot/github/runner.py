"""What a GitHub run tells the Actions runner: workflow commands (annotations, and a log in which
no text from the pull request or the model can act as one), the step summary and the step's
outputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.data import Report
from bot.github import render
from bot.report import json as json_report
from bot.report import terminal
from bot.report.log import commands_stopped
from bot.text import visible


@dataclass(slots=True)
class Outcome:
    """What the step summary says besides the report: notes (text, escaped when shown), the
    fills of a read-only run as diffs, and the suggestions GitHub rejected (both Markdown made
    by `render`)."""

    notes: list[str] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)


def show(report: Report, out: TextIO, output_format: str) -> None:
    """The report in the log, where text from the pull request and the model can never act
    as a workflow command."""
    with commands_stopped(out):
        if output_format == "json":
            json_report.write(report, out)
        else:
            terminal.write(report, out, color=False)


def annotate(
    out: TextIO,
    kind: str,
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    end_line: int | None = None,
) -> None:
    """A workflow command, its values escaped as the runner expects; the message one line,
    whatever it quotes."""
    properties = []
    if file is not None:
        properties.append(f"file={_escape(file, property_=True)}")
    if line is not None:
        properties.append(f"line={line}")
    if end_line is not None:
        properties.append(f"endLine={end_line}")
    head = f"::{kind} {','.join(properties)}::" if properties else f"::{kind}::"
    out.write(head + _escape(visible(message)) + "\n")
    out.flush()


def _escape(text: str, *, property_: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def finish(
    report: Report | None, outcome: Outcome, *, step_summary: Path | None, output: Path | None
) -> None:
    """The step summary and the step's outputs, written in every GitHub run."""
    empty = Report(results=(), skipped_files=())
    report = report or empty
    if step_summary is not None:
        text = render.step_summary(
            report, notes=outcome.notes, diffs=outcome.diffs, rejected=outcome.rejected
        )
        with step_summary.open("a", encoding="utf-8") as summary:
            summary.write(text + "\n")
    if output is not None:
        with output.open("a", encoding="utf-8") as outputs:
            outputs.write(
                f"holes={len(report.results)}\nsuggested={report.count('suggested')}\n"
                f"failed={report.count('failed')}\n"
            )
