"""An oracle for the fake Codestral server: it answers each FIM request with the true middle.

Built from the original texts that the holes were cut out of, it finds where the prompt's
tail and the suffix's head sit in one of them and answers with what lies between, then adds
the noise of the chosen mode: the mistakes real FIM models make (echoing the code after the
hole, running on into a new function, fences, stray indentation, loops, special tokens).
A round trip through the bot then shows whether its clean-up gets the original back.

Standard library only, and nothing from the project's ``bot`` package.  Usage::

    oracle = make_oracle([original_text], "echo_suffix")
    with FakeCodestral() as fake:
        fake.responder = oracle
        ...
    assert oracle.stats.unmatched == 0

Matching.  The prompt may begin with repo-context snippets (``# Path: ...`` and code from
other files) and may end with one instruction comment made from a TODO's text; neither is in
the original.  So the oracle looks for the longest run of the prompt's last lines that an
original holds (the window shrinks from the whole prompt until it is found), tries again
without the last line when that line is a comment and dropping it finds more, then, after
each place found, for the longest run of the suffix's first lines.  Several places left
(identical code, too little context): the shortest middle wins, and a tie between different
middles is no match.  A suffix that is only white space (``"\\n"``) stands for the end of the
file.  Line breaks: texts are compared with ``"\\n"``; the answer uses ``"\\r\\n"`` when the
request does.
"""

from __future__ import annotations

import re
import threading
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["MODES", "Oracle", "OracleStats", "make_oracle"]

SPECIAL_TOKENS = ("<|endoftext|>", "<fim_middle>")
RUNAWAY = "def unrelated_helper(x):\n    return x\n"
WHITESPACE_ONLY = "\n    \n\t\n"
DEFAULT_MAX_TOKENS = 512  # what a request without max_tokens gets (the bot's default)
CHARS_PER_TOKEN = 4  # as the fake's own estimate: max_tokens * 4 characters are kept

_DEF = re.compile(r"^([ \t]*)(?:async[ \t]+def|def|class)[ \t]")
_MAX_PLACES = 1000  # more places than this for the prompt's tail: too little context to tell


@dataclass(frozen=True)
class _Request:
    prompt: str  # with "\n" line breaks
    suffix: str
    max_tokens: int
    seed: int  # a stable hash of the prompt, for the modes' deterministic choices


@dataclass
class OracleStats:
    """How many requests found their place in an original, and how many did not."""

    matched: int = 0
    unmatched: int = 0
    unchanged: int = 0  # matched, but the mode's noise could not apply (too_shallow at col 0)


