"""Tests of the FIM oracle: it must find the true middle, or the round trip measures nothing."""

from __future__ import annotations

import textwrap
from typing import Any

import httpx
import pytest

from .codestral import FakeCodestral
from .oracle import MODES, RUNAWAY, SPECIAL_TOKENS, language_of, make_oracle

ORIGINAL = textwrap.dedent('''\
    """Sizes of things."""


    class Box:
        def size(self):
            return len(self.items)


    class Bag:
        def size(self):
            return len(self.items)

        def total(self):
            """Add up the prices."""
            result = 0
            count = 0
            for item in self.items:
                result += item.price
            return result


    def area(width, height):
        return width * height
''')


def cut(text: str, middle: str, *, occurrence: int = 1) -> dict[str, Any]:
    """A request whose prompt and suffix surround the given occurrence of `middle`."""
    at = -1
    for _ in range(occurrence):
        at = text.index(middle, at + 1)
    suffix = text[at + len(middle) :]
    return {"prompt": text[:at], "suffix": suffix or "\n", "max_tokens": 64}


BODY = "        result = 0\n        count = 0\n"  # two statements of Bag.total
SIZE_BODY = "        return len(self.items)\n"


def test_perfect_answers_the_true_middle() -> None:
    """The text between the prompt's end and the suffix's start is the answer."""
    oracle = make_oracle([ORIGINAL], "perfect")
    assert oracle(cut(ORIGINAL, BODY)) == BODY
    assert (oracle.stats.matched, oracle.stats.unmatched) == (1, 0)


def test_identical_functions_are_told_apart_by_the_context() -> None:
    """Box.size and Bag.size are the same text: each hole gets its own body, never a span."""
    oracle = make_oracle([ORIGINAL], "perfect")
    for occurrence in (1, 2):
        assert oracle(cut(ORIGINAL, SIZE_BODY, occurrence=occurrence)) == SIZE_BODY
    # Same signature, different bodies: only the class line above the hole says which.
    text = ORIGINAL.replace("return len(self.items)", "return len(self.things)", 1)
    request = cut(text, SIZE_BODY)
    assert request["prompt"].endswith("class Bag:\n    def size(self):\n")
    assert make_oracle([text], "perfect")(request) == SIZE_BODY
    assert make_oracle([text], "perfect")(cut(text, "        return len(self.things)\n")) == (
        "        return len(self.things)\n"
    )
    assert oracle.stats.unmatched == 0


def test_identical_prefixes_are_told_apart_by_the_suffix() -> None:
    """Same prompt tail twice (a short prompt): the suffix picks the place, and the nearest."""
    text = "def f(x):\n    return 1\n\n\ndef f(x):\n    return 2\n\n\nprint(f(3))\n"
    oracle = make_oracle([text], "perfect")
    body = {"prompt": "def f(x):\n", "suffix": "\n\nprint(f(3))\n"}
    assert oracle(body) == "    return 2\n"
    assert oracle({"prompt": "def f(x):\n", "suffix": "\n\ndef f(x):\n"}) == "    return 1\n"


def test_repo_context_before_the_prefix_is_not_looked_for() -> None:
    """`# Path:` snippets from other files head the prompt; only its tail is matched."""
    request = cut(ORIGINAL, BODY)
    context = "# Path: shop/prices.py\ndef price(item):\n    return item.price\n\n"
    request["prompt"] = context + request["prompt"]
    assert make_oracle([ORIGINAL], "perfect")(request) == BODY


def test_instruction_line_at_the_prompt_end_is_dropped() -> None:
    """The TODO's text as a comment ends the prompt; it is not in the original: skip it."""
    request = cut(ORIGINAL, BODY)
    request["prompt"] += "        # set up the totals\n"
    assert make_oracle([ORIGINAL], "perfect")(request) == BODY


def test_a_comment_really_there_is_kept() -> None:
    """A comment line that the original holds where the prompt ends is part of the match."""
    text = "def f():\n    # start at zero\n    x = 0\n    return x\n"
    request = {"prompt": "def f():\n    # start at zero\n", "suffix": "    return x\n"}
    assert make_oracle([text], "perfect")(request) == "    x = 0\n"


