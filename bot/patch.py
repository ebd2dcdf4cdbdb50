"""git's patch format, read by hand: which lines of each file a `git diff` patch adds.

unidiff raises on a patch cut short and misreads the `diff --git a/X b/Y` line when a name holds
" b/" (git's own format is ambiguous there), so the local modes read git's patches here; the
patches of the GitHub API still go through unidiff (bot/github/source.py).
"""

from __future__ import annotations

import re


def parse_patch(patch: bytes) -> dict[str, frozenset[int] | None]:
    """The added line numbers of each file of a `git diff` patch (None for a binary file),
    read file part by file part. What is not git's format is skipped; a name git quotes stays
    quoted (bot.source asks git for that file alone)."""
    found: dict[str, frozenset[int] | None] = {}
    for part in _FILE_PART.split(patch.decode("utf-8", "surrogateescape")):
        first_hunk = _HUNKS.search(part)
        header = part[: first_hunk.start()] if first_hunk else part
        name = _new_name(header.split("\n"))
        if name is not None:
            found[name] = _added_in_part(part, header)
    return found


# Where git starts each file's part of a patch: hunk lines start with " ", "+", "-" or "\\".
_FILE_PART = re.compile(r"^(?=diff --git )", re.MULTILINE)
_HUNKS = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@[^\n]*\n?", re.MULTILINE)
_PREFIX = re.compile(r"[abciow12]/")  # git's side prefixes, mnemonic and --no-index ones too


def _new_name(lines: list[str]) -> str | None:
    """The file's name on the new side, from the lines git writes unambiguously (`rename to`,
    `+++`, which ends with a tab when the name holds a space), else from a `diff --git` line
    that names the same file twice."""
    for line in lines[1:]:
        if line.startswith("@@"):
            break
        if line.startswith(("rename to ", "copy to ")):
            return line.split(" to ", 1)[1]
        if line.startswith("+++ ") and line != "+++ /dev/null":
            return _unprefixed(line[4:].removesuffix("\t"))
    sides = lines[0].removeprefix("diff --git ")
    half = len(sides) // 2
    if lines[0].startswith("diff --git ") and sides[half : half + 1] == " ":
        old, new = _unprefixed(sides[:half]), _unprefixed(sides[half + 1 :])
        if old == new:
            return new
    return None


def _unprefixed(name: str) -> str:
    quoted = len(name) > 1 and name[0] == name[-1] == '"'
    bare = name[1:-1] if quoted else name
    bare = bare[2:] if _PREFIX.match(bare) else bare
    return f'"{bare}"' if quoted else bare


def _added_in_part(part: str, header: str) -> frozenset[int] | None:
    """The new-side numbers of the `+` lines of the part's hunks; None for a binary file."""
    if any(
        line.startswith("Binary files ") or line == "GIT binary patch"
        for line in header.split("\n")
    ):
        return None
    added: set[int] = set()
    hunks = list(_HUNKS.finditer(part))
    ends = [h.start() for h in hunks[1:]] + [len(part)]
    for hunk, end in zip(hunks, ends[: len(hunks)], strict=True):
        body = part[hunk.end() : end]
        row = int(hunk[1])
        lines = "\n" + body
        if "\n " not in lines and "\n-" not in lines:
            # Only added lines (a --unified=0 patch, or a new file): counted, not walked.
            added.update(range(row, row + lines.count("\n+")))
            continue
        for line in body.split("\n"):
            if line.startswith("+"):
                added.add(row)
                row += 1
            elif line.startswith(" "):
                row += 1
    return frozenset(added)
