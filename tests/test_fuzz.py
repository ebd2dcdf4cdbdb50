"""Property tests: the diff reader, the scanner and the clean-up take any input without an
exception escaping, and keep the hole contract on what they return; and file names of any
shape, through every mode of the real `bot`, never make it read or send another file."""

from __future__ import annotations

import io
import json
import re
import tempfile
import tokenize
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clean import Rejected, check_syntax, clean
from bot.data import Hole, SourceFile
from bot.errors import BotError
from bot.keys import KEYS
from bot.languages.python import find_holes, parse
from bot.languages.python_syntax import Statements, comments
from bot.patch import parse_patch
from bot.prompt import build
from bot.settings import resolve
from bot.text import visible
from tests.strategies import (
    Patch,
    PyFile,
    completions,
    patches,
    python_files,
    pythonish_texts,
)

# The scanner and the clean-up lean on tokenize: their tests run on every Python (.ci/run).
scanner = pytest.mark.scanner

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


@scanner
@EXAMPLES
@given(patches())
def test_patch_added_lines(patch: Patch) -> None:
    """A patch as git writes it yields, per file, exactly the lines difflib marked as added."""
    assert parse_patch(patch.text) == patch.added


@scanner
@EXAMPLES
@given(patches(), st.data())
def test_patch_cut_short(patch: Patch, data: st.DataObject) -> None:
    """A patch cut off anywhere is read without an error and never invents an added line."""
    cut = patch.text[: data.draw(st.integers(0, len(patch.text)), label="cut")]
    for path, lines in parse_patch(cut).items():
        if lines:  # a name cut short may be read, but with no lines
            assert lines <= (patch.added.get(path) or frozenset()), path


@scanner
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


@scanner
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


@scanner
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


@scanner
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


@scanner
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


# --- File names of any shape, through every mode of the real bot ---------------------------

# Characters that git's line- or space-based formats, shells and option parsers trip on.
_NAME_CHARS = st.sampled_from([*"ab9_- ", *":\"'\\*?[]!#$", "\n", "\t", "\r", "\x01", "\x1b", "é"])
_PART = st.text(_NAME_CHARS, min_size=1, max_size=6).filter(lambda p: p.strip(".") != "")
file_names = st.builds(
    lambda folders, stem, dash: "/".join([*folders, ("-" if dash else "") + stem + ".py"]),
    st.lists(_PART, max_size=2),
    _PART,
    st.booleans(),
)
SECRETS_FILE = "my_secrets.py"  # excluded by the default `*secret*`
CANARY = "CANARY-0e1f"
_MODES = ("worktree", "staged", "head", "all", "github-checkout", "github-api")