def test_hole_at_the_end_of_the_file() -> None:
    """Suffix "\\n" (nothing after the hole): the middle runs to the end of the original."""
    oracle = make_oracle([ORIGINAL], "perfect")
    assert oracle(cut(ORIGINAL, "    return width * height\n")) == "    return width * height\n"
    no_newline = ORIGINAL.rstrip("\n")
    assert make_oracle([no_newline], "perfect")(cut(no_newline, "    return width * height")) == (
        "    return width * height"
    )


def test_crlf_originals_match_and_answers_follow_the_request() -> None:
    """CRLF originals match "\\n" prompts; a CRLF request gets a CRLF answer."""
    crlf = ORIGINAL.replace("\n", "\r\n")
    oracle = make_oracle([crlf], "perfect")
    assert oracle(cut(ORIGINAL, BODY)) == BODY
    assert oracle(cut(crlf, BODY.replace("\n", "\r\n"))) == BODY.replace("\n", "\r\n")
    assert oracle.stats.matched == 2


def test_a_hole_at_the_start_of_a_file() -> None:
    """An empty prompt (or only an instruction): the middle starts the original."""
    oracle = make_oracle([ORIGINAL], "perfect")
    docstring = '"""Sizes of things."""\n'
    rest = ORIGINAL.removeprefix(docstring)
    assert oracle({"prompt": "", "suffix": rest}) == docstring
    assert oracle({"prompt": "# a docstring\n", "suffix": rest}) == docstring


def test_no_match_is_empty_and_counted() -> None:
    """Text that no original holds gets "" and counts as unmatched."""
    oracle = make_oracle([ORIGINAL], "echo_suffix")
    assert oracle({"prompt": "import os\nprint(os.sep)\n", "suffix": "exit()\n"}) == ""
    assert oracle({"prompt": "class Box:\n", "suffix": "nowhere()\n"}) == ""
    assert (oracle.stats.matched, oracle.stats.unmatched) == (0, 2)


def test_unknown_mode_is_an_error() -> None:
    """A misspelt mode fails at once, naming the known ones."""
    with pytest.raises(ValueError, match="perfect"):
        make_oracle([ORIGINAL], "perfectly")


# ------------------------------------------------------------------------ noise modes


def answer(mode: str, middle: str = BODY, text: str = ORIGINAL, **extra: Any) -> str:
    return make_oracle([text], mode)({**cut(text, middle), **extra})


def test_echo_suffix_repeats_one_to_three_suffix_lines() -> None:
    """The fill, then the suffix's first 1-3 lines, the count fixed by the prompt's hash."""
    suffix_lines = cut(ORIGINAL, BODY)["suffix"].splitlines(keepends=True)
    counts = set()
    for middle in (BODY, SIZE_BODY, "            result += item.price\n", "class Bag:\n"):
        got = answer("echo_suffix", middle)
        echo = got.removeprefix(middle)
        lines = cut(ORIGINAL, middle)["suffix"].splitlines(keepends=True)
        counts.add(len(echo.splitlines()))
        assert echo == "".join(lines[: len(echo.splitlines())])
        assert got == answer("echo_suffix", middle)  # deterministic
    assert counts <= {1, 2, 3}
    assert len(counts) > 1
    assert answer("echo_suffix").startswith(BODY + suffix_lines[0])


def test_runaway_adds_a_def_at_the_enclosing_def_indentation() -> None:
    """A new function follows the fill, at the indentation of the def the hole is in."""
    method = answer("runaway")
    assert method == BODY + "\n\n" + textwrap.indent(RUNAWAY, "    ")
    function = answer("runaway", "    return width * height\n")
    assert function == "    return width * height\n\n\n" + RUNAWAY


def test_leading_newline_and_leading_space() -> None:
    """A blank line, or one stray space, before the fill."""
    assert answer("leading_newline") == "\n" + BODY
    assert answer("leading_space") == " " + BODY


def test_fence_wraps_the_fill_in_markdown() -> None:
    """```python ... ``` around the fill."""
    assert answer("fence") == "```python\n" + BODY + "```\n"


def test_too_deep_and_too_shallow_shift_by_one_level() -> None:
    """One level more or less, in spaces, or in tabs where the file uses tabs."""
    assert answer("too_deep") == textwrap.indent(BODY, "    ")
    assert answer("too_shallow") == "    result = 0\n    count = 0\n"
    tabbed = "def f():\n\tx = 1\n\ty = 2\n\treturn x + y\n"
    assert answer("too_deep", "\tx = 1\n\ty = 2\n", tabbed) == "\t\tx = 1\n\t\ty = 2\n"
    assert answer("too_shallow", "\tx = 1\n\ty = 2\n", tabbed) == "x = 1\ny = 2\n"


