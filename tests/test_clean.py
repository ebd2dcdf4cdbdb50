"""Tables for the clean stage: a file with one hole and the model's raw answer -> the exact
suggestion (or the reason it is rejected); and the syntax check over fills."""

from __future__ import annotations

import pytest

from bot.clean import Rejected, check_syntax, clean
from bot.data import Hole, SourceFile
from bot.languages.python import find_holes
from bot.prompt import build

pytestmark = pytest.mark.scanner  # string and indentation handling lean on tokenize

TAGS = ("TODO", "FIXME", "XXX")

# A stub in the middle of a file: the suffix is the next function.
AREA = "def area(w, h):\n    pass\n\n\ndef perimeter(w, h):\n    return 2 * (w + h)\n"
# A TODO above the function's last statement, then more code.
TOTAL = (
    "def total(items):\n"
    "    result = 0\n"
    "    # TODO: add up the prices of items\n"
    "    return result\n"
    "\n"
    "\n"
    "def main():\n"
    "    print(total([]))\n"
)
# The suffix starts with a line too short to be an echo by itself.
LOG = (
    "def log(message, quiet):\n"
    "    # TODO: print message unless quiet\n"
    "    return\n"
    "\n"
    "\n"
    "log('hi', False)\n"
)
# The same, but the short line is all the suffix there is.
LOG_AT_END = "def log(message, quiet):\n    # TODO: print message unless quiet\n    return\n"
# A TODO among the arguments of a call: the suffix is a lone closing bracket.
ARGUMENT = "parser.add_argument(\n    '--size',\n    # TODO: type and default\n)\n"
# A TODO at module level: no block around it ends the fill.
MODULE = "# TODO: a helper that doubles x\n\n\ndef area(w, h):\n    return w * h\n"
TABS = "def area(w, h):\n\tpass\n\n\ndef perimeter(w, h):\n\treturn 2 * (w + h)\n"
TABS_MODULE = "# TODO: a helper that doubles x\n\n\ndef area(w, h):\n\treturn w * h\n"


def holes(text: str) -> list[Hole]:
    added = frozenset(range(1, text.count("\n") + 2))
    return find_holes(SourceFile(path="mod.py", text=text, added=added), TAGS)


def fill(text: str, raw: str) -> str:
    """The suggestion for the only hole of `text`, or `<rejected: reason>`."""
    (hole,) = holes(text)
    try:
        return clean(hole, raw, prompt=build(hole, text), text=text)
    except Rejected as error:
        return f"<rejected: {error}>"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("    return w * h<|endoftext|>", "    return w * h\n", id="endoftext"),
        pytest.param("    return w * h\n<fim_middle>", "    return w * h\n", id="fim_middle"),
        pytest.param("    return w * h</s>", "    return w * h\n", id="eos-s"),
        pytest.param(
            "    return w * h\n<|fim_suffix|>", "    return w * h\n", id="qwen-fim_suffix"
        ),
        pytest.param("    return w * h[SUFFIX]", "    return w * h\n", id="codestral-suffix"),
        pytest.param("    return w * h <EOT>", "    return w * h\n", id="codellama-eot"),
        pytest.param("    return w * h<file_sep>", "    return w * h\n", id="starcoder2-file_sep"),
        pytest.param(
            "    return w * h<|file_separator|>",
            "    return w * h\n",
            id="codegemma-file_separator",
        ),
        pytest.param(
            "    return w * h\n<\uff5cend\u2581of\u2581sentence\uff5c>",
            "    return w * h\n",
            id="deepseek-end_of_sentence",
        ),
        pytest.param(
            "    return w * h\n<|endoftext|>def junk():\n    pass\n",
            "    return w * h\n",
            id="junk-after-token",
        ),
        pytest.param(
            "    return w * h\n</s><|endoftext|>", "    return w * h\n", id="several-tokens"
        ),
    ],
)
def test_special_tokens(raw: str, expected: str) -> None:
    """The answer ends at the first special token a model leaks."""
    assert fill(AREA, raw) == expected