class Oracle:
    """A responder for ``FakeCodestral``: ``oracle(body) -> completion``, counting in ``stats``."""

    def __init__(self, originals: Iterable[str], mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown oracle mode {mode!r}; known: {', '.join(MODES)}")
        self.mode = mode
        self.stats = OracleStats()
        self._texts = [text.replace("\r\n", "\n") for text in originals]
        self._lock = threading.Lock()  # the fake answers requests on several threads

    def __call__(self, body: dict[str, Any]) -> str:
        prompt = str(body.get("prompt") or "")
        suffix = str(body.get("suffix") or "")
        newline = "\r\n" if "\r\n" in prompt + suffix else "\n"
        prompt, suffix = prompt.replace("\r\n", "\n"), suffix.replace("\r\n", "\n")
        middle = self.middle(prompt, suffix)
        if middle is None:
            with self._lock:
                self.stats.unmatched += 1
            return ""
        max_tokens = body.get("max_tokens")
        request = _Request(
            prompt=prompt,
            suffix=suffix,
            max_tokens=max_tokens if isinstance(max_tokens, int) else DEFAULT_MAX_TOKENS,
            seed=zlib.crc32(prompt.encode()),
        )
        noisy = MODES[self.mode](middle, request)
        with self._lock:
            self.stats.matched += 1
            if noisy == middle and self.mode != "perfect":
                self.stats.unchanged += 1
        return noisy.replace("\n", newline)

    def middle(self, prompt: str, suffix: str) -> str | None:
        """The text between the prompt's tail and the suffix's head in an original, or None."""
        lines = _lines(prompt)
        tails = [lines]
        if lines and lines[-1].lstrip().startswith("#"):
            tails.append(lines[:-1])  # perhaps the instruction comment, not in the original
        sizes = [self._longest(tail) for tail in tails]
        best = max(range(len(tails)), key=lambda i: (sizes[i], -i))
        if sizes[best]:
            places = self._places("".join(tails[best][-sizes[best] :]))
        elif not tails[-1]:
            places = [(index, 0) for index in range(len(self._texts))]  # the hole starts a file
        else:
            return None
        if not suffix.strip():  # nothing after the hole: it runs to the end of the file
            return _shortest([(0, self._texts[index][at:]) for index, at in places])
        heads = _lines(suffix)
        found: list[tuple[int, str]] = []
        for index, at in places:
            text = self._texts[index]
            size = _largest(len(heads), lambda j, t=text, a=at: t.find("".join(heads[:j]), a) >= 0)
            if size:
                found.append((size, text[at : text.find("".join(heads[:size]), at)]))
        return _shortest(found)

    def _longest(self, tail: list[str]) -> int:
        """How many of the last lines of `tail` an original holds together, at most."""

        def holds(k: int) -> bool:
            window = "".join(tail[len(tail) - k :])
            return any(window in text for text in self._texts)

        return _largest(len(tail), holds)

    def _places(self, tail: str) -> list[tuple[int, int]]:
        """(original, offset) right after each occurrence of `tail`; none if too many."""
        places: list[tuple[int, int]] = []
        for index, text in enumerate(self._texts):
            start = text.find(tail)
            while start >= 0 and len(places) <= _MAX_PLACES:
                places.append((index, start + len(tail)))
                start = text.find(tail, start + 1)
        return places if len(places) <= _MAX_PLACES else []


def _largest(most: int, holds: Callable[[int], bool]) -> int:
    """The largest k in 0..most for which `holds(k)`, where holds(k) implies holds(k - 1)."""
    low, high = 0, most
    while low < high:
        mid = (low + high + 1) // 2
        if holds(mid):
            low = mid
        else:
            high = mid - 1
    return low


def _shortest(found: list[tuple[int, str]]) -> str | None:
    """Of the middles matched by the most suffix lines, the shortest; None on a tie."""
    if not found:
        return None
    most = max(size for size, _ in found)
    middles = {middle for size, middle in found if size == most}
    shortest = min(len(m) for m in middles)
    candidates = [m for m in middles if len(m) == shortest]
    return candidates[0] if len(candidates) == 1 else None


def make_oracle(originals: Iterable[str], mode: str = "perfect") -> Oracle:
    """A FakeCodestral responder answering with the true middle, plus `mode`'s noise."""
    return Oracle(originals, mode)


# --------------------------------------------------------------------------- noise


def _lines(text: str) -> list[str]:
    """Lines with their "\\n"; only "\\n" ends a line (form feeds and the like do not)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _unit(middle: str, request: _Request) -> str:
    """One level of indentation: a tab in files indented with tabs, else four spaces."""
    for line in _lines(middle) + _lines(request.prompt):
        if line[:1] in (" ", "\t") and line.strip():
            return "\t" if line[0] == "\t" else "    "
    return "    "


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _with_newline(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def _perfect(middle: str, request: _Request) -> str:
    return middle


def _echo_suffix(middle: str, request: _Request) -> str:
    count = 1 + request.seed % 3
    return _with_newline(middle) + "".join(_lines(request.suffix)[:count])


def _runaway(middle: str, request: _Request) -> str:
    first = next((line for line in _lines(middle) if line.strip()), "")
    hole = len(_indent_of(first).expandtabs(4))
    indent = ""
    for line in reversed(_lines(request.prompt)):
        match = _DEF.match(line)
        if match and len(match[1].expandtabs(4)) < hole:
            indent = match[1]
            break
    helper = "".join(indent + line for line in _lines(RUNAWAY))
    return _with_newline(middle) + "\n\n" + helper


def _leading_newline(middle: str, request: _Request) -> str:
    return "\n" + middle


def _leading_space(middle: str, request: _Request) -> str:
    return " " + middle


def _fence(middle: str, request: _Request) -> str:
    return "```python\n" + _with_newline(middle) + "```\n"


def _too_deep(middle: str, request: _Request) -> str:
    unit = _unit(middle, request)
    return "".join(unit + line if line.strip() else line for line in _lines(middle))


def _too_shallow(middle: str, request: _Request) -> str:
    unit = _unit(middle, request)
    lines = _lines(middle)
    if not all(line.startswith(unit) for line in lines if line.strip()):
        return middle  # some line is already at the margin: not possible
    return "".join(line.removeprefix(unit) for line in lines)


def _empty(middle: str, request: _Request) -> str:
    return ""


def _whitespace(middle: str, request: _Request) -> str:
    return WHITESPACE_ONLY


def _repeat(middle: str, request: _Request) -> str:
    line = _with_newline(next((x for x in _lines(middle) if x.strip()), "pass\n"))
    wanted = request.max_tokens * CHARS_PER_TOKEN
    return line * (wanted // len(line) + 2)  # more than max_tokens: the server cuts it


def _special_token(middle: str, request: _Request) -> str:
    return middle + SPECIAL_TOKENS[request.seed % len(SPECIAL_TOKENS)]


MODES: dict[str, Callable[[str, _Request], str]] = {
    "perfect": _perfect,
    "echo_suffix": _echo_suffix,  # (a)
    "runaway": _runaway,  # (b)
    "leading_newline": _leading_newline,  # (c)
    "leading_space": _leading_space,  # (c)
    "fence": _fence,  # (d)
    "too_deep": _too_deep,  # (e)
    "too_shallow": _too_shallow,  # (e)
    "empty": _empty,  # (f)
    "whitespace": _whitespace,  # (f)
    "repeat": _repeat,  # (g)
    "special_token": _special_token,  # (h)
}
"""Noise modes by name: each takes the true middle and the request, returns the answer."""