def test_too_shallow_leaves_a_fill_at_the_margin_alone() -> None:
    """Where a line already starts at column 0 there is no level to take away."""
    text = 'def f():\n    s = """\nraw\n"""\n    return s\n'
    oracle = make_oracle([text], "too_shallow")
    middle = '    s = """\nraw\n"""\n'
    assert oracle(cut(text, middle)) == middle
    assert oracle.stats.unchanged == 1


def test_empty_and_whitespace_only() -> None:
    """No code at all: an empty answer, or only blanks, tabs and line breaks."""
    assert answer("empty") == ""
    whitespace = answer("whitespace")
    assert whitespace
    assert not whitespace.strip()


def test_repeat_loops_one_line_past_max_tokens() -> None:
    """One line of the fill said over and over, beyond max_tokens (the server cuts it)."""
    got = answer("repeat", max_tokens=10)
    assert len(got) > 10 * 4
    assert set(got.splitlines()) == {"        result = 0"}


def test_special_token_is_appended() -> None:
    """The fill, then an end-of-text or FIM token as models leak them."""
    seen = set()
    for middle in (BODY, SIZE_BODY, "            result += item.price\n", "class Bag:\n"):
        got = answer("special_token", middle)
        token = got.removeprefix(middle)
        assert token in SPECIAL_TOKENS
        seen.add(token)
    assert seen == set(SPECIAL_TOKENS)


def test_every_mode_is_named_and_answers_something_from_the_middle() -> None:
    """Each mode but the empty ones keeps the fill's text somewhere in its answer."""
    for mode in MODES:
        got = answer(mode)
        if mode in ("empty", "whitespace"):
            assert not got.strip()
        else:
            assert "result = 0" in got, mode


def test_the_oracle_serves_through_the_fake() -> None:
    """As a FakeCodestral responder: the fill comes back over HTTP, cut at max_tokens."""
    oracle = make_oracle([ORIGINAL], "perfect")
    with FakeCodestral(api_key="k") as fake:
        fake.responder = oracle
        request = {"model": "codestral-latest", **cut(ORIGINAL, BODY)}
        reply = httpx.post(fake.fim_url, json=request, headers={"Authorization": "Bearer k"})
        assert reply.json()["choices"][0]["message"]["content"] == BODY
        fake.responder = make_oracle([ORIGINAL], "repeat")
        request["max_tokens"] = 8
        reply = httpx.post(fake.fim_url, json=request, headers={"Authorization": "Bearer k"})
        choice = reply.json()["choices"][0]
        assert (len(choice["message"]["content"]), choice["finish_reason"]) == (32, "length")
        assert fake.errors == []
    assert oracle.stats.matched == 1


# ------------------------------------------------------------------ languages with braces

JS = textwrap.dedent("""\
    const { join } = require('node:path')

    class Store {
      constructor (root) {
        this.root = root
      }

      path (name) {
        const file = join(this.root, name)
        const safe = file.replace(/\\.\\./g, '')
        return safe
      }

      get size () {
        return this.items.length
      }
    }

    function load (root) {
      const store = new Store(root)
      store.read()
      return store
    }

    module.exports = { Store, load }
""")
JS_BODY = "    const file = join(this.root, name)\n    const safe = file.replace(/\\.\\./g, '')\n"
JAVA = textwrap.dedent("""\
    package shop;

    /** Prices. */
    public final class Prices {
        /** The total of the items. */
        static int total(int[] items) {
            int sum = 0;
            for (int item : items) {
                sum += item;
            }
            return sum;
        }
    }
""")
JAVA_BODY = "        int sum = 0;\n"


def brace_answer(mode: str, text: str, middle: str, name: str, **extra: Any) -> str:
    oracle = make_oracle({name: text}, mode)
    got = oracle({**cut(text, middle), **extra})
    assert oracle.stats.unmatched == 0
    return got


def test_language_of_a_file_name() -> None:
    """The extension tells the language; no extension, or an unknown one, is Python."""
    assert [language_of(n) for n in ("a/b.js", "B.java", "x.rs", "m.go", "h.PY")] == [
        "javascript",
        "java",
        "rust",
        "go",
        "python",
    ]
    assert [language_of(n) for n in ("base64", "dir.v1/file", "notes.txt", "")] == ["python"] * 4