@pytest.mark.parametrize("mode", _MODES)
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(names=st.lists(file_names, min_size=1, max_size=4, unique_by=str.casefold))
def test_every_hole_is_read_from_its_own_file(
    names: list[str], mode: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Random file names (newlines, control characters, leading dashes, colons, quotes) in
    every mode: each hole is read from its own file and the excluded file is never sent."""
    from tests.conftest import TEST_KEY, Repo, clean_env
    from tests.fakes.codestral import FakeCodestral
    from tests.fakes.github import FakeGitHub
    from tests.pulls import NUMBER, Run, named_return, open_pull

    top = tmp_path_factory.mktemp("names")
    (top / "home").mkdir()
    repo = Repo(top / "repo", clean_env(top / "home"))
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    secret = f'KEY = "{CANARY}"\n\n\ndef rotate():\n    pass\n'
    repo.write(SECRETS_FILE, secret)
    base = repo.commit("base")
    texts = {name: f"def f{i}():\n    pass\n" for i, name in enumerate(names)}
    texts[SECRETS_FILE] = secret + "\n\ndef spin():\n    pass\n"
    for name, text in texts.items():
        repo.write(name, text)
    if mode == "staged":
        repo.git("add", "-A")
    head = repo.commit("head") if mode not in ("worktree", "staged") else ""
    with FakeCodestral(api_key=TEST_KEY) as model, FakeGitHub() as github:
        model.responder = named_return
        if mode.startswith("github"):
            olds = {SECRETS_FILE: secret}
            open_pull(github, {n: (olds.get(n), t) for n, t in texts.items()}, head, base=base)
            run = Run(top, top / "home", github, model)
            if mode == "github-checkout":
                run.folder = repo.path
            proc = run("--format", "json")
            # The report sits between ::stop-commands:: markers in the log.
            logged = re.search(r"::stop-commands::(\w+)\n(.*)\n::\1::", proc.stdout, re.S)
            assert logged, proc.stdout
            output = logged[2]
            assert {c.path for c in github.review_comments(NUMBER)} == set(names)
        else:
            args = {
                "worktree": [],
                "staged": ["--staged"],
                "head": ["--base", base, "--head", head],
                "all": ["--all"],
            }[mode]
            proc = repo.bot(
                "run",
                "--format",
                "json",
                *args,
                CODESTRAL_API_KEY=TEST_KEY,
                CODESTRAL_API_BASE=model.base_url,
            )
            output = proc.stdout
        assert proc.returncode == 0, proc.stderr
        report = json.loads(output)
        found = {h["path"]: (h["status"], h["suggestion"]) for h in report["holes"]}
        assert found == {n: ("suggested", f"    return 'f{i}'\n") for i, n in enumerate(names)}
        excluded = {"path": SECRETS_FILE, "reason": "excluded by configuration"}
        assert excluded in report["skipped_files"]
        assert all(CANARY not in json.dumps(r.body) for r in model.requests)


# --- Any configuration file ------------------------------------------------------------------


def _values(keys: st.SearchStrategy[str]) -> st.SearchStrategy[object]:
    """Any value JSON or YAML can hold: scalars, lists and mappings with `keys`, nested."""
    return st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
        max_leaves=10,
    )


_KEY_NAMES = sorted({name.rpartition(".")[2] for name in KEYS} | {"github"})
_YAML_VALUES = _values(st.sampled_from(_KEY_NAMES) | st.text(max_size=8))
_CONFIG_TEXTS = st.one_of(
    st.dictionaries(
        st.sampled_from(_KEY_NAMES) | st.text(max_size=12), _YAML_VALUES, max_size=6
    ).map(lambda mapping: yaml.safe_dump(mapping, allow_unicode=True).encode()),
    st.text(max_size=200).map(str.encode),  # YAML or not
    st.binary(max_size=200),
)


@EXAMPLES
@given(_CONFIG_TEXTS)
def test_any_configuration_is_taken_or_refused_in_one_line(content: bytes) -> None:
    """Random keys, values, YAML and bytes in .fim-bot.yml: the settings are read, or one
    `BotError` says where and what, on one line once shown; nothing else escapes."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / ".fim-bot.yml").write_bytes(content)
        try:
            resolve(env={}, flags={}, config_path=None, cwd=root, root=root)
        except BotError as error:
            message = error.message
        else:
            return
    assert message.startswith(".fim-bot.yml"), message
    assert "\n" not in visible(message)


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(content=_CONFIG_TEXTS)
def test_any_configuration_through_the_real_bot(
    content: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The same through `bot run` and `bot config`: exit 0 or 2, no traceback, every line on
    stderr one of the bot's own."""
    from tests.conftest import Repo, clean_env

    top = tmp_path_factory.mktemp("config")
    (top / "home").mkdir()
    repo = Repo(top / "repo", clean_env(top / "home"))
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.write("mod.py", "def f():\n    pass\n")
    repo.write(".fim-bot.yml", content)
    for args in (["run", "--dry-run"], ["config"]):
        proc = repo.bot(*args)
        assert proc.returncode in (0, 2), proc.stderr
        assert "Traceback" not in proc.stderr
        assert all(line.startswith("fim-bot: ") for line in proc.stderr.splitlines())


# --- Any answer from the model server --------------------------------------------------------

_JSON = _values(st.text(max_size=8))
# Answers shaped like the API's but with anything in any place, deep nesting, lone surrogates.
_SHAPED = st.one_of(
    _JSON.map(lambda v: {"choices": v}),
    _JSON.map(lambda v: {"choices": [{"message": v}]}),
    _JSON.map(lambda v: {"choices": [{"message": {"content": v}, "finish_reason": "stop"}]}),
    st.sampled_from(["    return 1\n", "\ud800", "    x = '\udcff'\n", "\x00"]).map(
        lambda text: {"choices": [{"message": {"role": "assistant", "content": text}}]}
    ),
).map(json.dumps)
_DEEP = st.integers(1, 200_000).flatmap(
    lambda n: st.sampled_from(["[" * n + "]" * n, '{"a":' * n + "1" + "}" * n, "[" * n])
)
_BODIES = st.one_of(_SHAPED, _DEEP, st.binary(max_size=300), st.text(max_size=100))
_CHUNKS = st.lists(
    st.one_of(
        _SHAPED.map(lambda data: f"data: {data}\n\n"),
        (st.text(max_size=5) | _JSON).map(
            lambda v: f"data: {json.dumps({'choices': [{'delta': v}]})}\n\n"
        ),
        st.binary(max_size=40),
        st.just("data: [DONE]\n\n"),
    ),
    min_size=1,
    max_size=5,
)
FILES = {"a.py": "def f():\n    pass\n", "b.sh": "#!/bin/sh\n# TODO: print hello\n"}


def _lines_outside_holes(text: str, holes: list[dict[str, object]]) -> tuple[list[str], list[str]]:
    """The lines above the first hole and below the last: what no fill may change."""
    lines = text.splitlines(keepends=True)
    first = min(int(str(h["start_line"])) for h in holes)
    last = max(int(str(h["end_line"])) for h in holes)
    return lines[: first - 1], lines[last:]


@pytest.mark.parametrize("framing", ["body", "stream"])
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    answer=st.one_of(_BODIES, _CHUNKS),
    status=st.sampled_from([200, 200, 200, 400, 422, 500, 503]),
    times=st.integers(1, 3),
)
def test_any_answer_fails_its_hole_or_fills_it(
    framing: str,
    answer: str | bytes | list[str | bytes],
    status: int,
    times: int,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Random bodies, error bodies and streams (deep nesting, surrogates, wrong types, bytes)
    for the first requests: no traceback, every hole accounted for, nothing written outside a
    hole; or the run stops at once with one line."""
    from tests.conftest import TEST_KEY, Repo, clean_env
    from tests.fakes.codestral import FakeCodestral

    top = tmp_path_factory.mktemp("answers")
    (top / "home").mkdir()
    repo = Repo(top / "repo", clean_env(top / "home"))
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    for name, text in FILES.items():
        repo.write(name, text)
    args = ["run", "--apply", "--format", "json", "--concurrency", "1"]
    with FakeCodestral(api_key=TEST_KEY) as model:
        model.respond("    return 1\n")
        if framing == "stream":
            chunks = answer if isinstance(answer, list) else [answer]
            model.stream(chunks, times=times)
            args.append("--stream")
        elif isinstance(answer, list):
            model.send(b"".join(c if isinstance(c, bytes) else c.encode() for c in answer))
        else:
            model.send(answer, status=status, times=times)
        proc = repo.bot(*args, CODESTRAL_API_KEY=TEST_KEY, CODESTRAL_API_BASE=model.base_url)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert all(line.startswith("fim-bot: ") for line in proc.stderr.splitlines()), proc.stderr
    if proc.returncode == 2:  # the server refused the key or the model for good: the run stops
        (line,) = proc.stderr.splitlines()
        assert line.startswith("fim-bot: error: ")
        assert {n: repo.read(n) for n in FILES} == FILES
        return
    assert proc.returncode in (0, 1), proc.stderr
    holes = json.loads(proc.stdout)["holes"]
    assert sorted(h["path"] for h in holes) == sorted(FILES)
    for hole in holes:
        assert hole["status"] in ("suggested", "failed"), hole
        assert hole["status"] == "suggested" or hole["reason"], hole
    for name, text in FILES.items():
        mine = [h for h in holes if h["path"] == name]
        above, below = _lines_outside_holes(text, mine)
        written = repo.read(name).splitlines(keepends=True)
        assert written[: len(above)] == above
        if below:
            assert written[-len(below) :] == below