@pytest.mark.parametrize(
    ("text", "raw", "expected"),
    [
        pytest.param(
            AREA,
            "    area = w * h\r\n    return area\r\n",
            "    area = w * h\n    return area\n",
            id="crlf-model-lf-file",
        ),
        pytest.param(
            AREA,
            "    area = w * h\r    return area\r",
            "<rejected: the fill holds a control character (\\r)>",
            id="lone-cr-refused",  # it could send a terminal back over the line it ends
        ),
        pytest.param(
            AREA,
            "    area = w * h\r\n    return area\r",
            "    area = w * h\n    return area\n",
            id="crlf-cut-by-a-stop-sequence",
        ),
        pytest.param(
            AREA.replace("\n", "\r\n"),
            "    area = w * h\n    return area\n",
            "    area = w * h\r\n    return area\r\n",
            id="lf-model-crlf-file",
        ),
        pytest.param(
            AREA.replace("\n", "\r\n"),
            "    area = w * h\r\n    return area\r\n",
            "    area = w * h\r\n    return area\r\n",
            id="crlf-model-crlf-file",
        ),
        pytest.param(AREA, "    return w * h", "    return w * h\n", id="adds-final-newline"),
        pytest.param(
            AREA,
            "    return w * h   \n\n  \n\n",
            "    return w * h\n",
            id="trailing-blanks-dropped",
        ),
        pytest.param(
            "def area(w, h):\n    pass",
            "    return w * h\n",
            "    return w * h",
            id="range-ends-file-without-newline",
        ),
        pytest.param(
            "def area(w, h):\r\n    pass",
            "    return w * h\r\n",
            "    return w * h",
            id="crlf-range-ends-file-without-newline",
        ),
        pytest.param(
            "def area(w, h):\n    pass\n",
            "    return w * h",
            "    return w * h\n",
            id="range-ends-file-with-newline",
        ),
        pytest.param(
            "def area(w, h):\n    pass\n\nx = 1",
            "    return w * h",
            "    return w * h\n",
            id="file-without-newline-elsewhere",
        ),
    ],
)
def test_line_endings(text: str, raw: str, expected: str) -> None:
    """The suggestion uses the file's line endings and ends with one unless its range does not."""
    assert fill(text, raw) == expected


@pytest.mark.parametrize(
    ("text", "raw", "expected"),
    [
        pytest.param(
            AREA, "```python\nreturn w * h\n```\n", "    return w * h\n", id="language-tag"
        ),
        pytest.param(AREA, "```\nreturn w * h\n```", "    return w * h\n", id="no-language-tag"),
        pytest.param(AREA, "~~~py\nreturn w * h\n~~~\n", "    return w * h\n", id="tildes"),
        pytest.param(
            AREA, "```python\n    return w * h\n```\n", "    return w * h\n", id="indented-inside"
        ),
        pytest.param(
            AREA,
            "```python\nif w < 0:\n    raise ValueError(w)\nreturn w * h\n```\n\n"
            "This checks `w` first, then:\n```\nreturn w * h\n```\n",
            "    if w < 0:\n        raise ValueError(w)\n    return w * h\n",
            id="prose-after-closing-fence",
        ),
        pytest.param(
            AREA,
            "\n\n```python\nreturn w * h\n```\n",
            "    return w * h\n",
            id="blank-lines-before",
        ),
        pytest.param(AREA, "```python\nreturn w * h\n", "    return w * h\n", id="never-closed"),
        pytest.param(
            AREA,
            "    return w * h\n```\nThat returns the area.\n",
            "    return w * h\n",
            id="stray-closing-fence",
        ),
        pytest.param(
            AREA,
            '    doc = """\n```python\nprint(1)\n```\n"""\n    return doc\n',
            '    doc = """\n```python\nprint(1)\n```\n"""\n    return doc\n',
            id="fence-inside-a-string-is-text",
        ),
        pytest.param(
            MODULE,
            "def double(x):\n    return 2 * x\n```\nThis doubles x.\n",
            "def double(x):\n    return 2 * x\n",
            id="stray-closing-fence-module-level",
        ),
    ],
)
def test_fences(text: str, raw: str, expected: str) -> None:
    """A Markdown fence around the code is dropped, and so is everything after its end."""
    assert fill(text, raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("\n\n    return w * h\n", "    return w * h\n", id="newlines"),
        pytest.param("  \n\t\n    return w * h\n", "    return w * h\n", id="whitespace-lines"),
        pytest.param("\r\n\r\n    return w * h\r\n", "    return w * h\n", id="crlf-lines"),
        pytest.param("\n\nreturn w * h\n", "    return w * h\n", id="then-too-shallow"),
    ],
)
def test_leading_blank_lines(raw: str, expected: str) -> None:
    """Blank lines before the code are dropped and do not set the indentation."""
    assert fill(AREA, raw) == expected


