"""Hidden fingerprints that let re-runs recognise their own suggestions.

A fingerprint is computed from the path, the enclosing definition and the hole's own text,
never from line numbers: edits elsewhere in the file leave it alone, and two identical `pass`
stubs in different functions get different ones (DESIGN.md section 3, issue C).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable

from bot.data import Hole
from bot.text import split_lines

_MARKER = "<!-- fim-bot:fingerprint={} -->"
# Only the body's last line counts: a marker quoted inside a suggestion or a reply is text.
_LAST_LINE = re.compile(r"<!-- fim-bot:fingerprint=([0-9a-f]{16}) -->\s*\Z")


def fingerprints(holes: Iterable[Hole], texts: dict[str, str]) -> dict[Hole, str]:
    """A fingerprint per hole; identical holes in the same scope are told apart by order."""
    seen: Counter[str] = Counter()
    found: dict[Hole, str] = {}
    for hole in holes:
        lines = split_lines(texts[hole.path])[hole.start_line - 1 : hole.end_line]
        own = "\n".join(" ".join(line.split()) for line in lines)
        key = f"{hole.path}\0{hole.scope}\0{own}"
        seen[key] += 1
        digest = hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest()
        found[hole] = digest[:16]
    return found


def marker(fingerprint: str) -> str:
    return _MARKER.format(fingerprint)


def read(body: str) -> str | None:
    """The fingerprint a comment body ends with, if any."""
    match = _LAST_LINE.search(body)
    return match[1] if match else None
