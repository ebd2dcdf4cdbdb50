"""Property tests: the diff reader, the scanner and the clean-up take any input without an
exception escaping, and keep the hole contract (DESIGN.md section 2) on what they return."""

from __future__ import annotations

import io
import tokenize
import warnings
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clean import Rejected, check_syntax, clean
from bot.data import Hole, SourceFile
from bot.languages.python import find_holes, parse
from bot.languages.python_syntax import Statements, comments
from bot.patch import parse_patch
from bot.prompt import build
from tests.strategies import (
    Patch,
    PyFile,
    completions,
    patches,
    python_files,
    pythonish_texts,
)

pytestmark = pytest.mark.scanner  # the scanner and the clean-up lean on tokenize

TAGS = ("TODO", "FIXME", "XXX")
IDIOMS = {"pass", "...", "NotImplementedError"}
# Slow generation is expected, not a fault: the first text drawn builds Hypothesis's Unicode
# table (about a second in a fresh checkout), and CI machines are loaded.
EXAMPLES = settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
T = TypeVar("T")
P = ParamSpec("P")


def quietly(call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`call(...)`, which must not warn: a warning (a SyntaxWarning about the user's code, say)
    would be a stray line on the bot's stderr."""
    parse.cache_clear()  # a tree cached from an earlier call would not warn again
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call(*args, **kwargs)
    assert not caught, [str(w.message) for w in caught]
    return result


def line_count(text: str) -> int:
    """Lines as git counts them: each ends at "\\n", and a last one may have none."""
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


def compiles(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text.removeprefix("\ufeff"), "<fuzz>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):  # ValueError: a NUL character, before Python 3.12
        return False
    return True


def replaced(text: str, fills: list[tuple[Hole, str]]) -> str:
    """`text` with each hole's lines (git's lines, ending at "\\n") replaced by its suggestion;
    written apart from bot.text, so that the test does not check the bot with itself."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1].removesuffix("\n")
    for hole, suggestion in sorted(fills, key=lambda f: f[0].start_line, reverse=True):
        lines[hole.start_line - 1 : hole.end_line] = [suggestion]
    return "".join(lines)


def added_sets(count: int) -> st.SearchStrategy[frozenset[int]]:
    """Added line numbers: every line, none, or some (a few beyond the file too)."""
    every = frozenset(range(1, count + 1))
    return st.one_of(
        st.just(every),
        st.frozensets(st.integers(1, max(count, 1))),
        st.frozensets(st.integers(-1, count + 2), max_size=3),
    )


def assert_contract(file: SourceFile, holes: list[Hole], tags: tuple[str, ...]) -> None:
    """What every list of holes promises, whatever the text."""
    count = line_count(file.text)
    markers = IDIOMS | {t.upper() for t in tags}
    previous_end = 0
    for hole in holes:
        assert 1 <= hole.start_line <= hole.end_line <= count, hole
        assert file.added & set(range(hole.start_line, hole.end_line + 1)), hole
        assert hole.kind in ("stub", "todo"), hole
        assert hole.marker in markers, hole
        assert (hole.path, hole.language) == (file.path, "python"), hole
        assert hole.start_line > previous_end, f"overlaps the hole before it: {hole}"
        previous_end = hole.end_line


# --- The diff reader ----------------------------------------------------------------------


@EXAMPLES
@given(patches())
def test_patch_added_lines(patch: Patch) -> None:
    """A patch as git writes it yields, per file, exactly the lines difflib marked as added."""
    assert parse_patch(patch.text) == patch.added


@EXAMPLES
@given(patches(), st.data())
def test_patch_cut_short(patch: Patch, data: st.DataObject) -> None:
    """A patch cut off anywhere is read without an error and never invents an added line."""
    cut = patch.text[: data.draw(st.integers(0, len(patch.text)), label="cut")]
    for path, lines in parse_patch(cut).items():
        if lines:  # a name cut short may be read, but with no lines
            assert lines <= (patch.added.get(path) or frozenset()), path


@EXAMPLES
@given(
    st.one_of(
        st.binary(),
        patches().flatmap(
            lambda p: st.lists(
                st.one_of(
                    st.sampled_from(p.text.splitlines(keepends=True) or [b""]),
                    st.binary(max_size=12),
                    st.sampled_from([b"@@ -1 +1 @@\n", b"\\ No newline at end of file\n"]),
                    st.sampled_from([b"--- a/x\n", b"+++ b/x\n", b"diff --git a/x b/x\n"]),
                )
            ).map(b"".join)
        ),
    )
)
def test_patch_garbage(patch: bytes) -> None:
    """Any bytes, including shuffled pieces of real patches, are read without an error."""
    for path, lines in parse_patch(patch).items():
        assert isinstance(path, str)
        assert lines is None or all(isinstance(n, int) for n in lines)


# --- The scanner --------------------------------------------------------------------------


@EXAMPLES
@given(
    pythonish_texts(),
    st.sampled_from([TAGS, ("TODO",), (), ("todo", "HACK"), ("C++", "a.b")]),
    st.data(),
)
def test_scan_any_text(text: str, tags: tuple[str, ...], data: st.DataObject) -> None:
    """Any text: no error, holes in range, on added lines, apart, the same every time."""
    added = data.draw(added_sets(line_count(text)), label="added")
    file = SourceFile(path="mod.py", text=text, added=added)
    holes = quietly(find_holes, file, tags)
    assert_contract(file, holes, tags)
    again = SourceFile(path="mod.py", text="".join(list(text)), added=frozenset(added))
    assert find_holes(again, tags) == holes


@EXAMPLES
@given(python_files(newlines=("\n", "\r\n", "\r")), st.data())
def test_scan_valid_python(generated: PyFile, data: st.DataObject) -> None:
    """Valid Python: the contract holds, and a tag inside a string never makes a hole."""
    assert compiles(generated.text), generated.text
    added = data.draw(added_sets(line_count(generated.text)), label="added")
    file = SourceFile(path="mod.py", text=generated.text, added=added)
    holes = quietly(find_holes, file, TAGS)
    assert_contract(file, holes, TAGS)
    assert find_holes(file, TAGS) == holes
    for hole in holes:
        assert not (hole.kind == "todo" and hole.start_line in generated.string_rows), hole
    # The same file with the tags in strings spelled NOTE has exactly the same holes.
    twin = SourceFile(path="mod.py", text=generated.twin, added=added)
    assert find_holes(twin, TAGS) == holes


@EXAMPLES
@given(python_files(newlines=("\n", "\r\n")))
def test_comments_are_the_tokenizers(generated: PyFile) -> None:
    """The scanner's quick search for comments alone on their line (a regular expression, the
    tokenizer only where a string may span lines) finds what the tokenizer finds in the file."""
    source = generated.text
    lines = source.split("\n")
    tree = parse(source)
    assert tree is not None
    found = comments(source, lines, Statements(tree, lines))
    expected = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and not token.line[: token.start[1]].strip():
            expected[token.start[0]] = (token.start[1], token.string)
    assert {row: (c.col, c.text) for row, c in found.items()} == expected


# --- The clean-up -------------------------------------------------------------------------


@settings(EXAMPLES, max_examples=300)
@given(python_files(), st.data())
def test_clean_offers_only_valid_fills(generated: PyFile, data: st.DataObject) -> None:
    """Fills keep the file's line endings and last break; check_syntax is None iff they compile."""
    text = generated.text
    added = frozenset(range(1, line_count(text) + 1))
    newline = "\r\n" if "\r\n" in text else "\n"
    fills: list[tuple[Hole, str]] = []
    for hole in find_holes(SourceFile(path="mod.py", text=text, added=added), TAGS):
        prompt = build(hole, text)
        echo = prompt.suffix.split("\n")[:4]
        raw = data.draw(completions(echo), label=f"raw for line {hole.start_line}")
        finish = data.draw(st.sampled_from([None, "stop", "length"]), label="finish_reason")
        try:
            suggestion = quietly(clean, hole, raw, prompt=prompt, text=text, finish_reason=finish)
        except Rejected:
            continue
        if newline == "\r\n":
            assert "\n" not in suggestion.replace("\r\n", ""), suggestion
        else:
            assert "\r" not in suggestion, suggestion
        ends_file = hole.end_line == line_count(text) and not text.endswith("\n")
        assert suggestion.endswith(newline) != ends_file, suggestion
        verdict = check_syntax(text, [(hole, suggestion)])
        assert (verdict is None) == compiles(replaced(text, [(hole, suggestion)])), suggestion
        if verdict is None:
            fills.append((hole, suggestion))
    verdict = check_syntax(text, fills)
    assert (verdict is None) == compiles(replaced(text, fills))