@pytest.mark.parametrize(
    ("text", "raw", "expected"),
    [
        pytest.param(
            TOTAL,
            "    for item in items:\n        result += item.price\n    return result\n",
            "    for item in items:\n        result += item.price\n",
            id="one-line",
        ),
        pytest.param(
            TOTAL,
            "    for item in items:\n        result += item.price\n    return result\n\n\n"
            "def main():\n    print(total([]))\n",
            "    for item in items:\n        result += item.price\n",
            id="three-lines",
        ),
        pytest.param(
            TOTAL,
            "    for item in items:\n        result += item.price\n\n    return  result   \n",
            "    for item in items:\n        result += item.price\n",
            id="other-whitespace",
        ),
        pytest.param(
            TOTAL,
            "\tfor item in items:\n\t\tresult += item.price\n\treturn result\n",
            "    for item in items:\n        result += item.price\n",
            id="tabs-for-spaces",
        ),
        pytest.param(
            TOTAL,
            "        for item in items:\n            result += item.price\n        return result\n",
            "    for item in items:\n        result += item.price\n",
            id="all-too-deep",
        ),
        pytest.param(
            TOTAL,
            "for item in items:\n    result += item.price\nreturn result\n",
            "    for item in items:\n        result += item.price\n",
            id="all-too-shallow",
        ),
        pytest.param(
            TOTAL,
            "    for item in items:\n        if item is None:\n            return result\n"
            "        result += item.price\n",
            "    for item in items:\n        if item is None:\n            return result\n"
            "        result += item.price\n",
            id="same-text-nested-is-not-echo",
        ),
        pytest.param(
            TOTAL,
            "    return result\n",
            "<rejected: the model only repeated the code after the hole>",
            id="nothing-but-echo",
        ),
        pytest.param(
            ARGUMENT,
            "    type=int,\n    default=1,\n)\n",
            "    type=int,\n    default=1,\n",
            id="closing-bracket",
        ),
        pytest.param(
            LOG,
            "    if not quiet:\n        print(message)\n    return\n\n\nlog('hi', False)\n",
            "    if not quiet:\n        print(message)\n",
            id="short-line-then-next",
        ),
        pytest.param(
            LOG,
            "    if not quiet:\n        print(message)\n    return\n",
            "    if not quiet:\n        print(message)\n",
            id="short-line-ends-fill",
        ),
        pytest.param(
            LOG,
            "    if quiet:\n        return\n    print(message)\n",
            "    if quiet:\n        return\n    print(message)\n",
            id="short-line-nested-is-chance",
        ),
        pytest.param(
            LOG_AT_END,
            "    if quiet:\n        return\n    print(message)\n",
            "    if quiet:\n        return\n    print(message)\n",
            id="short-line-nested-whole-suffix",
        ),
        pytest.param(
            LOG,
            "    print(message)\n    return\n    print('again')\n",
            "    print(message)\n    return\n    print('again')\n",
            id="short-line-then-other-code",
        ),
    ],
)
def test_suffix_echo(text: str, raw: str, expected: str) -> None:
    """The fill ends where the model starts repeating the code after the hole."""
    assert fill(text, raw) == expected


