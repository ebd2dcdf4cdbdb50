"""An oracle for the fake Codestral server: it answers each FIM request with the true middle.

Built from the original texts that the holes were cut out of, it finds where the prompt's
tail and the suffix's head sit in one of them and answers with what lies between, then adds
the noise of the chosen mode: the mistakes real FIM models make (echoing the code after the
hole, running on into a new function, fences, stray indentation, loops, special tokens).
A round trip through the bot then shows whether its clean-up gets the original back.

Standard library only, and nothing from the project's ``bot`` package.  Usage::

    oracle = make_oracle({"pkg/mod.py": original_text}, "echo_suffix")
    with FakeCodestral() as fake:
        fake.responder = oracle
        ...
    assert oracle.stats.unmatched == 0

Languages.  Given a mapping, the oracle knows each original's file name, and the noise that
depends on the language follows the extension of the original a request matched: ``runaway``
writes a new function of that language (after closing the block, in languages with braces),
``fence`` carries its tag, ``too_deep`` and ``too_shallow`` move by the file's own
indentation step.  Originals given as bare texts, or names of no known language, are Python.

Matching.  The prompt may begin with repo-context snippets (``# Path: ...`` or
``// Path: ...`` and code from other files) and may end with one instruction comment made
from a TODO's text (``#`` or ``//``); neither is in the original.  So the oracle looks for the
longest run of the prompt's last lines that an original holds (the window shrinks from the
whole prompt until it is found), tries again without the last line when that line is a
comment and dropping it finds more, then, after each place found, for the longest run of the
suffix's first lines.  Runs of lines match at the start of a line only.  Several places left
(identical code, too little context): the shortest middle wins, and a tie between different
middles is no match.  A suffix that is only white space (``"\\n"``) stands for the end of the
file.  Line breaks: texts are compared with ``"\\n"``; the answer uses ``"\\r\\n"`` when the
request does.
"""

from __future__ import annotations

import re
import threading
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["MODES", "Oracle", "OracleStats", "make_oracle"]

SPECIAL_TOKENS = ("<|endoftext|>", "<fim_middle>")
RUNAWAY = "def unrelated_helper(x):\n    return x\n"
# Languages with braces: the function a runaway writes after closing the hole's block, with
# "{unit}" for one level of the file's indentation. JavaScript inside a class (the block's
# opener indented) writes a method.
BRACE_RUNAWAY = {
    "javascript": "function unrelatedHelper(x) {\n{unit}return x\n}\n",
    "javascript method": "unrelatedHelper(x) {\n{unit}return x\n}\n",
    "typescript": "function unrelatedHelper(x: number): number {\n{unit}return x\n}\n",
    "typescript method": "unrelatedHelper(x: number): number {\n{unit}return x\n}\n",
    "java": "private static Object unrelatedHelper(Object x) {\n{unit}return x;\n}\n",
    "csharp": "private static object UnrelatedHelper(object x) {\n{unit}return x;\n}\n",
    "kotlin": "private fun unrelatedHelper(x: Int): Int {\n{unit}return x\n}\n",
    "go": "func unrelatedHelper(x int) int {\n{unit}return x\n}\n",
    "rust": "fn unrelated_helper(x: i32) -> i32 {\n{unit}x\n}\n",
    "c": "static int unrelated_helper(int x) {\n{unit}return x;\n}\n",
    "cpp": "static int unrelated_helper(int x) {\n{unit}return x;\n}\n",
}
# File name endings, and the Markdown fence tag of each language (its name where omitted).
LANGUAGES = {
    ".py": "python",
    ".pyw": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".java": "java",
    ".cs": "csharp",
    ".kt": "kotlin",
    ".go": "go",
    ".rs": "rust",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".hpp": "cpp",
}
FENCE_TAGS = {"csharp": "cs"}
# Comment openers that may start the instruction line ending a prompt, and the inner rows of
# a block comment, which never open a block.
_COMMENTS = ("#", "//")
_BLOCK_COMMENT_ROWS = ("//", "/*", "* ", "*/")
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
    language: str = "python"  # of the original the middle was found in


