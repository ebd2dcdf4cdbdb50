"""Which files the configuration lets fim-bot look at: `include` and `exclude` globs, matched
the way .gitignore matches (https://git-scm.com/docs/gitignore#_pattern_format)."""

from __future__ import annotations

import functools
import itertools
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass

# Always excluded, before the user's own patterns: files that hold secrets by their name. A file
# may be let back in with a negated pattern ("!secret_santa.py"), never by accident.
DEFAULT_EXCLUDE = (
    ".env*",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "id_rsa*",
    "id_ed25519*",
    ".netrc",
    ".npmrc",
    ".pypirc",
    "*secret*",
    "*credentials*",
)
EXCLUDED = "excluded by configuration"


class BadGlob(ValueError):
    """A pattern that cannot be a path glob; the message says why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FileFilter:
    """`include` (empty: every file) narrows what is scanned; `exclude` (after the built-in
    DEFAULT_EXCLUDE) also hides files from everything else: repo context, override rules.

    `floor`, when set, is an exclude list that hides files whatever `exclude` says: that of a
    source the user trusts, when `exclude` comes from a file that a branch or a pull request can
    change (its `!` patterns may then lift nothing that the trusted list, or the built-in one,
    hides)."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    floor: tuple[str, ...] | None = None

    def hidden(self, path: str) -> bool:
        """Excluded: never scanned, never read for a prompt."""
        if self.floor is not None and _last_match((*DEFAULT_EXCLUDE, *self.floor), path):
            return True
        return _last_match((*DEFAULT_EXCLUDE, *self.exclude), path)

    def scanned(self, path: str) -> bool:
        """Included (or no include list) and not excluded."""
        included = not self.include or _last_match(self.include, path)
        return included and not self.hidden(path)


def check(pattern: str) -> None:
    """Raise `BadGlob` when `pattern` is not a glob fim-bot can match."""
    _compile(pattern)


def _last_match(patterns: tuple[str, ...], path: str) -> bool:
    """As in .gitignore, the last pattern that matches decides, and `!` negates."""
    for pattern in reversed(patterns):
        negated, regex = _compile(pattern)
        if regex.fullmatch(path):
            return not negated
    return False


@functools.lru_cache(maxsize=256)
def _compile(pattern: str) -> tuple[bool, re.Pattern[str]]:
    """(negated, regex). Without a "/" a pattern matches a name at any depth; with one it is
    relative to the repository root. `**` is any number of folders; a match on a folder takes
    in everything under it; a trailing "/" matches folders only. Case is ignored.

    Pattern and path may both come from a pull request: the regex takes time linear in the
    path. Written plainly (`[^/]*` for each `*`, `(?:[^/]+/)*` for each `**`) it would try
    every way of sharing the path out among them: `*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b` took 16 s
    on 30 characters. Here each `*` and `**` but the last of its component or pattern takes
    the leftmost place where what comes next matches, and keeps it: no match is lost, as what
    comes next has a fixed width (characters, or whole components: paths as git writes them,
    without an empty one).
    """
    negated = pattern.startswith("!")
    body = pattern[1:] if negated else pattern
    if not body.strip():
        raise BadGlob("it is empty")
    if "\\" in body:
        raise BadGlob("use / between folders (a backslash is not a separator)")
    folder_only = body.endswith("/")
    body = body.strip("/") if folder_only else body.lstrip("/")
    anchored = "/" in body or pattern.lstrip("!").startswith("/")
    parts = body.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise BadGlob("it must be a path inside the repository, without '.', '..' or '//'")
    names = itertools.count()
    # The folders a `**` skips: each `**` between components, and (unanchored) the path's start.
    segments: list[str] = [] if anchored else [""]  # the components after each such `**`
    regex = ""
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**" and last:
            piece = ".*"
        elif part == "**":
            segments.append("")
            continue
        elif "**" in part:
            raise BadGlob("'**' must be a whole path component, as in 'a/**/b'")
        else:
            piece = _component(part, names) + ("" if last else "/")
        if segments:
            segments[-1] += piece
        else:
            regex += piece
    # Each skip but the last stops at the first place where the components after it match. The
    # last is followed by the pattern's end, which may take any number of folders: the regex
    # tries each place once.
    for segment in segments[:-1]:
        regex += _atomic(f"(?:[^/]+/)*?{segment}", names)
    if segments:
        regex += "(?:.*/)?" + segments[-1]
    regex += "/.*" if folder_only else "(?:/.*)?"
    try:
        return negated, re.compile(regex, re.IGNORECASE | re.DOTALL)
    except re.error as error:  # a range backwards, as in "[z-a]"
        raise BadGlob(f"bad character class ({error.msg})") from None


def _atomic(regex: str, names: Iterator[int]) -> str:
    """`regex`, whose first match is kept, never another one: an atomic group, which Python
    has from 3.11; before, a lookahead (never entered again once it has matched) and a
    backreference to what it matched, which reads the text twice."""
    if sys.version_info >= (3, 11):
        return f"(?>{regex})"
    name = f"g{next(names)}"
    # The group's text again, case and all: compared ignoring case it costs 4 times more.
    return f"(?=(?P<{name}>{regex}))(?-i:(?P={name}))"


def _component(part: str, names: Iterator[int]) -> str:
    """One path component: `*` and `?` stay inside it, `[...]` is a character class. Each `*`
    but the last takes the leftmost place where the characters up to the next `*` match; the
    last takes the rest of the component, whose end must match the characters after it."""
    chunks = [_characters(chunk) for chunk in _stars(part)]
    if len(chunks) == 1:
        return "".join(chunks[0])
    head, *middle, tail = chunks
    regex = "".join(head)
    regex += "".join(_atomic("[^/]*?" + "".join(chunk), names) for chunk in middle if chunk)
    if not tail:
        return regex + _atomic("[^/]*", names)
    # Not `[^/]*{tail}`, which on a failure tries the tail at every character of the component
    # (a character a step, 20 times slower than a scan): the rest of the component, then its
    # last characters looked at from its end.
    rest = _atomic("[^/]*", names)
    return f"{regex}(?=[^/]{{{len(tail)}}}){rest}(?<={''.join(tail)})"


def _stars(part: str) -> list[str]:
    """`part` cut at each `*` outside a character class ("[*]" is a star, not a wildcard)."""
    chunks = [""]
    i = 0
    while i < len(part):
        if part[i] == "*":
            chunks.append("")
        else:
            end = _class_end(part, i) if part[i] == "[" else i
            chunks[-1] += part[i : end + 1]
            i = end
        i += 1
    return chunks


def _class_end(part: str, start: int) -> int:
    """Where the character class that opens at `start` closes."""
    # As fnmatch: a "]" first in the class (after any "!") is a member, not its end.
    first = start + 2 if part[start + 1 : start + 2] == "!" else start + 1
    end = part.find("]", first + 1)
    if end < 0:
        raise BadGlob("'[' has no closing ']'")
    return end


def _characters(chunk: str) -> list[str]:
    """The regex of each character of a run without `*`: `?`, a class or a literal."""
    out: list[str] = []
    i = 0
    while i < len(chunk):
        char = chunk[i]
        if char == "?":
            out.append("[^/]")
        elif char == "[":
            end = _class_end(chunk, i)
            inner = chunk[i + 1 : end]
            negated = inner.startswith("!")
            inner = inner[1:] if negated else inner
            escaped = "".join(c if c == "-" else re.escape(c) for c in inner)
            out.append(("[^/" if negated else "[") + escaped + "]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return out