@pytest.mark.parametrize(
    ("text", "raw", "expected"),
    [
        pytest.param(
            AREA,
            "    return w * h\n\n\ndef volume(w, h, d):\n    return w * h * d\n",
            "    return w * h\n",
            id="into-next-def",
        ),
        pytest.param(
            AREA,
            "        return w * h\n\n\n    def volume(w, h, d):\n        return w * h * d\n",
            "    return w * h\n",
            id="too-deep-into-next-def",
        ),
        pytest.param(
            "class Box:\n    def area(self):\n        pass\n",
            "        return self.w * self.h\n\n    def volume(self):\n        return 0\n",
            "        return self.w * self.h\n",
            id="into-next-method",
        ),
        pytest.param(
            AREA,
            "    return w * h\nThat returns the area.\n",
            "    return w * h\n",
            id="into-prose",
        ),
        pytest.param(
            AREA,
            '    query = """\nSELECT w * h\nFROM boxes\n"""\n    return run(query)\n'
            "\ndef x(): ...\n",
            '    query = """\nSELECT w * h\nFROM boxes\n"""\n    return run(query)\n',
            id="string-lines-are-not-a-dedent",
        ),
        pytest.param(
            AREA,
            '    return f"""{w}\nby {h}\n"""\n',
            '    return f"""{w}\nby {h}\n"""\n',
            id="f-string-lines-are-not-a-dedent",
        ),
        pytest.param(
            MODULE,
            "def double(x):\n    return 2 * x\n\n\ndef triple(x):\n    return 3 * x\n",
            "def double(x):\n    return 2 * x\n\n\ndef triple(x):\n    return 3 * x\n",
            id="module-level-has-no-block-end",
        ),
    ],
)
def test_block_end(text: str, raw: str, expected: str) -> None:
    """The fill ends at the first line less indented than its first line, outside strings."""
    assert fill(text, raw) == expected


@pytest.mark.parametrize(
    ("text", "raw", "expected"),
    [
        pytest.param(AREA, "        return w * h\n", "    return w * h\n", id="too-deep"),
        pytest.param(AREA, "return w * h\n", "    return w * h\n", id="too-shallow"),
        pytest.param(
            AREA,
            "if w < 0:\n    raise ValueError(w)\nreturn w * h\n",
            "    if w < 0:\n        raise ValueError(w)\n    return w * h\n",
            id="too-shallow-nested",
        ),
        pytest.param(
            AREA,
            "\tif w < 0:\n\t\traise ValueError(w)\n\treturn w * h\n",
            "    if w < 0:\n        raise ValueError(w)\n    return w * h\n",
            id="tabs-in-a-spaces-file",
        ),
        pytest.param(
            TABS,
            "    if w < 0:\n        raise ValueError(w)\n    return w * h\n",
            "\tif w < 0:\n\t\traise ValueError(w)\n\treturn w * h\n",
            id="spaces-in-a-tabs-file",
        ),
        pytest.param(TABS, "\t\treturn w * h\n", "\treturn w * h\n", id="tabs-too-deep"),
        pytest.param(TABS, "return w * h\n", "\treturn w * h\n", id="tabs-too-shallow"),
        pytest.param(
            TABS_MODULE,
            "def double(x):\n    return 2 * x\n",
            "def double(x):\n\treturn 2 * x\n",
            id="tabs-file-module-level",
        ),
        pytest.param(
            AREA,
            '        text = """\n  two spaces\n"""\n        return text\n',
            '    text = """\n  two spaces\n"""\n    return text\n',
            id="string-text-kept",
        ),
        pytest.param(
            AREA,
            '    text = """\ntrailing   \n"""\n    return text\n',
            '    text = """\ntrailing   \n"""\n    return text\n',
            id="string-trailing-spaces-kept",
        ),
        pytest.param(
            AREA,
            "    if w:\n\n        return w\n    return h\n",
            "    if w:\n\n        return w\n    return h\n",
            id="blank-line-inside",
        ),
        pytest.param(
            AREA,
            "     x = w * h\n    return x\n",
            "    x = w * h\n    return x\n",
            id="stray-space-before-the-first-line",
        ),
        pytest.param(
            AREA,
            "x = w * h\n    return x\n",
            "    x = w * h\n    return x\n",
            id="first-line-lost-its-indentation",
        ),
        pytest.param(
            AREA,
            " if w:\n        return w\n    return h\n",
            "    if w:\n        return w\n    return h\n",
            id="stray-space-before-a-block-opener",
        ),
        pytest.param(
            AREA,
            "if w:\n        return w\n    return h\n",
            "    if w:\n        return w\n    return h\n",
            id="block-opener-lost-its-indentation",
        ),
        pytest.param(
            AREA,
            "if w:\n    return w\nreturn h\n",
            "    if w:\n        return w\n    return h\n",
            id="too-shallow-opener-is-not-a-lost-indentation",
        ),
    ],
)
def test_reindent(text: str, raw: str, expected: str) -> None:
    """The fill moves to the hole's indentation, keeping its depths, in the file's tabs/spaces."""
    assert fill(text, raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("   \n\t\n", id="whitespace"),
        pytest.param("\r\n\r\n", id="crlf-only"),
        pytest.param("<|endoftext|>", id="only-a-token"),
        pytest.param("\n\n</s>    return w * h\n", id="token-before-code"),
        pytest.param("```python\n```\n", id="empty-fence"),
    ],
)
def test_rejects_empty(raw: str) -> None:
    """An answer with no code for the hole is rejected."""
    assert fill(AREA, raw) == "<rejected: the model returned no code>"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            "    total = 0\n" * 3,
            "<rejected: the model repeated itself>",
            id="same-line",
        ),
        pytest.param(
            "    area = w * h\n" + "    area = area\n" * 30,
            "<rejected: the model repeated itself>",
            id="runaway",
        ),
        pytest.param(
            "    total = 0\n    total = 0\n    total = 0\n    tot",
            "<rejected: the model repeated itself>",
            id="last-copy-cut-short",
        ),
        pytest.param(
            "    a.append(w)\n    b.append(h)\n" * 3,
            "<rejected: the model repeated itself>",
            id="two-line-loop",
        ),
        pytest.param(
            "    print(w)\n    print(w)\n    return w * h\n",
            "    print(w)\n    print(w)\n    return w * h\n",
            id="twice-is-fine",
        ),
        pytest.param(
            "    grid = [\n" + "        [0, 0, 0],\n" * 3 + "    ]\n    return grid\n",
            "    grid = [\n" + "        [0, 0, 0],\n" * 3 + "    ]\n    return grid\n",
            id="identical-rows-then-more-code",
        ),
        pytest.param(
            "    return {\n        'a': {\n            'b': {\n                'c': {\n"
            "                    'd': w,\n                },\n            },\n        },\n    }\n",
            "    return {\n        'a': {\n            'b': {\n                'c': {\n"
            "                    'd': w,\n                },\n            },\n        },\n    }\n",
            id="closers-at-different-depths",
        ),
    ],
)
def test_repetition(raw: str, expected: str) -> None:
    """A fill that ends in a loop of the same lines is rejected; repeated lines are not."""
    assert fill(AREA, raw) == expected


