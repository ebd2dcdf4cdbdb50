"""A lexer that knows only comments and strings, driven by a row of the language table.

It reads languages without an installed grammar (DESIGN.md section 2: "a lexer that knows the
language's comment and string syntax"), and the fragments of code a model returns, which no
grammar reads whole. Everything that is neither a comment nor a string is code to it.

One regular expression finds the next opener; each kind of token then ends with one more
search (a closer, an escape-aware string body, a heredoc's terminator line), so that no Python
loop walks the text character by character. It never raises, whatever the text: what is left
open runs to the end of its line or of the text.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

from bot.languages.table import PLACEHOLDER, DelimiterKind, Language

TokenKind = Literal["comment", "string"]

_EOL = "{eol}"
_BLANKS_TO_EOL = r"(?=[ \t]*\r?$)"
_NAME = r"(?:[A-Za-z_]\w*)?"
_CPP_DELIMITER = r'[^()\\\s"]{0,16}'  # what may stand between R" and (: up to 16 characters
_HEREDOC_WORD = r"(?P<{q}>[\"'`]?)(?P<{w}>[A-Za-z_][\w.-]*)(?P={q})"


@dataclass(frozen=True, slots=True, kw_only=True)
class Token:
    kind: TokenKind
    start: int  # offset of the first character in the text
    end: int  # offset just past the last character
    opener: str  # the delimiter that began it ("//", "/*", '"', "--[==[", ...)
    closer: str = ""  # the text that ended it: "" for a line comment, or one left open


@dataclass(frozen=True, slots=True)
class _Opener:
    kind: DelimiterKind
    close: tuple[tuple[bool, str], ...]  # the closer's parts: (is a placeholder, text or name)
    anchored: bool  # the closer must start its line
    alone: bool  # the closer must end its line
    nests: bool  # a nested block comment, reopened by the same literal text


@dataclass(frozen=True, slots=True)
class _Syntax:
    pattern: re.Pattern[str]  # any opener; the group that matched names it in `openers`
    openers: dict[str, _Opener]
    # The characters an opener may start with ("\n" for openers at a line's start), found by
    # a search that skips the text in between fast; None when any character may start one.
    first: re.Pattern[str] | None
    anchored: bool  # some opener must start its line
    # `pattern` past the search's start, where an opener that begins with a run ("{#+}")
    # starts only where its run does: tried inside the run, it would fail as it failed at the
    # run's start, reading the rest of the run again (a run of n "#" took n^2 steps).
    later: re.Pattern[str]
    # The characters that start only runs of themselves, and a run of each: once a try at one
    # fails, the search goes on past the run.
    runs: dict[str, re.Pattern[str]]


def _next(syntax: _Syntax, text: str, position: int) -> re.Match[str] | None:
    """The leftmost opener at or after `position`: `syntax.pattern.search`, only faster.

    A search for an alternation tries every alternative at every character; a search for a
    character class skips ahead in C, and only the characters found are tried."""
    if position >= len(text):
        return syntax.pattern.search(text, position)
    if syntax.first is None:
        return syntax.pattern.match(text, position) or syntax.later.search(text, position + 1)
    if syntax.anchored and (position == 0 or text[position - 1] == "\n"):
        found = syntax.pattern.match(text, position)
        if found is not None:
            return found
    origin = position
    find = syntax.first.search
    while (candidate := find(text, position)) is not None:
        at = candidate.start()
        start = at + 1 if text[at] == "\n" else at  # "\n": at the next line's start
        found = (syntax.pattern if start == origin else syntax.later).match(text, start)
        if found is not None:
            return found
        # Inside a run of a character that starts only runs of itself, every try would fail as
        # this one did (the rest of the same run, then the same text after it).
        run = syntax.runs.get(text[at])
        ran = run.match(text, at) if run else None
        position = ran.end() if ran else at + 1
    return None


def tokens(text: str, language: Language) -> list[Token]:
    """The comments and strings of `text`, in order, never overlapping. An unclosed block
    comment or long string runs to the end of the text; an unclosed one-line string ends with
    its line."""
    syntax = _syntax(language)
    found: list[Token] = []
    heredocs: list[tuple[str, str]] = []  # (opener, word) waiting for the end of their line
    newline = -1  # where the line of those heredocs ends
    position = 0
    while True:
        match = _next(syntax, text, position)
        if heredocs:
            if newline < position:
                newline = text.find("\n", position)
                newline = len(text) if newline == -1 else newline
            if newline == len(text):  # no line follows: no bodies
                heredocs = []
            elif match is None or match.start() > newline:
                position = _heredoc_bodies(text, newline + 1, heredocs, found)
                heredocs = []
                continue
        if match is None:
            return found
        group = match.lastgroup or ""
        opener = syntax.openers.get(group)
        if opener is None:  # cannot happen: every alternative is a named group
            position = match.end()
            continue
        start = match.start(group)
        opened = match.group(group)
        kind = opener.kind
        end = match.end()
        closer = ""
        if kind == "line":
            end = _line_end(text, end)
            found.append(Token(kind="comment", start=start, end=end, opener=opened))
        elif kind == "block":
            end, closer = _block_end(text, match, opener, opened)
            found.append(Token(kind="comment", start=start, end=end, opener=opened, closer=closer))
        elif kind == "chars":  # 'a' and '\n', not Rust's 'a lifetimes: see _char_end
            char_end = _char_end(text, end)
            if char_end is not None:  # else a lifetime or a type variable: code
                end = char_end
                found.append(Token(kind="string", start=start, end=end, opener=opened, closer="'"))
        elif kind == "heredoc":
            heredocs.append((opened, match.group(group + "w")))
        elif kind != "code":
            end, closer = _string_end(text, match, opener, language.escape)
            found.append(Token(kind="string", start=start, end=end, opener=opened, closer=closer))
        position = max(end, match.end(), position + 1)


def comments(text: str, language: Language) -> list[Token]:
    return [t for t in tokens(text, language) if t.kind == "comment"]


@functools.cache
def _syntax(language: Language) -> _Syntax:
    alternatives: list[tuple[int, str, str]] = []  # (length, regex, regex past the start)
    openers: dict[str, _Opener] = {}
    firsts: set[str | None] = set()
    runs: dict[str, bool] = {}  # a first character: every opener it starts is a run of it
    some_anchored = False
    for index, delimiter in enumerate(language.delimiters):
        group = f"d{index}"
        kind = delimiter.kind
        anchored = delimiter.open.startswith("^")
        template = delimiter.open.removeprefix("^")
        alone = template.endswith(_EOL)
        template = template.removesuffix(_EOL)
        body, names = _template(template, group)
        if alone:
            body += _BLANKS_TO_EOL
        if kind == "heredoc":
            body += _HEREDOC_WORD.format(q=group + "q", w=group + "w")
        lead = r"^[ \t]*" if anchored else ""
        if template[:1].isalnum() or template[:1] == "_" or kind == "chars":
            # the quote of Haskell's foldl' or of 1'000 opens no character literal
            lead += r"(?<!\w)"
        if kind == "line" and language.line_after is not None:
            allowed = re.escape(language.line_after)
            lead += rf"(?<![^{allowed}\r\n])"
        trail = r"(?!\w)" if kind != "heredoc" and (template[-1:].isalnum()) else ""
        regex = f"{lead}(?P<{group}>{body}){trail}"
        run = None if lead else _leading_run(template)
        alternatives.append(
            (len(_literal(template)), regex, f"(?<!{run}){regex}" if run else regex)
        )
        first = _first(template)
        firsts.add(first)
        if first is not None:
            runs[first] = runs.get(first, True) and run is not None
        some_anchored = some_anchored or anchored
        close_template = delimiter.close.removeprefix("^")
        close = _closer_parts(close_template.removesuffix(_EOL), names)
        nests = language.nested and kind == "block" and not names and not anchored
        openers[group] = _Opener(
            kind,
            close,
            anchored=delimiter.close.startswith("^"),
            alone=close_template.endswith(_EOL),
            nests=nests,
        )
    if not alternatives:
        nothing = re.compile(r"(?!)")
        return _Syntax(nothing, openers, None, anchored=False, later=nothing, runs={})
    starts = None
    if None not in firsts:
        chars = "".join(sorted(f for f in firsts if f)) + ("\n" if some_anchored else "")
        starts = re.compile(f"[{re.escape(chars)}]")
    # Python's alternation takes the first alternative that matches, so longer openers first
    # ('"""' before '"', "--[[" before "--"); sorted() keeps the table's order among equals.
    ordered = sorted(alternatives, key=lambda a: -a[0])
    pattern = re.compile("|".join(a for _, a, _ in ordered), re.MULTILINE)
    later = re.compile("|".join(a for _, _, a in ordered), re.MULTILINE)
    only_runs = {c: re.compile(f"{re.escape(c)}+") for c, only in runs.items() if only}
    return _Syntax(pattern, openers, starts, anchored=some_anchored, later=later, runs=only_runs)


def _leading_run(template: str) -> str | None:
    """The character class of the run an opener template begins with ("{#+}": "[\\#]")."""
    match = PLACEHOLDER.match(template)
    if match is None or match[1] in ("id", "delim", "eol"):
        return None
    return _placeholder(match[1]).rstrip("*+")


def _first(template: str) -> str | None:
    """The character an opener template starts with, or None when it may start with several
    ("{=}x" may start with "=" or "x")."""
    match = PLACEHOLDER.match(template)
    if match is None:
        return template[:1] or None
    inside = match[1]
    return inside[0] if len(inside) == 2 and inside.endswith("+") else None


def _template(template: str, group: str) -> tuple[str, dict[str, str]]:
    """The regular expression of an opener template, and the group of each placeholder."""
    parts: list[str] = []
    names: dict[str, str] = {}
    last = 0
    for number, match in enumerate(PLACEHOLDER.finditer(template)):
        parts.append(re.escape(template[last : match.start()]))
        name = f"{group}p{number}"
        names[match[1]] = name
        inner = _placeholder(match[1])
        after = template[match.end() : match.end() + 1]
        if after not in ("", "{") and match[1] not in ("id", "delim"):
            # The text after a run, looked for first: the regex engine skips back along a bare
            # run fast, but gives back a run inside a group one step at a time (10 times
            # slower) when the text after it is missing.
            parts.append(f"(?={inner}{re.escape(after)})")
        parts.append(f"(?P<{name}>{inner})")
        last = match.end()
    parts.append(re.escape(template[last:]))
    return "".join(parts), names


def _placeholder(inside: str) -> str:
    if inside == "id":
        return _NAME
    if inside == "delim":
        return _CPP_DELIMITER
    repeated = " \t" if inside[0] == " " else inside[0]  # "{ }": any run of blanks
    return f"[{re.escape(repeated)}]{'+' if inside.endswith('+') else '*'}"


def _literal(template: str) -> str:
    return PLACEHOLDER.sub("", template)


def _closer_parts(template: str, names: dict[str, str]) -> tuple[tuple[bool, str], ...]:
    parts: list[tuple[bool, str]] = []
    last = 0
    for match in PLACEHOLDER.finditer(template):
        parts.append((False, template[last : match.start()]))
        if match[1] in names:
            parts.append((True, names[match[1]]))
        last = match.end()
    parts.append((False, template[last:]))
    return tuple(p for p in parts if p[1])


def _closer(match: re.Match[str], opener: _Opener) -> str:
    return "".join(match.group(text) or "" if named else text for named, text in opener.close)


def _closer_pattern(closer: str, opener: _Opener) -> str:
    """The regular expression of a closer's literal text."""
    pattern = re.escape(closer)
    if opener.anchored:
        pattern = r"^[ \t]*" + pattern
    if closer[-1:].isalnum():  # "=end", not "=ending"
        pattern += r"(?!\w)"
    if opener.alone:
        pattern += _BLANKS_TO_EOL
    return pattern


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    if end == -1:
        return len(text)
    return end - 1 if text[end - 1 : end] == "\r" else end


def _block_end(text: str, match: re.Match[str], opener: _Opener, opened: str) -> tuple[int, str]:
    """Where a block comment ends (just past its closer, or the text's end), and its closer."""
    closer = _closer(match, opener)
    position = match.end()
    if not closer:
        return len(text), ""
    if not opener.nests:
        found = _compiled(_closer_pattern(closer, opener)).search(text, position)
        return (found.end(), found.group()) if found else (len(text), "")
    # The closers and the openers in one pass (a closer first where both begin); looking for
    # the next of each from each one found read a run of openers again for each of them.
    depth = 1
    for found in _compiled(f"(?P<c>{re.escape(closer)})|{re.escape(opened)}").finditer(
        text, position
    ):
        depth += -1 if found.lastgroup else 1
        if not depth:
            return found.end(), closer
    return len(text), ""


def _string_end(text: str, match: re.Match[str], opener: _Opener, escape: str) -> tuple[int, str]:
    """Where a string ends (just past its closer, at its line's end for one that may not span
    lines, or at the text's end), and its closer."""
    closer = _closer(match, opener)
    kind = opener.kind
    if kind not in ("strings", "long"):
        # No escapes, but a doubled one-character closer stands for itself ('it''s').
        escape = closer * 2 if len(closer) == 1 else ""
    close = _closer_pattern(closer, opener) if closer else ""
    first = "\n" if opener.anchored else closer[:1]
    body, ending = _string_patterns(escape, close, first, one_line=kind in ("strings", "quotes"))
    held = body.match(text, match.end())  # always matches, if only the empty string
    position = held.end() if held else match.end()
    if ending is not None and (found := ending.match(text, position)):
        return found.end(), found.group()
    return position, ""


@functools.lru_cache(maxsize=256)
def _string_patterns(
    escape: str, close: str, first: str, *, one_line: bool
) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """A string's body (what it holds up to its closer, its line's end or the text's end) and
    its closer. `escape` is the escape character ("\\"), or a doubled quote, or ""; `close`
    the closer's regular expression and `first` the character it may start after."""
    anything = r"[^\r\n]" if one_line else r"[\s\S]"
    # Runs of characters that start neither an escape nor the closer (nor a line, where the
    # closer must start one) go in one step: a step per character would be slow.
    stops = re.escape("".join(sorted({escape[:1], first} | ({"\r", "\n"} if one_line else set()))))
    step = f"(?:[^{stops}]+|{anything})"
    if close:
        step = f"(?!{close}){step}"
    if len(escape) == 1:
        step = rf"{re.escape(escape)}[\s\S]|{step}"
    elif escape:  # before the closer: '' in 'it''s' closes nothing
        step = f"{re.escape(escape)}|{step}"
    body = re.compile(f"(?:{step})*", re.MULTILINE)
    return body, (re.compile(close, re.MULTILINE) if close else None)


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.MULTILINE)


def _heredoc_bodies(
    text: str, start: int, heredocs: list[tuple[str, str]], found: list[Token]
) -> int:
    """Add the bodies of the heredocs opened on the line before `start` (one string token from
    that line to the last terminator) and return where they end."""
    end = start
    terminator = ""
    for _, word in heredocs:
        pattern = _compiled(rf"^[ \t]*{re.escape(word)}[ \t]*(?=\r?$)")
        ended = pattern.search(text, end)
        if ended is None:
            end, terminator = len(text), ""
            break
        end, terminator = ended.end(), word
    if end > start:  # else the text ends where the bodies would begin
        found.append(
            Token(kind="string", start=start, end=end, opener=heredocs[0][0], closer=terminator)
        )
    return end  # past the heredocs' line: the scan goes on


def _char_end(text: str, position: int) -> int | None:
    """Where a character literal that starts just before `position` ends, or None when the
    quote is not one ('a', '\\n', '\\u{1F600}' are; 'a in `&'a str` is not)."""
    if text.startswith("\\", position):
        close = text.find("'", position + 2, position + 12)  # '\u{10FFFF}' at the longest
        if close == -1 or "\n" in text[position:close]:
            return None
        return close + 1
    if position + 1 < len(text) and text[position + 1] == "'" and text[position] != "\n":
        return position + 2
    return None
