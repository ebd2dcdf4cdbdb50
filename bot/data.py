"""The values that pass between pipeline stages: frozen, slotted, keyword-only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["stub", "todo"]
Status = Literal["suggested", "failed", "skipped", "planned"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceFile:
    """A changed file: its full new text and the new-side line numbers the diff added."""

    path: str  # repo-relative, with "/"
    text: str  # decoded, line endings kept as they are in the file
    added: frozenset[int]  # 1-based line numbers on the new side


@dataclass(frozen=True, slots=True, kw_only=True)
class SkippedFile:
    path: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Changes:
    """What the source stage hands on: files to scan and files it left out."""

    files: tuple[SourceFile, ...]
    skipped: tuple[SkippedFile, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Hole:
    """A line range of the new file that the model is asked to fill (DESIGN.md section 2)."""

    path: str
    start_line: int  # 1-based, inclusive
    end_line: int  # 1-based, inclusive
    kind: Kind
    marker: str
    language: str
    indent: str  # the indentation the fill's first line takes
    instruction: str = ""  # the TODO's text, if any
    head: str = ""  # for a one-line def: the signature part of the line, kept in the suggestion
    # For a one-line body in braces (`fn f() { todo!() }`): the line from its closing brace on,
    # behind the signature's indentation, kept on a line of its own after the fill.
    tail: str = ""
    scope: str = ""  # qualified name of the enclosing def or class ("Parser.parse"), "" at top


@dataclass(frozen=True, slots=True, kw_only=True)
class Snippet:
    """A definition from another file of the repository, shown to the model before the file."""

    path: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Prompt:
    """Exactly what is sent for one hole. `prefix` already holds the `context` snippets."""

    prefix: str
    suffix: str
    context: tuple[Snippet, ...] = ()
    stop: tuple[str, ...] = ()  # where the hole's block ends; sent with the user's own


@dataclass(frozen=True, slots=True, kw_only=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Completion:
    """The model's raw answer for one hole."""

    text: str
    finish_reason: str | None = None
    usage: Usage | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Result:
    """One hole's outcome, as reporters show it."""

    hole: Hole
    status: Status
    prompt: Prompt | None  # what was sent, or would be in a dry run; None: nothing was built
    suggestion: str | None = None
    reason: str | None = None
    usage: Usage | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """Everything one run found and did."""

    results: tuple[Result, ...]
    skipped_files: tuple[SkippedFile, ...]
    texts: dict[str, str] = field(default_factory=dict)  # path -> scanned text

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def prompt_tokens(self) -> int:
        return sum(r.usage.prompt_tokens for r in self.results if r.usage)

    @property
    def completion_tokens(self) -> int:
        return sum(r.usage.completion_tokens for r in self.results if r.usage)