@pytest.mark.parametrize(
    ("text", "raw", "expected"),
    [
        pytest.param(
            AREA, "    pass\n", "<rejected: the model answered with another stub>", id="pass"
        ),
        pytest.param(
            AREA, "    ...\n", "<rejected: the model answered with another stub>", id="dots"
        ),
        pytest.param(
            AREA,
            "    raise NotImplementedError\n",
            "<rejected: the model answered with another stub>",
            id="raise-not-implemented",
        ),
        pytest.param(
            AREA,
            "    raise NotImplementedError('later')\n",
            "<rejected: the model answered with another stub>",
            id="raise-not-implemented-call",
        ),
        pytest.param(
            AREA,
            "    # compute the area here\n",
            "<rejected: the model answered with another stub>",
            id="comment",
        ),
        pytest.param(
            AREA,
            "    # TODO: compute the area\n    pass\n",
            "<rejected: the model answered with another stub>",
            id="todo-and-pass",
        ),
        pytest.param(
            AREA,
            "    pass  # not needed\n",
            "<rejected: the model answered with another stub>",
            id="pass-with-comment",
        ),
        pytest.param(
            AREA,
            '    """The area of a w by h rectangle."""\n',
            "<rejected: the model answered with another stub>",
            id="docstring-alone",
        ),
        pytest.param(
            TOTAL,
            "    ...\n",
            "<rejected: the model answered with another stub>",
            id="todo-hole",
        ),
        pytest.param(
            "def area(w, h): ...\n",
            "    pass\n",
            "<rejected: the model answered with another stub>",
            id="one-line-def",
        ),
        pytest.param(
            AREA,
            "    return NotImplemented\n",
            "    return NotImplemented\n",
            id="not-implemented-value",
        ),
        pytest.param(
            AREA,
            "    raise NotImplementedErrorish()\n",
            "    raise NotImplementedErrorish()\n",
            id="other-exception",
        ),
        pytest.param(
            AREA,
            "    # the area\n    return w * h\n",
            "    # the area\n    return w * h\n",
            id="comment-and-code",
        ),
    ],
)
def test_rejects_stub(text: str, raw: str, expected: str) -> None:
    """An answer that is itself only a stub or comments fills nothing."""
    assert fill(text, raw) == expected


