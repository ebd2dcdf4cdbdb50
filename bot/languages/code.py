"""Holes in every language but Python (DESIGN.md section 2): TODO comments from tree-sitter's
comment nodes where the grammar is installed, else from the comment lexer; stubs from the
grammar (bot/languages/stubs.py)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from bot.data import Hole, SourceFile
from bot.languages import grammar, lexer, stub_rules, stubs
from bot.languages.holes import merge, tag_pattern
from bot.languages.table import Language
from bot.text import added_text


@dataclass(frozen=True, slots=True, kw_only=True)
class Comment:
    row: int  # 1-based, where it starts
    end_row: int  # 1-based, where it ends
    col: int  # the column (in characters) where it starts
    opener: str  # "//", "/*", "#", ...
    lines: tuple[str, ...]  # its text row by row, without the comment syntax
    alone: bool  # nothing but white space shares its rows
    doc: bool  # a doc comment: documentation, never a hole


def find_holes(file: SourceFile, language: Language, tags: tuple[str, ...]) -> list[Hole]:
    """The holes of one file whose marker sits on an added line."""
    text = file.text.removeprefix("\ufeff")
    bom = len(file.text) - len(text)
    lines = text.split("\n")
    if not _holds_candidate(added_text(text, lines, file.added), language, tags):
        return []
    tree = grammar.parse(language, text)
    spans: list[tuple[int, int, tuple[str, str] | None]]
    if tree is not None:
        spans = [
            (*_trimmed(text, start, end), None)
            for start, end in _char_spans(text, grammar.comment_spans(tree))
        ]
    else:
        spans = [(t.start, t.end, (t.opener, t.closer)) for t in lexer.comments(text, language)]
    found = _comments_that_matter(text, spans, language, tags)
    todo = tag_pattern(tags)
    todos = list(_todo_holes(file, language, lines, found, todo))
    if tree is None:
        return todos
    found_stubs = stubs.find(file, language, tree, text, [c.row for c in found], todo)
    holes = [
        h if h.scope else replace(h, scope=stubs.scope_at(tree, h.start_line))
        for h in merge(found_stubs, todos)
    ]
    if bom:  # the suggestion for a whole first line keeps the BOM with the signature
        holes = [
            replace(h, head="\ufeff" + h.head) if h.head and h.start_line == 1 else h for h in holes
        ]
    return holes


def _comments_that_matter(
    text: str,
    spans: list[tuple[int, int, tuple[str, str] | None]],
    language: Language,
    tags: tuple[str, ...],
) -> list[Comment]:
    """The comments that hold a tag, and those right under one (they may continue it): the
    only ones the TODO rules look at. Files hold thousands of comments; reading each one
    whole would cost more than parsing the file."""
    folded = tuple(t.casefold() for t in tags)
    line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
    found: list[Comment] = []
    next_row = -1  # the row right under the last comment kept
    for start, end, syntax in spans:
        row = bisect.bisect_right(line_starts, start)
        if row == next_row or any(t in text[start:end].casefold() for t in folded):
            comment = _comment(text, start, end, language, row, syntax)
            found.append(comment)
            next_row = comment.end_row + 1
    return found


def has_candidate(lines: list[str], language: Language, tags: tuple[str, ...]) -> bool:
    """Whether any of `lines` holds a tag or a stub word: worth parsing the file for."""
    return _holds_candidate("\n".join(lines), language, tags)


def _holds_candidate(text: str, language: Language, tags: tuple[str, ...]) -> bool:
    folded = tuple(t.casefold() for t in tags) + stub_rules.words(language)
    text = text.casefold()  # no marker spans a line break: one search each
    return any(word in text for word in folded)


def _todo_holes(
    file: SourceFile,
    language: Language,
    lines: list[str],
    comments: list[Comment],
    todo: re.Pattern[str],
) -> Iterator[Hole]:
    by_row = {c.row: c for c in comments}
    for comment in comments:
        if comment.doc or not comment.alone:
            continue
        # The tag opens the comment's text: its first row, or the first row with text in a
        # block comment whose opener stands alone ("/*\n * TODO: ...").
        texts = [line for line in comment.lines if line.strip()]
        match = todo.match(texts[0].strip()) if texts else None
        if match is None:
            continue
        tag_row = comment.row + next(i for i, line in enumerate(comment.lines) if line.strip())
        if tag_row not in file.added:
            continue
        instruction = [match["text"].strip(), *(t.strip() for t in texts[1:])]
        end = comment.end_row
        while (
            (below := by_row.get(end + 1))
            and below.alone
            and not below.doc
            and below.col == comment.col
            and below.opener == comment.opener
            and below.row == below.end_row
            and not todo.match(below.lines[0].strip())
        ):
            end = below.end_row
            instruction.append(below.lines[0].strip())
        yield Hole(
            path=file.path,
            start_line=comment.row,
            end_line=end,
            kind="todo",
            marker=match["tag"].upper(),
            language=language.name,
            indent=lines[comment.row - 1][: comment.col],
            instruction=" ".join(t for t in instruction if t),
        )


def _comment(
    text: str,
    start: int,
    end: int,
    language: Language,
    row: int,
    syntax: tuple[str, str] | None = None,
) -> Comment:
    """The comment at text[start:end], which starts on `row`; `syntax` is its opener and
    closer as the lexer read them, else they are read from its own text."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    body = text[start:end]
    opener, closer = syntax or _delimiters(body, language)
    inner = body[len(opener) :]
    if closer and inner.endswith(closer):
        inner = inner[: -len(closer)]
    rows = inner.replace("\r\n", "\n").split("\n")
    # "////", "##", "/***": a repeated opener is still the comment's syntax ("***/" too).
    rows[0] = rows[0].lstrip(opener[-1:])
    if closer:
        rows[-1] = rows[-1].rstrip().rstrip(closer[:1])
    if opener not in language.line:  # the "*" that starts the rows of a C-style block comment
        rows = [rows[0]] + [r.lstrip(" \t").removeprefix("*") for r in rows[1:]]
    return Comment(
        row=row,
        end_row=row + body.count("\n"),
        col=start - line_start,
        opener=opener,
        lines=tuple(rows),
        alone=not text[line_start:start].strip() and not text[end:line_end].strip(),
        doc=_is_doc(body, language),
    )