def test_named_originals_match_as_bare_texts() -> None:
    """A mapping of names to texts finds the same middles; `// ...` instruction lines and
    `// Path:` headers are not looked for, as `#` ones are not in Python."""
    request = cut(JS, JS_BODY)
    assert brace_answer("perfect", JS, JS_BODY, "lib/store.js") == JS_BODY
    request["prompt"] = (
        "// Path: lib/other.js\nfoo()\n\n\n// Path: lib/store.js\n"
        + request["prompt"]
        + "    // compute file, safe\n"
    )
    oracle = make_oracle({"lib/store.js": JS}, "perfect")
    assert oracle(request) == JS_BODY
    assert oracle.stats.matched == 1


def test_a_one_line_body_rewritten_is_found_in_its_expanded_original() -> None:
    """`get size () { ... }` on one line: the bot sends the signature up to "{" and the "}"
    on a line of its own; the original given is that expanded form."""
    request = {"prompt": JS[: JS.index("    return this.items")], "suffix": "  }\n}\n"}
    assert make_oracle({"s.js": JS}, "perfect")(request) == "    return this.items.length\n"


def test_runaway_in_javascript_closes_the_block_and_writes_a_method_or_a_function() -> None:
    """After a method's body: "}" at the method's indentation, then a new method; after a
    top-level function's: "}" at the margin and a new function. Two spaces a level, as npm."""
    method = brace_answer("runaway", JS, JS_BODY, "lib/store.js")
    assert method == JS_BODY + "  }\n\n  unrelatedHelper(x) {\n    return x\n  }\n"
    body = "  const store = new Store(root)\n  store.read()\n"
    function = brace_answer("runaway", JS, body, "lib/store.js")
    assert function == body + "}\n\nfunction unrelatedHelper(x) {\n  return x\n}\n"


def test_runaway_in_java_and_the_stop_sequence_cuts_it() -> None:
    """A Java method follows the closed body; the bot's stop at the closing brace leaves the
    true middle, without its last line break."""
    got = brace_answer("runaway", JAVA, JAVA_BODY, "shop/Prices.java")
    helper = "    private static Object unrelatedHelper(Object x) {\n        return x;\n    }\n"
    assert got == JAVA_BODY + "    }\n\n" + helper
    oracle = make_oracle({"shop/Prices.java": JAVA}, "runaway")
    with FakeCodestral(api_key="k") as fake:
        fake.responder = oracle
        request = {"model": "codestral-latest", "stop": ["\n    }"], **cut(JAVA, JAVA_BODY)}
        reply = httpx.post(fake.fim_url, json=request, headers={"Authorization": "Bearer k"})
        assert reply.json()["choices"][0]["message"]["content"] == JAVA_BODY.rstrip("\n")


def test_fence_carries_the_language_tag() -> None:
    """```javascript, ```java: the tag of the original's language."""
    assert brace_answer("fence", JS, JS_BODY, "a.js") == "```javascript\n" + JS_BODY + "```\n"
    assert brace_answer("fence", JAVA, JAVA_BODY, "A.java") == "```java\n" + JAVA_BODY + "```\n"
    assert answer("fence").startswith("```python\n")


def test_indentation_noise_moves_by_the_files_own_step() -> None:
    """Two spaces in npm's style, four in Java's; Python keeps its four whatever the file."""
    assert brace_answer("too_deep", JS, JS_BODY, "a.js") == textwrap.indent(JS_BODY, "  ")
    shallow = brace_answer("too_shallow", JS, JS_BODY, "a.js")
    assert shallow == "".join(line[2:] for line in JS_BODY.splitlines(keepends=True))
    assert brace_answer("too_deep", JAVA, JAVA_BODY, "A.java") == "    " + JAVA_BODY
    two = "def f():\n  x = 1\n  return x\n"
    assert make_oracle({"f.py": two}, "too_deep")(cut(two, "  x = 1\n")) == "      x = 1\n"


def test_lines_match_at_the_start_of_a_line_only() -> None:
    """A suffix of "}\\n" (the end of a file) is the brace alone on its line, not the end of
    an inner block's "  }\\n" that comes first."""
    text = "f = () => {\n  if (a) {\n    return 1\n  }\n  return 2\n}\n"
    body = "  if (a) {\n    return 1\n  }\n  return 2\n"
    request = {"prompt": "f = () => {\n", "suffix": "}\n"}
    assert make_oracle({"f.js": text}, "perfect")(request) == body