@pytest.mark.parametrize(
    ("text", "raw", "expected"),
    [
        pytest.param(
            "def area(w, h): ...\n",
            "    return w * h\n",
            "def area(w, h):\n    return w * h\n",
            id="dots",
        ),
        pytest.param(
            "def area(w, h): pass\n",
            "    return w * h\n",
            "def area(w, h):\n    return w * h\n",
            id="pass",
        ),
        pytest.param(
            "def area(w, h): raise NotImplementedError\n",
            "    return w * h\n",
            "def area(w, h):\n    return w * h\n",
            id="raise",
        ),
        pytest.param(
            "async def fetch(url: str) -> bytes: ...\n",
            "    async with session.get(url) as response:\n        return await response.read()\n",
            "async def fetch(url: str) -> bytes:\n"
            "    async with session.get(url) as response:\n        return await response.read()\n",
            id="async-annotated",
        ),
        pytest.param(
            "class Box:\n    def area(self): ...\n",
            "        return self.w * self.h\n",
            "    def area(self):\n        return self.w * self.h\n",
            id="method",
        ),
        pytest.param(
            "class Box:\n\tdef area(self): ...\n",
            "        return self.w * self.h\n",
            "\tdef area(self):\n\t\treturn self.w * self.h\n",
            id="method-tabs",
        ),
        pytest.param(
            "def area(w, h): ...\n",
            "return w * h\n",
            "def area(w, h):\n    return w * h\n",
            id="too-shallow",
        ),
        pytest.param(
            "def area(w, h): ...\ndef volume(w, h, d):\n    return w * h * d\n",
            "    return w * h\ndef volume(w, h, d):\n    return w * h * d\n",
            "def area(w, h):\n    return w * h\n",
            id="echo-of-next-def",
        ),
        pytest.param(
            "def area(w, h): ...\n\n\nprint(area(2, 3))\n",
            "    return w * h\n\n\nif __name__ == '__main__':\n    print(area(2, 3))\n",
            "def area(w, h):\n    return w * h\n",
            id="past-the-block",
        ),
        pytest.param(
            "def area(w, h): ...",
            "    return w * h\n",
            "def area(w, h):\n    return w * h",
            id="ends-file-without-newline",
        ),
        pytest.param(
            "def area(w, h): ...\r\n",
            "    return w * h\n",
            "def area(w, h):\r\n    return w * h\r\n",
            id="crlf",
        ),
    ],
)
def test_one_line_def(text: str, raw: str, expected: str) -> None:
    """`def f(x): ...` becomes the signature line with the body on its own lines."""
    assert fill(text, raw) == expected


# Two TODOs side by side: each fill is fine alone, but `global` after a use is not.
TWO_TODOS = (
    "count = 0\n\n\ndef bump():\n    # TODO: log count\n    # TODO: add one\n    return count\n"
)
# A body of comments only: the file does not parse before any fill.
BROKEN = "def area(w, h):\n    # TODO: multiply\n"
BROKEN_TWO = (
    "def area(w, h):\n    # TODO: multiply\n\n\ndef volume(w, h, d):\n    # TODO: multiply\n"
)