def _delimiters(body: str, language: Language) -> tuple[str, str]:
    """The opener and closer of a comment that tree-sitter found, as the lexer reads them
    ("--[==[" and "]==]"), else the longest opener of the table that it starts with."""
    found = lexer.comments(body, language)
    if found and found[0].start == 0:
        return found[0].opener, found[0].closer
    openers = [*((o, "") for o in language.line), *language.block]
    opener, closer = max(
        ((o, c) for o, c in openers if body.startswith(o)),
        key=lambda pair: len(pair[0]),
        default=("", ""),
    )
    return opener, closer if body.endswith(closer) else ""


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """A comment node's span without the line break some grammars end it with (Rust's doc
    comments), so that it ends on its own row."""
    while end > start and text[end - 1] in "\r\n":
        end -= 1
    return start, end


def _is_doc(body: str, language: Language) -> bool:
    """A doc comment: it begins with a doc opener not followed by that opener's own last
    character ("/**" is doc, "/***" a banner, "/**/" empty; "///" doc, "////" a rule)."""
    for opener in language.doc:
        if body.startswith(opener):
            rest = body[len(opener) :]
            return not rest.startswith(opener[-1]) and not rest.startswith("/")
    return False


def _char_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """tree-sitter counts bytes of UTF-8; slicing needs characters. The spans come in order,
    so each piece of text between two of their ends is decoded once."""
    if text.isascii():
        return spans
    data = text.encode("utf-8", "surrogatepass")
    chars: dict[int, int] = {0: 0}
    previous = 0
    try:
        for offset in sorted({b for span in spans for b in span}):
            piece = data[previous:offset].decode("utf-8", "surrogatepass")
            chars[offset] = chars[previous] + len(piece)
            previous = offset
    except UnicodeDecodeError:  # an end inside a character: count them one by one
        return _char_spans_slowly(text, spans)
    return [(chars[a], chars[b]) for a, b in spans]


def _char_spans_slowly(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    starts: list[int] = []  # byte offset where each character starts
    offset = 0
    for char in text:
        starts.append(offset)
        offset += len(char.encode("utf-8", "surrogatepass"))
    return [(bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)) for a, b in spans]
