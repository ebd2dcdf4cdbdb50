"""Which files the configuration lets fim-bot look at: `include` and `exclude` globs, matched
the way .gitignore matches (https://git-scm.com/docs/gitignore#_pattern_format)."""

from __future__ import annotations

import functools
import re
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
    in everything under it; a trailing "/" matches folders only. Case is ignored."""
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
    regex = "" if anchored else "(?:[^/]+/)*"
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            regex += ".*" if last else "(?:[^/]+/)*"
            continue
        if "**" in part:
            raise BadGlob("'**' must be a whole path component, as in 'a/**/b'")
        regex += _component(part) + ("" if last else "/")
    regex += "/.*" if folder_only else "(?:/.*)?"
    try:
        return negated, re.compile(regex, re.IGNORECASE | re.DOTALL)
    except re.error as error:  # a range backwards, as in "[z-a]"
        raise BadGlob(f"bad character class ({error.msg})") from None


def _component(part: str) -> str:
    """One path component: `*` and `?` stay inside it, `[...]` is a character class."""
    out: list[str] = []
    i = 0
    while i < len(part):
        char = part[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            # As fnmatch: a "]" first in the class (after any "!") is a member, not its end.
            first = i + 2 if part[i + 1 : i + 2] == "!" else i + 1
            end = part.find("]", first + 1)
            if end < 0:
                raise BadGlob("'[' has no closing ']'")
            inner = part[i + 1 : end]
            negated = inner.startswith("!")
            inner = inner[1:] if negated else inner
            escaped = "".join(c if c == "-" else re.escape(c) for c in inner)
            out.append(("[^/" if negated else "[") + escaped + "]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)