@pytest.mark.parametrize(
    ("text", "suggestions", "expected"),
    [
        pytest.param(AREA, ["    return w * h\n"], None, id="fine"),
        pytest.param(AREA, [], None, id="no-fills"),
        pytest.param(
            AREA, ["    return (w * h\n"], "the fill would add a syntax error", id="open-bracket"
        ),
        pytest.param(
            AREA,
            ["    x = 1\n      return x\n"],
            "the fill would add a syntax error",
            id="bad-indent",
        ),
        pytest.param(
            AREA,
            ['    return """w * h\n'],
            "the fill would add a syntax error",
            id="open-string",
        ),
        pytest.param(
            MODULE,
            ["return 2 * x\n"],
            "the fill would add a syntax error",
            id="return-outside-function",
        ),
        pytest.param(
            MODULE,
            ["for x in range(3):\n    pass\nbreak\n"],
            "the fill would add a syntax error",
            id="break-outside-loop",
        ),
        pytest.param(AREA.replace("\n", "\r\n"), ["    return w * h\r\n"], None, id="crlf-fine"),
        pytest.param(
            AREA.replace("\n", "\r\n"),
            ["    return (w * h\r\n"],
            "the fill would add a syntax error",
            id="crlf-broken",
        ),
        pytest.param(TWO_TODOS, ["    print(count)\n"], None, id="together-first-alone"),
        pytest.param(
            TWO_TODOS,
            [None, "    global count\n    count += 1\n"],
            None,
            id="together-second-alone",
        ),
        pytest.param(
            TWO_TODOS,
            ["    print(count)\n", "    global count\n    count += 1\n"],
            "the fill would add a syntax error",
            id="together-broken",
        ),
        pytest.param(BROKEN, ["    return w * h\n"], None, id="broken-file-block-parses"),
        pytest.param(
            BROKEN,
            ["    return (w *\n"],
            "the fill is not valid Python on its own",
            id="broken-file-block-does-not-parse",
        ),
        pytest.param(
            BROKEN,
            ["    x = w\n  return x * h\n"],
            "the fill is not valid Python on its own",
            id="broken-file-bad-indent",
        ),
        pytest.param(
            BROKEN.replace("\n", "\r\n"),
            ["    if w:\r\n        return w * h\r\n"],
            None,
            id="broken-file-crlf",
        ),
        pytest.param(
            BROKEN_TWO,
            ["    return w * h\n", "    return w * h * d\n"],
            None,
            id="broken-file-two-fine",
        ),
        pytest.param(
            BROKEN_TWO,
            ["    return w * h\n", "    return w * h *\n"],
            "the fill is not valid Python on its own",
            id="broken-file-one-bad",
        ),
    ],
)
def test_check_syntax(text: str, suggestions: list[str | None], expected: str | None) -> None:
    """No fill adds a syntax error, alone or together; in a broken file, each parses as a block."""
    fills = [(h, s) for h, s in zip(holes(text), suggestions, strict=False) if s is not None]
    assert len(fills) == len([s for s in suggestions if s is not None])
    assert check_syntax(text, fills) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            "    x = w * h\n    return x\n    y",
            "<rejected: the answer was cut short at --max-tokens>",
            id="cut-inside-the-body",
        ),
        pytest.param(
            "    return w * h\n\n\ndef volume(w, h, d):\n    return",
            "    return w * h\n",
            id="cut-after-the-block-ended",
        ),
    ],
)
def test_cut_short_at_max_tokens(raw: str, expected: str) -> None:
    """An answer stopped by max_tokens is offered only if the part kept ended before the cut."""
    (hole,) = holes(AREA)
    try:
        got = clean(hole, raw, prompt=build(hole, AREA), text=AREA, finish_reason="length")
    except Rejected as error:
        got = f"<rejected: {error}>"
    assert got == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "def area(w, h):\n    # TODO: a\r\n    # b\r\n    pass\n\n\nx = 1\n",
            "    area = w * h\r\n    return area\r\n",
            id="most-end-crlf",
        ),
        pytest.param(
            "def area(w, h):\r\n    # TODO: a\n    # b\n    pass\r\n\r\n\r\nx = 1\r\n",
            "    area = w * h\n    return area\n",
            id="most-end-lf",
        ),
        pytest.param(
            "def area(w, h):\n    # TODO: a\r\n    pass\n\n\nx = 1\n",
            "    area = w * h\n    return area\n",
            id="tie-goes-to-the-last-line",
        ),
        pytest.param(
            "def area(w, h):\n    # TODO: a\n    pass\r\n\n\nx = 1\n",
            "    area = w * h\r\n    return area\r\n",
            id="tie-goes-to-the-last-line-crlf",
        ),
        pytest.param(
            "x = 1\ny = 2\n\n\ndef area(w, h):\n    # TODO: a\r\n    pass",
            "    area = w * h\r\n    return area",
            id="the-last-line-has-none",
        ),
        pytest.param(
            "x = 1\r\ny = 2\r\n\r\n\r\ndef area(w, h):\n    pass",
            "    area = w * h\r\n    return area",
            id="no-line-has-one-the-files",
        ),
    ],
)
def test_a_hole_mixing_line_breaks(text: str, expected: str) -> None:
    """A fill takes the break most of its hole's lines end with, the later one's on a tie; the
    file's own when the hole is one last line without a break."""
    assert fill(text, "    area = w * h\n    return area\n") == expected