@dataclass
class OracleStats:
    """How many requests found their place in an original, and how many did not."""

    matched: int = 0
    unmatched: int = 0
    unchanged: int = 0  # matched, but the mode's noise could not apply (too_shallow at col 0)


class Oracle:
    """A responder for ``FakeCodestral``: ``oracle(body) -> completion``, counting in ``stats``."""

    def __init__(self, originals: Iterable[str] | Mapping[str, str], mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown oracle mode {mode!r}; known: {', '.join(MODES)}")
        self.mode = mode
        self.stats = OracleStats()
        named = (
            originals.items() if isinstance(originals, Mapping) else [("", t) for t in originals]
        )
        self._texts: list[str] = []
        self._languages: list[str] = []
        for name, text in named:
            self._texts.append(text.replace("\r\n", "\n"))
            self._languages.append(language_of(name))
        self._lock = threading.Lock()  # the fake answers requests on several threads

    def __call__(self, body: dict[str, Any]) -> str:
        prompt = str(body.get("prompt") or "")
        suffix = str(body.get("suffix") or "")
        newline = "\r\n" if "\r\n" in prompt + suffix else "\n"
        prompt, suffix = prompt.replace("\r\n", "\n"), suffix.replace("\r\n", "\n")
        found = self._locate(prompt, suffix)
        if found is None:
            with self._lock:
                self.stats.unmatched += 1
            return ""
        middle, index = found
        max_tokens = body.get("max_tokens")
        request = _Request(
            prompt=prompt,
            suffix=suffix,
            max_tokens=max_tokens if isinstance(max_tokens, int) else DEFAULT_MAX_TOKENS,
            seed=zlib.crc32(prompt.encode()),
            language=self._languages[index],
        )
        noisy = MODES[self.mode](middle, request)
        with self._lock:
            self.stats.matched += 1
            if noisy == middle and self.mode != "perfect":
                self.stats.unchanged += 1
        return noisy.replace("\n", newline)

    def middle(self, prompt: str, suffix: str) -> str | None:
        """The text between the prompt's tail and the suffix's head in an original, or None."""
        found = self._locate(prompt, suffix)
        return found[0] if found else None

    def _locate(self, prompt: str, suffix: str) -> tuple[str, int] | None:
        """The middle, and which original it was found in."""
        lines = _lines(prompt)
        tails = [lines]
        if lines and lines[-1].lstrip().startswith(_COMMENTS):
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
            return _shortest([(0, self._texts[index][at:], index) for index, at in places])
        heads = _lines(suffix)
        found: list[tuple[int, str, int]] = []
        for index, at in places:
            text = self._texts[index]
            size = _largest(
                len(heads), lambda j, t=text, a=at: _find(t, "".join(heads[:j]), a) >= 0
            )
            if size:
                found.append((size, text[at : _find(text, "".join(heads[:size]), at)], index))
        return _shortest(found)

    def _longest(self, tail: list[str]) -> int:
        """How many of the last lines of `tail` an original holds together, at most."""

        def holds(k: int) -> bool:
            window = "".join(tail[len(tail) - k :])
            return any(_find(text, window) >= 0 for text in self._texts)

        return _largest(len(tail), holds)

    def _places(self, tail: str) -> list[tuple[int, int]]:
        """(original, offset) right after each occurrence of `tail`; none if too many."""
        places: list[tuple[int, int]] = []
        for index, text in enumerate(self._texts):
            start = _find(text, tail)
            while start >= 0 and len(places) <= _MAX_PLACES:
                places.append((index, start + len(tail)))
                start = _find(text, tail, start + 1)
        return places if len(places) <= _MAX_PLACES else []


def _find(text: str, lines: str, start: int = 0) -> int:
    """Where whole `lines` first occur in `text` from `start`, at the start of a line: a
    suffix of "}\n" is the brace alone on its line, not the end of "  }\n"."""
    at = text.find(lines, start)
    while at > 0 and text[at - 1] != "\n":
        at = text.find(lines, at + 1)
    return at


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


def _shortest(found: list[tuple[int, str, int]]) -> tuple[str, int] | None:
    """Of the middles matched by the most suffix lines, the shortest, and the first original
    holding it; None on a tie between different middles."""
    if not found:
        return None
    most = max(size for size, _, _ in found)
    middles: dict[str, int] = {}
    for size, middle, index in found:
        if size == most:
            middles.setdefault(middle, index)
    shortest = min(len(m) for m in middles)
    candidates = [m for m in middles if len(m) == shortest]
    return (candidates[0], middles[candidates[0]]) if len(candidates) == 1 else None


def make_oracle(originals: Iterable[str] | Mapping[str, str], mode: str = "perfect") -> Oracle:
    """A FakeCodestral responder answering with the true middle, plus `mode`'s noise.

    `originals`: the texts, or a mapping from each one's file name to it (the name's extension
    tells the language of the noise; bare texts are Python)."""
    return Oracle(originals, mode)


def language_of(name: str) -> str:
    """The language of a file name, by its extension; Python when none is known."""
    dot = name.rfind(".")
    return LANGUAGES.get(name[dot:].lower(), "python") if dot > name.rfind("/") else "python"


# --------------------------------------------------------------------------- noise


def _lines(text: str) -> list[str]:
    """Lines with their "\\n"; only "\\n" ends a line (form feeds and the like do not)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _unit(middle: str, request: _Request) -> str:
    """One level of indentation: a tab in files indented with tabs, else four spaces (Python),
    or the step most lines take from the line above (other languages: 2 in npm, 4 in Java)."""
    lines = _lines(middle) + _lines(request.prompt)
    for line in lines:
        if line[:1] in (" ", "\t") and line.strip():
            if line[0] == "\t":
                return "\t"
            break
    else:
        return "    "
    if request.language == "python":
        return "    "
    steps: dict[int, int] = {}
    previous = 0
    for line in _lines(request.prompt) + _lines(middle):
        stripped = line.lstrip(" ")
        if stripped.strip() in ("", "*") or stripped.startswith(("* ", "*/")):  # comment rows
            continue
        width = len(line) - len(stripped)
        if width > previous:
            steps[width - previous] = steps.get(width - previous, 0) + 1
        previous = width
    return " " * max(steps, key=lambda step: (steps[step], -step), default=4)


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
    if request.language != "python":
        return _brace_runaway(middle, request)
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


def _brace_runaway(middle: str, request: _Request) -> str:
    """The fill, the brace that closes the hole's block at its opener's indentation, a blank
    line and a new function there (a method when the opener is indented, in JavaScript)."""
    first = next((line for line in _lines(middle) if line.strip()), "")
    hole = len(_indent_of(first).expandtabs(4))
    opener = None
    for line in reversed(_lines(request.prompt)):
        stripped = line.strip()
        code = stripped not in ("", "*") and not stripped.startswith(_BLOCK_COMMENT_ROWS)
        if code and len(_indent_of(line).expandtabs(4)) < hole:
            opener = _indent_of(line)
            break
    template = BRACE_RUNAWAY.get(request.language, BRACE_RUNAWAY["c"])
    if opener and f"{request.language} method" in BRACE_RUNAWAY:
        template = BRACE_RUNAWAY[f"{request.language} method"]
    helper = template.replace("{unit}", _unit(middle, request))
    helper = "".join((opener or "") + line for line in _lines(helper))
    close = "" if opener is None else f"{opener}}}\n"  # a hole at the top level: no block
    return _with_newline(middle) + close + "\n" + helper


def _leading_newline(middle: str, request: _Request) -> str:
    return "\n" + middle


def _leading_space(middle: str, request: _Request) -> str:
    return " " + middle


def _fence(middle: str, request: _Request) -> str:
    tag = FENCE_TAGS.get(request.language, request.language)
    return f"```{tag}\n" + _with_newline(middle) + "```\n"


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
