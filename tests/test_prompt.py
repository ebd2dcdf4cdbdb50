"""The prompt stage: what is sent around a hole (DESIGN.md section 3, `prompt`)."""

from __future__ import annotations

import textwrap

import pytest

from bot.data import Hole, Snippet, SourceFile
from bot.languages.python import find_holes
from bot.prompt import build

TAGS = ("TODO", "FIXME", "XXX")


def only_hole(source: str, path: str = "m.py") -> Hole:
    text = textwrap.dedent(source)
    holes = find_holes(
        SourceFile(path=path, text=text, added=frozenset(range(1, text.count("\n") + 2))), TAGS
    )
    assert len(holes) == 1, holes
    return holes[0]


def test_todo_text_becomes_the_last_prefix_line_and_the_marker_is_not_sent() -> None:
    """The TODO's text is one instruction comment at the end of the prefix, without the tag."""
    text = "def f(rows):\n    total = 0\n    # TODO: add up the rows\n    return total\n"
    prompt = build(only_hole(text), text)
    assert prompt.prefix == "def f(rows):\n    total = 0\n    # add up the rows\n"
    assert prompt.suffix == "    return total\n"
    assert "TODO" not in prompt.prefix + prompt.suffix


def test_empty_suffix_is_sent_as_a_newline() -> None:
    """A hole at the end of the file: the suffix is "\\n", never empty."""
    text = "def f():\n    pass\n"
    assert build(only_hole(text), text).suffix == "\n"


def test_crlf_is_sent_as_lf() -> None:
    """The model sees "\\n" line breaks whatever the file uses."""
    text = "def f():\r\n    pass\r\n\r\nx = 1\r\n"
    prompt = build(only_hole(text), text)
    assert "\r" not in prompt.prefix + prompt.suffix
    assert prompt.suffix == "\nx = 1\n"


def test_budget_cuts_whole_lines_from_the_far_ends() -> None:
    """Over the budget, the lines farthest from the hole go first, and only whole lines."""
    before = "".join(f"a{i:03} = {i}\n" for i in range(300))
    after = "".join(f"b{i:03} = {i}\n" for i in range(300))
    text = before + "def f():\n    pass\n" + after
    prompt = build(only_hole(text), text, budget_tokens=200)  # about 800 characters
    assert prompt.prefix.endswith("a299 = 299\ndef f():\n")
    assert not prompt.prefix.startswith("a000")
    assert prompt.suffix.startswith("b000 = 0\n")
    assert not prompt.suffix.rstrip("\n").endswith("b299 = 299")
    assert all(
        line.count("=") == 1
        for line in (prompt.prefix + prompt.suffix).splitlines()[:-1]
        if line.startswith(("a", "b"))
    )
    assert len(prompt.prefix) + len(prompt.suffix) <= 200 * 4


@pytest.mark.parametrize(
    ("source", "stops"),
    [
        pytest.param(
            "def f():\n    pass\n",
            ("\ndef ", "\nclass ", "\n@", "\nasync def "),
            id="top-level-function",
        ),
        pytest.param(
            "class A:\n    def f(self):\n        pass\n",
            ("\n    def ", "\n    class ", "\n    @", "\n    async def "),
            id="method",
        ),
        pytest.param(
            "class A:\n    def f(self): ...\n",
            ("\n    def ", "\n    class ", "\n    @", "\n    async def "),
            id="one-line-method",
        ),
        pytest.param("x = 1\n# TODO: define the helpers\n", (), id="top-level-todo-has-none"),
    ],
)
def test_stops_end_the_fill_where_its_block_ends(source: str, stops: tuple[str, ...]) -> None:
    """Stop sequences are new definitions at the block opener's level, never blank lines."""
    assert build(only_hole(source), source).stop == stops


def test_stops_never_cut_a_body_with_blank_lines_or_nested_defs() -> None:
    """A true body with blank lines and a nested def holds none of the stop sequences."""
    body = "    def helper(x):\n        return x\n\n\n    y = helper(1)\n\n    return y\n"
    source = "def f():\n    pass\n\n\ndef g():\n    return 2\n"
    prompt = build(only_hole(source), source)
    assert not any(stop in body for stop in prompt.stop)


def test_context_snippets_come_first_with_path_headers() -> None:
    """Repo context sits before the file's text, one path header per snippet and the file's."""
    text = "def f():\n    pass\n"
    snippet = Snippet(
        path="lib/util.py", text='def g(x: int) -> int:\n    """Twice x."""\n    ...\n'
    )
    prompt = build(only_hole(text), text, context=(snippet,))
    assert prompt.prefix == (
        "# Path: lib/util.py\n"
        'def g(x: int) -> int:\n    """Twice x."""\n    ...\n\n\n'
        "# Path: m.py\n"
        "def f():\n"
    )
    assert prompt.context == (snippet,)


def _scanned(text: str, path: str) -> list[Hole]:
    from bot.scan import scan

    return scan([SourceFile(path=path, text=text, added=frozenset(range(1, text.count("\n") + 2)))])


def test_other_languages_write_the_instruction_and_headers_in_their_comments() -> None:
    """A JavaScript TODO's text goes to the prefix as a `//` comment, repository context
    under `// Path:` headers; a SQL one as `--`."""
    text = "function f(rows) {\n  let total = 0;\n  // TODO: add up the rows\n  return total;\n}\n"
    (hole,) = _scanned(text, "m.js")
    snippet = Snippet(path="lib/util.js", text="export function sum(xs) {}\n")
    prompt = build(hole, text, context=(snippet,))
    assert prompt.prefix == (
        "// Path: lib/util.js\nexport function sum(xs) {}\n\n\n"
        "// Path: m.js\nfunction f(rows) {\n  let total = 0;\n  // add up the rows\n"
    )
    sql = "SELECT 1;\n-- TODO: count the users\n"
    (hole,) = _scanned(sql, "q.sql")
    assert build(hole, sql).prefix == "SELECT 1;\n-- count the users\n"


def test_brace_languages_stop_where_the_answer_repeats_the_code_after_the_hole() -> None:
    """The stop is the suffix's first two code lines, blank lines between them kept; never a
    lone closing brace, which an answer indented too shallow writes inside the body."""
    text = (
        "class Stack {\n  push(item) {\n    throw new Error('not implemented');\n  }\n\n"
        "  pop() {\n    return this.items.pop();\n  }\n}\n"
    )
    (hole,) = _scanned(text, "stack.js")
    assert build(hole, text).stop == ("\n  }\n\n  pop() {",)
    short = "function f() {\n  throw new Error('not implemented');\n}\n"
    (hole,) = _scanned(short, "f.js")
    assert build(hole, short).stop == ()  # one code line after the hole: too little to tell
