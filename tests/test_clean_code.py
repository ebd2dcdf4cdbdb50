"""Tables for the clean stage in languages other than Python: a file with one hole (found by
the real scanner) and the model's raw answer -> the exact suggestion (or why it is rejected);
and the syntax check over fills (tree-sitter, or the lexer where no grammar reads the file)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from bot.clean import Rejected, check_syntax, clean
from bot.data import Hole, SourceFile
from bot.languages.table import language_for
from bot.prompt import build
from bot.scan import Scanner
from bot.text import replace_lines

pytestmark = pytest.mark.scanner

TAGS = ("TODO", "FIXME", "XXX")


@dataclass(frozen=True)
class Sample:
    """A file whose only hole is the TODO in `area`'s body, the body that fills it as the
    author wrote it, and the file's indentation step."""

    path: str
    text: str
    body: str
    unit: str


def _sample(path: str, before: str, body: str, after: str, unit: str) -> Sample:
    indent = body[: len(body) - len(body.lstrip())]
    return Sample(path, f"{before}{indent}// TODO: compute the area\n{after}", body, unit)


SAMPLES = {
    "javascript": _sample(
        "shapes.js",
        "function area(w, h) {\n",
        '  if (w < 0 || h < 0) {\n    throw new RangeError("negative size");\n  }\n'
        "  return w * h;\n",
        "}\n\nfunction perimeter(w, h) {\n  return 2 * (w + h);\n}\n",
        "  ",
    ),
    "typescript": _sample(
        "shapes.ts",
        "export function area(w: number, h: number): number {\n",
        '  if (w < 0 || h < 0) {\n    throw new RangeError("negative size");\n  }\n'
        "  return w * h;\n",
        "}\n\nexport function perimeter(w: number, h: number): number {\n"
        "  return 2 * (w + h);\n}\n",
        "  ",
    ),
    "java": _sample(
        "Shapes.java",
        "class Shapes {\n    static int area(int w, int h) {\n",
        "        if (w < 0 || h < 0) {\n"
        '            throw new IllegalArgumentException("negative size");\n'
        "        }\n        return w * h;\n",
        "    }\n\n    static int perimeter(int w, int h) {\n"
        "        return 2 * (w + h);\n    }\n}\n",
        "    ",
    ),
    "go": _sample(
        "shapes.go",
        "package shapes\n\nfunc Area(w, h int) int {\n",
        '\tif w < 0 || h < 0 {\n\t\tpanic("negative size")\n\t}\n\treturn w * h\n',
        "}\n\nfunc Perimeter(w, h int) int {\n\treturn 2 * (w + h)\n}\n",
        "\t",
    ),
    "rust": _sample(
        "shapes.rs",
        "fn area(w: u32, h: u32) -> u32 {\n",
        "    if w == 0 || h == 0 {\n        return 0;\n    }\n    w * h\n",
        "}\n\nfn perimeter(w: u32, h: u32) -> u32 {\n    2 * (w + h)\n}\n",
        "    ",
    ),
    "c": _sample(
        "shapes.c",
        "int area(int w, int h) {\n",
        "    if (w < 0 || h < 0) {\n        return -1;\n    }\n    return w * h;\n",
        "}\n\nint perimeter(int w, int h) {\n    return 2 * (w + h);\n}\n",
        "    ",
    ),
    "csharp": _sample(
        "Shapes.cs",
        "class Shapes\n{\n    static int Area(int w, int h)\n    {\n",
        "        if (w < 0 || h < 0)\n        {\n"
        '            throw new ArgumentException("negative size");\n'
        "        }\n        return w * h;\n",
        "    }\n\n    static int Perimeter(int w, int h)\n    {\n        return 2 * (w + h);\n"
        "    }\n}\n",
        "    ",
    ),
    "kotlin": _sample(
        "Shapes.kt",
        "fun area(w: Int, h: Int): Int {\n",
        "    if (w < 0 || h < 0) {\n"
        '        throw IllegalArgumentException("negative size")\n    }\n    return w * h\n',
        "}\n\nfun perimeter(w: Int, h: Int): Int {\n    return 2 * (w + h)\n}\n",
        "    ",
    ),
    "php": _sample(
        "shapes.php",
        "<?php\n\nfunction area($w, $h) {\n",
        "    if ($w < 0 || $h < 0) {\n"
        '        throw new InvalidArgumentException("negative size");\n    }\n'
        "    return $w * $h;\n",
        "}\n\nfunction perimeter($w, $h) {\n    return 2 * ($w + $h);\n}\n",
        "    ",
    ),
    "ruby": Sample(
        "shapes.rb",
        "def area(w, h)\n  # TODO: compute the area\nend\n\n"
        "def perimeter(w, h)\n  2 * (w + h)\nend\n",
        '  if w.negative? || h.negative?\n    raise ArgumentError, "negative size"\n  end\n'
        "  w * h\n",
        "  ",
    ),
}
# What a runaway model writes after the hole's block: the brace (or `end`) that closes it at
# the signature's indentation, then a function the file does not hold.
RUNAWAY = {
    "javascript": "}\n\nfunction volume(w, h, d) {\n  return w * h * d;\n}\n",
    "typescript": "}\n\nfunction volume(w: number, h: number, d: number): number {\n"
    "  return w * h * d;\n}\n",
    "java": "    }\n\n    static int volume(int w, int h, int d) {\n"
    "        return w * h * d;\n    }\n",
    "go": "}\n\nfunc Volume(w, h, d int) int {\n\treturn w * h * d\n}\n",
    "rust": "}\n\nfn volume(w: u32, h: u32, d: u32) -> u32 {\n    w * h * d\n}\n",
    "c": "}\n\nint volume(int w, int h, int d) {\n    return w * h * d;\n}\n",
    "csharp": "    }\n\n    static int Volume(int w, int h, int d)\n    {\n"
    "        return w * h * d;\n    }\n",
    "kotlin": "}\n\nfun volume(w: Int, h: Int, d: Int): Int {\n    return w * h * d\n}\n",
    "php": "}\n\nfunction volume($w, $h, $d) {\n    return $w * $h * $d;\n}\n",
    "ruby": "end\n\ndef volume(w, h, d)\n  w * h * d\nend\n",
}


def holes(path: str, text: str) -> list[Hole]:
    added = frozenset(range(1, text.count("\n") + 2))
    return Scanner(tags=TAGS).holes(SourceFile(path=path, text=text, added=added))


def fill(path: str, text: str, raw: str, finish_reason: str | None = None) -> str:
    """The suggestion for the only hole of `text`, or `<rejected: reason>`."""
    (hole,) = holes(path, text)
    try:
        return clean(hole, raw, prompt=build(hole, text), text=text, finish_reason=finish_reason)
    except Rejected as error:
        return f"<rejected: {error}>"


def shifted(body: str, unit: str, *, deeper: bool) -> str:
    lines = body.splitlines(keepends=True)
    if deeper:
        return "".join(unit + line for line in lines)
    return "".join(line.removeprefix(unit) for line in lines)


def suffix_head(sample: Sample, count: int) -> str:
    (hole,) = holes(sample.path, sample.text)
    return "".join(build(hole, sample.text).suffix.splitlines(keepends=True)[:count])


# How the model answers, from the true body.
NOISE: dict[str, Callable[[Sample], str]] = {
    "perfect": lambda s: s.body,
    "echo-one-line": lambda s: s.body + suffix_head(s, 1),
    "echo-three-lines": lambda s: s.body + suffix_head(s, 3),
    "runaway": lambda s: s.body + RUNAWAY[language(s)],
    "leading-newline": lambda s: "\n" + s.body,
    "leading-space": lambda s: " " + s.body,
    "fence": lambda s: f"```{language(s)}\n{s.body}```\n\nThis checks the sizes first.\n",
    "too-deep": lambda s: shifted(s.body, s.unit, deeper=True),
    "too-shallow": lambda s: shifted(s.body, s.unit, deeper=False),
    "special-token": lambda s: s.body + "<|endoftext|>}\n\nfunction junk() {}\n",
    # Tabs in a file of spaces, four spaces in a file of tabs: a level is a level.
    "other-indent-character": lambda s: s.body.replace(s.unit, "    " if s.unit == "\t" else "\t"),
}


def language(sample: Sample) -> str:
    found = language_for(sample.path)
    assert found is not None
    return found.name


@pytest.mark.parametrize("noise", list(NOISE))
@pytest.mark.parametrize("name", list(SAMPLES))
def test_noise_gives_back_the_body(name: str, noise: str) -> None:
    """Whatever the model's usual noise (an echo of the code after the hole, running on into a
    new function, fences, special tokens, the wrong indentation), the fill is the body exactly."""
    sample = SAMPLES[name]
    assert fill(sample.path, sample.text, NOISE[noise](sample)) == sample.body


@pytest.mark.parametrize("name", list(SAMPLES))
def test_crlf_file(name: str) -> None:
    """A CRLF file gets its fill in CRLF, whatever the model sent."""
    sample = SAMPLES[name]
    text = sample.text.replace("\n", "\r\n")
    raw = (sample.body + RUNAWAY[name]).replace("\n", "\r\n")
    assert fill(sample.path, text, raw) == sample.body.replace("\n", "\r\n")


@pytest.mark.parametrize("name", list(SAMPLES))
def test_fill_parses_in_place(name: str) -> None:
    """The true body passes the syntax check, alone and with the file's CRLF line endings."""
    sample = SAMPLES[name]
    (hole,) = holes(sample.path, sample.text)
    assert check_syntax(sample.text, [(hole, sample.body)]) is None
    crlf = sample.text.replace("\n", "\r\n")
    (hole,) = holes(sample.path, crlf)
    assert check_syntax(crlf, [(hole, sample.body.replace("\n", "\r\n"))]) is None


JS = SAMPLES["javascript"]
JAVA = SAMPLES["java"]
GO = SAMPLES["go"]
RUST = SAMPLES["rust"]
C = SAMPLES["c"]
RUBY = SAMPLES["ruby"]
# A TODO at the top of a module: no block around it, but an unmatched brace still ends it.
JS_MODULE = "// TODO: a helper that doubles x\n\nexport const answer = 42;\n"
# A TODO among the arguments of a call: the fill ends at the `)` it did not open.
JS_ARGUMENTS = "const box = makeBox(\n  1,\n  // TODO: the other sides\n);\n"


@pytest.mark.parametrize(
    ("sample", "raw", "expected"),
    [
        pytest.param(
            JS,
            "  const open = \"{\";\n  const close = '}';  // }\n"
            "  return `${open}${w * h}}${close}`; /* } */\n}\n",
            "  const open = \"{\";\n  const close = '}';  // }\n"
            "  return `${open}${w * h}}${close}`; /* } */\n",
            id="javascript-strings-comments-template",
        ),
        pytest.param(
            JAVA,
            "        char close = '}';\n        String s = \"}}\";\n"
            '        String block = """\n            }\n            """;\n'
            "        return w * h + s.length() + block.length();\n    }\n",
            "        char close = '}';\n        String s = \"}}\";\n"
            '        String block = """\n            }\n            """;\n'
            "        return w * h + s.length() + block.length();\n",
            id="java-char-string-text-block",
        ),
        pytest.param(
            GO,
            "\ts := `}\n}`\n\tr := '}'\n\treturn w*h + len(s) + int(r) // }\n}\n",
            "\ts := `}\n}`\n\tr := '}'\n\treturn w*h + len(s) + int(r) // }\n",
            id="go-raw-string-rune",
        ),
        pytest.param(
            RUST,
            "    let s: &'static str = \"}\";\n    let c = '}';\n"
            "    /* } /* nested } */ } */\n    w * h + s.len() as u32 + c as u32\n}\n",
            "    let s: &'static str = \"}\";\n    let c = '}';\n"
            "    /* } /* nested } */ } */\n    w * h + s.len() as u32 + c as u32\n",
            id="rust-lifetime-char-nested-comment",
        ),
        pytest.param(
            RUBY,
            '  label = "#{w}}"\n  w * h # }\nend\n',
            '  label = "#{w}}"\n  w * h # }\n',
            id="ruby-interpolation",
        ),
    ],
)
def test_brackets_in_strings_and_comments(sample: Sample, raw: str, expected: str) -> None:
    """Braces inside strings, characters and comments neither end the fill nor move its end."""
    assert fill(sample.path, sample.text, raw) == expected


@pytest.mark.parametrize(
    ("path", "text", "raw", "expected"),
    [
        pytest.param(
            "mod.js",
            JS_MODULE,
            "function double(x) {\n  return 2 * x;\n}\n}\n\nfunction triple(x) {}\n",
            "function double(x) {\n  return 2 * x;\n}\n",
            id="module-level-stray-brace",
        ),
        pytest.param(
            "mod.js",
            JS_MODULE,
            "function double(x) {\n  return 2 * x;\n}\n\n"
            "function triple(x) {\n  return 3 * x;\n}\n",
            "function double(x) {\n  return 2 * x;\n}\n\n"
            "function triple(x) {\n  return 3 * x;\n}\n",
            id="module-level-has-no-block-end",
        ),
        pytest.param(
            "box.js",
            JS_ARGUMENTS,
            "  2,\n  3,\n);\nconsole.log(box);\n",
            "  2,\n  3,\n",
            id="closing-parenthesis",
        ),
        pytest.param(
            "box.js",
            JS_ARGUMENTS,
            "  2, 3);\n",
            "  2, 3\n",
            id="code-before-the-closer-kept",
        ),
        pytest.param(
            JS.path,
            JS.text,
            "  return w * h; }\n\nfunction volume() {}\n",
            "  return w * h;\n",
            id="closer-on-the-last-line",
        ),
        pytest.param(
            JS.path,
            JS.text,
            "  if (w) {\n    return w * h;\n  } else {\n    return 0;\n  }\n}\n",
            "  if (w) {\n    return w * h;\n  } else {\n    return 0;\n  }\n",
            id="else-is-not-an-end",
        ),
        pytest.param(
            C.path,
            C.text,
            "#ifdef SQUARE\n    return w * w;\n#else\n    return w * h;\n#endif\n}\n",
            "#ifdef SQUARE\n    return w * w;\n#else\n    return w * h;\n#endif\n",
            id="c-preprocessor-at-the-margin",
        ),
        pytest.param(
            C.path,
            C.text,
            "    int i = 0;\nagain:\n    if (i++ < w) goto again;\n    return i * h;\n}\n",
            "    int i = 0;\nagain:\n    if (i++ < w) goto again;\n    return i * h;\n",
            id="c-label-at-the-margin",
        ),
        pytest.param(
            GO.path,
            GO.text,
            "\tn := 0\nouter:\n\tfor i := 0; i < w; i++ {\n\t\tn += h\n\t\tcontinue outer\n"
            "\t}\n\treturn n\n}\n",
            "\tn := 0\nouter:\n\tfor i := 0; i < w; i++ {\n\t\tn += h\n\t\tcontinue outer\n"
            "\t}\n\treturn n\n",
            id="go-label-at-the-margin",
        ),
        pytest.param(
            JAVA.path,
            JAVA.text,
            "        switch (w) {\n        case 0:\n            return 0;\n        default:\n"
            "            return w * h;\n        }\n    }\n",
            "        switch (w) {\n        case 0:\n            return 0;\n        default:\n"
            "            return w * h;\n        }\n",
            id="java-switch-cases",
        ),
        pytest.param(
            JAVA.path,
            JAVA.text,
            "        return w * h;\n    }\n\nThis multiplies the sides.\n",
            "        return w * h;\n",
            id="java-into-prose",
        ),
        pytest.param(
            RUBY.path,
            RUBY.text,
            "w * h\nend\n\ndef volume(w, h, d)\n  w * h * d\nend\n",
            "  w * h\n",
            id="ruby-end-at-the-first-lines-level",
        ),
        pytest.param(
            RUBY.path,
            RUBY.text,
            "  [w, h].each do |side|\n    check(side)\n  end\n  w * h\nend\n",
            "  [w, h].each do |side|\n    check(side)\n  end\n  w * h\n",
            id="ruby-do-block-end-kept",
        ),
        pytest.param(
            RUBY.path,
            RUBY.text,
            "  range.end * h\nend\n",
            "  range.end * h\n",
            id="ruby-end-method-is-code",
        ),
    ],
)
def test_block_end(path: str, text: str, raw: str, expected: str) -> None:
    """The fill ends where it closes a bracket it did not open, or at the line left of its
    first (labels and preprocessor lines aside), or at a stray `end`."""
    assert fill(path, text, raw) == expected


GO_TABS = (
    "package shapes\n\n// TODO: a helper that doubles x\n\n"
    "func Area(w, h int) int {\n\treturn w * h\n}\n"
)
JS_FOUR = "class Shapes {\n    area(w, h) {\n        // TODO: compute the area\n    }\n}\n"


@pytest.mark.parametrize(
    ("path", "text", "raw", "expected"),
    [
        pytest.param(
            GO.path,
            GO.text,
            "    if w < 0 {\n        return 0\n    }\n    return w * h\n",
            "\tif w < 0 {\n\t\treturn 0\n\t}\n\treturn w * h\n",
            id="go-spaces-become-tabs",
        ),
        pytest.param(
            "double.go",
            GO_TABS,
            "func double(x int) int {\n    return 2 * x\n}\n",
            "func double(x int) int {\n\treturn 2 * x\n}\n",
            id="go-module-level-tabs",
        ),
        pytest.param(
            "shapes.js",
            JS_FOUR,
            "  if (w < 0) {\n    return 0;\n  }\n  return w * h;\n",
            "        if (w < 0) {\n          return 0;\n        }\n        return w * h;\n",
            id="two-space-fill-keeps-its-widths",
        ),
        pytest.param(
            "shapes.js",
            JS_FOUR,
            "const a = w * h;\n        return a;\n",
            "        const a = w * h;\n        return a;\n",
            id="first-line-lost-its-indentation",
        ),
        pytest.param(
            "shapes.js",
            JS_FOUR,
            "if (w) {\n            return w * h;\n        }\n        return 0;\n",
            "        if (w) {\n            return w * h;\n        }\n        return 0;\n",
            id="block-opener-lost-its-indentation",
        ),
        pytest.param(
            JS.path,
            JS.text,
            "   return w * h;\n",
            "  return w * h;\n",
            id="stray-space-in-a-two-space-file",
        ),
        pytest.param(
            JAVA.path,
            JAVA.text,
            "    return w > 0\n                ? w * h\n                : 0;\n",
            "        return w > 0\n                    ? w * h\n                    : 0;\n",
            id="aligned-continuation-keeps-its-widths",
        ),
        pytest.param(
            JS.path,
            JS.text,
            "\tif (w < 0) {\n\t\treturn 0;\n\t}\n\t// the area\n\treturn w * h;\n",
            "  if (w < 0) {\n    return 0;\n  }\n  // the area\n  return w * h;\n",
            id="a-tab-becomes-a-level-of-spaces",
        ),
        pytest.param(
            JS.path,
            JS.text,
            "return crypto\n  .createHash(w)\n  .digest(h);\n",
            "  return crypto\n    .createHash(w)\n    .digest(h);\n",
            id="method-chain-too-shallow",
        ),
        pytest.param(
            JS.path,
            JS.text,
            "const f = (x) =>\n  x * 2;\nreturn f(w) * h;\n",
            "  const f = (x) =>\n    x * 2;\n  return f(w) * h;\n",
            id="continued-expression-too-shallow",
        ),
        pytest.param(
            JS.path,
            JS.text,
            "if (w < 0)\n  return 0;\nreturn w * h;\n",
            "  if (w < 0)\n    return 0;\n  return w * h;\n",
            id="unbraced-if-too-shallow",
        ),
        pytest.param(
            JS.path,
            JS.text,
            "if (w < 0)\n    return 0;\n  return w * h;\n",
            "  if (w < 0)\n    return 0;\n  return w * h;\n",
            id="unbraced-if-lost-its-indentation",
        ),
        pytest.param(
            RUBY.path,
            RUBY.text,
            "if w.zero?\n  return 0\nend\nw * h\n",
            "  if w.zero?\n    return 0\n  end\n  w * h\n",
            id="ruby-block-too-shallow",
        ),
        pytest.param(
            RUBY.path,
            RUBY.text,
            "if w.zero?\n    return 0\n  end\n  w * h\n",
            "  if w.zero?\n    return 0\n  end\n  w * h\n",
            id="ruby-opener-lost-its-indentation",
        ),
        pytest.param(
            JAVA.path,
            JAVA.text,
            "        /*\n         * The area.\n         */\n        return w * h;\n",
            "        /*\n         * The area.\n         */\n        return w * h;\n",
            id="block-comment-rows-move-with-the-code",
        ),
        pytest.param(
            JAVA.path,
            JAVA.text,
            "            /*\n             * The area.\n             */\n"
            "            return w * h;\n",
            "        /*\n         * The area.\n         */\n        return w * h;\n",
            id="block-comment-too-deep",
        ),
        pytest.param(
            JS.path,
            JS.text,
            "    const text = `\n  two spaces   \n`;\n    return text;\n",
            "  const text = `\n  two spaces   \n`;\n  return text;\n",
            id="template-literal-text-kept",
        ),
    ],
)
def test_reindent(path: str, text: str, raw: str, expected: str) -> None:
    """The fill moves to the hole's indentation in the file's style (Go: tabs), keeping its
    depths; the text of multi-line strings stays as it is."""
    assert fill(path, text, raw) == expected


# One-line bodies: the suggestion is the signature, the body on its own lines, the closer.
RS_ONE_LINE = "fn area(w: u32, h: u32) -> u32 { todo!() }\n\nfn main() {}\n"
JS_ARROW = 'const area = (w, h) => { throw new Error("not implemented"); };\n'
JAVA_ONE_LINE = (
    "class Shapes {\n    int area(int w, int h) { throw new UnsupportedOperationException(); }\n}\n"
)
GO_ONE_LINE = 'package shapes\n\nfunc Area(w, h int) int { panic("not implemented") }\n'
KOTLIN_ONE_LINE = "fun area(w: Int, h: Int): Int { TODO() }\n"


@pytest.mark.parametrize(
    ("path", "text", "raw", "expected"),
    [
        pytest.param(
            "area.rs",
            RS_ONE_LINE,
            "    w * h\n}\n\nfn main() {}\n",
            "fn area(w: u32, h: u32) -> u32 {\n    w * h\n}\n",
            id="rust",
        ),
        pytest.param(
            "area.rs",
            RS_ONE_LINE,
            "w * h }",
            "fn area(w: u32, h: u32) -> u32 {\n    w * h\n}\n",
            id="rust-closer-on-the-same-line",
        ),
        pytest.param(
            "area.rs",
            RS_ONE_LINE.replace("\n", "\r\n"),
            "    w * h\n",
            "fn area(w: u32, h: u32) -> u32 {\r\n    w * h\r\n}\r\n",
            id="rust-crlf",
        ),
        pytest.param(
            "area.rs",
            "fn area(w: u32, h: u32) -> u32 { todo!() }",
            "    w * h\n",
            "fn area(w: u32, h: u32) -> u32 {\n    w * h\n}",
            id="rust-ends-file-without-newline",
        ),
        pytest.param(
            "area.js",
            JS_ARROW,
            "  return w * h;\n};\n",
            "const area = (w, h) => {\n    return w * h;\n};\n",
            id="javascript-arrow-keeps-its-semicolon",
        ),
        pytest.param(
            "Shapes.java",
            JAVA_ONE_LINE,
            "return w * h;\n",
            "    int area(int w, int h) {\n        return w * h;\n    }\n",
            id="java-method",
        ),
        pytest.param(
            "shapes.go",
            GO_ONE_LINE,
            "    return w * h\n",
            "func Area(w, h int) int {\n\treturn w * h\n}\n",
            id="go-tabs-where-nothing-is-indented",
        ),
        pytest.param(
            "shapes.kt",
            KOTLIN_ONE_LINE,
            "    return w * h\n}\n",
            "fun area(w: Int, h: Int): Int {\n    return w * h\n}\n",
            id="kotlin",
        ),
    ],
)
def test_one_line_body(path: str, text: str, raw: str, expected: str) -> None:
    """`fn f() { todo!() }` becomes the signature, the fill on lines of its own, and the
    closing brace with the rest of its line."""
    assert fill(path, text, raw) == expected


STUB = "<rejected: the model answered with another stub>"


@pytest.mark.parametrize(
    ("sample", "raw", "expected"),
    [
        pytest.param(JS, '  throw new Error("not implemented");\n', STUB, id="javascript-throw"),
        pytest.param(JS, "  // compute the area here\n", STUB, id="javascript-comment"),
        pytest.param(JS, "  /* later */\n", STUB, id="javascript-block-comment"),
        pytest.param(
            SAMPLES["typescript"],
            '  throw new Error("Method not implemented.");\n',
            STUB,
            id="typescript-quick-fix",
        ),
        pytest.param(JAVA, "        throw new UnsupportedOperationException();\n", STUB, id="java"),
        pytest.param(
            JAVA,
            "        // TODO Auto-generated method stub\n        return 0;\n",
            STUB,
            id="java-todo-and-zero",
        ),
        pytest.param(GO, '\tpanic("not implemented")\n', STUB, id="go-panic"),
        pytest.param(RUST, "    todo!()\n", STUB, id="rust-todo"),
        pytest.param(RUST, '    unimplemented!("later")\n', STUB, id="rust-unimplemented"),
        pytest.param(SAMPLES["kotlin"], "    TODO()\n", STUB, id="kotlin-todo"),
        pytest.param(
            SAMPLES["csharp"],
            "        throw new NotImplementedException();\n",
            STUB,
            id="csharp",
        ),
        pytest.param(
            SAMPLES["php"],
            "    throw new \\Exception('Not implemented');\n",
            STUB,
            id="php",
        ),
        pytest.param(RUBY, "  raise NotImplementedError\n", STUB, id="ruby-raise"),
        pytest.param(RUBY, "  # compute it\n", STUB, id="ruby-comment"),
        pytest.param(C, "    /* TODO */\n", STUB, id="c-comment"),
        pytest.param(
            JS,
            '  if (!w) throw new Error("not implemented");\n  return w * h;\n',
            '  if (!w) throw new Error("not implemented");\n  return w * h;\n',
            id="javascript-guard-is-code",
        ),
        pytest.param(
            RUST,
            "    // the area\n    w * h\n",
            "    // the area\n    w * h\n",
            id="rust-comment-and-code",
        ),
        pytest.param(
            RUBY,
            "  raise ArgumentError unless w.positive?\n  w * h\n",
            "  raise ArgumentError unless w.positive?\n  w * h\n",
            id="ruby-other-raise",
        ),
    ],
)
def test_rejects_stub(sample: Sample, raw: str, expected: str) -> None:
    """A fill that is itself only a stub of the language, or only comments, fills nothing."""
    assert fill(sample.path, sample.text, raw) == expected


@pytest.mark.parametrize(
    ("path", "text", "raw"),
    [
        pytest.param("area.rs", RS_ONE_LINE, "    todo!()\n", id="rust"),
        pytest.param("area.js", JS_ARROW, '  throw new Error("not implemented");\n', id="js"),
    ],
)
def test_rejects_stub_in_one_line_body(path: str, text: str, raw: str) -> None:
    """A one-line stub filled with the same stub is no fill."""
    assert fill(path, text, raw) == STUB


@pytest.mark.parametrize(
    ("sample", "raw", "expected"),
    [
        pytest.param(
            JS,
            "  const x = w * h;\n  return x",
            "<rejected: the answer was cut short at --max-tokens>",
            id="cut-inside-the-body",
        ),
        pytest.param(
            JS,
            "  return w * h;\n}\n\nfunction volume(w, h, d) {\n  ret",
            "  return w * h;\n",
            id="cut-after-the-block-ended",
        ),
    ],
)
def test_cut_short_at_max_tokens(sample: Sample, raw: str, expected: str) -> None:
    """An answer stopped by max_tokens is offered only if the part kept ended before the cut."""
    assert fill(sample.path, sample.text, raw, finish_reason="length") == expected


BROKEN = "the fill would add a syntax error"
# Two TODOs in one file, and a file that did not parse before any fill (an unclosed call).
JS_TWO = (
    "function area(w, h) {\n  // TODO: compute the area\n}\n\n"
    "function volume(w, h, d) {\n  // TODO: compute the volume\n}\n"
)
JS_BROKEN = "function area(w, h) {\n  // TODO: compute the area\n}\n\nconsole.log(area(1, 2);\n"


@pytest.mark.parametrize(
    ("path", "text", "suggestions", "expected"),
    [
        pytest.param(JS.path, JS.text, [JS.body], None, id="javascript-fine"),
        pytest.param(JS.path, JS.text, ["  return (w * h;\n"], BROKEN, id="javascript-open-paren"),
        pytest.param(JS.path, JS.text, ["  return w * h;\n}\n"], BROKEN, id="javascript-brace"),
        pytest.param(
            JS.path, JS.text, ["  return `w * h;\n"], BROKEN, id="javascript-open-template"
        ),
        pytest.param(
            JS.path,
            JS.text.replace("\n", "\r\n"),
            ["  return (w * h;\r\n"],
            BROKEN,
            id="javascript-crlf-broken",
        ),
        pytest.param(
            SAMPLES["typescript"].path,
            SAMPLES["typescript"].text,
            ["  return w * ;\n"],
            BROKEN,
            id="typescript",
        ),
        pytest.param(
            JAVA.path, JAVA.text, ["        return w * h\n"], BROKEN, id="java-missing-semicolon"
        ),
        pytest.param(GO.path, GO.text, ["\treturn w * h)\n"], BROKEN, id="go"),
        pytest.param(RUST.path, RUST.text, ["    let x = ;\n    x\n"], BROKEN, id="rust"),
        pytest.param(C.path, C.text, ['    return "w * h;\n'], BROKEN, id="c-open-string"),
        pytest.param(
            SAMPLES["csharp"].path,
            SAMPLES["csharp"].text,
            ["        return w * h;\n    }\n"],
            BROKEN,
            id="csharp-brace",
        ),
        pytest.param(
            SAMPLES["kotlin"].path,
            SAMPLES["kotlin"].text,
            ["    return w * (h\n"],
            BROKEN,
            id="kotlin",
        ),
        pytest.param(
            SAMPLES["php"].path, SAMPLES["php"].text, ["    return $w * ;\n"], BROKEN, id="php"
        ),
        pytest.param(RUBY.path, RUBY.text, ["  if w\n    w * h\n"], BROKEN, id="ruby-no-end"),
        pytest.param(
            RUBY.path, RUBY.text, ["  w * h\nend\n"], BROKEN, id="ruby-stray-end-is-no-identifier"
        ),
        pytest.param(
            "two.js",
            JS_TWO,
            ["  return w * h;\n", "  return w * h * d;\n"],
            None,
            id="together-fine",
        ),
        pytest.param(
            "two.js",
            JS_TWO,
            ["  return w * h;\n", "  return (w * h * d;\n"],
            BROKEN,
            id="together-one-broken",
        ),
        pytest.param("broken.js", JS_BROKEN, ["  return w * h;\n"], None, id="broken-file-fine"),
        pytest.param(
            "broken.js", JS_BROKEN, ["  return w * (h;\n"], BROKEN, id="broken-file-new-error"
        ),
    ],
)
def test_check_syntax(path: str, text: str, suggestions: list[str], expected: str | None) -> None:
    """A fill may not add an ERROR or MISSING node, alone or with the file's other fills; in a
    file that had errors, it may not add more."""
    found = holes(path, text)
    assert len(found) == len(suggestions)
    assert check_syntax(text, list(zip(found, suggestions, strict=True))) == expected


# A language read by the lexer alone: no grammar, so the check is lexical.
SHELL = "build() {\n  # TODO: compile every target\n}\n"


@pytest.mark.parametrize(
    ("suggestion", "expected"),
    [
        pytest.param('  make "$@"\n', None, id="fine"),
        pytest.param(
            '  case "$1" in\n    all) make ;;\n    *) make "$1" ;;\n  esac\n',
            None,
            id="case-patterns-close-what-they-never-open",
        ),
        pytest.param(
            "  echo 'unfinished\n", "the fill leaves a string or comment open", id="open-quote"
        ),
        pytest.param(
            '  echo "a \\" b\n', "the fill leaves a string or comment open", id="escaped-quote"
        ),
        pytest.param(
            '  if [ -n "$1" ]; then make; fi\n  echo ${HOME\n',
            "the fill's brackets do not match",
            id="open-brace",
        ),
        pytest.param("  echo [x}\n", "the fill's brackets do not match", id="crossed-brackets"),
    ],
)
def test_check_syntax_without_grammar(suggestion: str, expected: str | None) -> None:
    """Without a grammar, a fill may not leave a string or block comment open, nor brackets
    unmatched (shell's `)` aside, which `case` patterns close alone)."""
    (hole,) = holes("build.sh", SHELL)
    assert check_syntax(SHELL, [(hole, suggestion)]) == expected


def test_shell_case_pattern_is_not_a_block_end() -> None:
    """A `)` the fill never opened ends nothing in shell: `case` patterns are written so."""
    raw = '  case "$1" in\n    all) make ;;\n  esac\n}\n'
    assert fill("build.sh", SHELL, raw) == '  case "$1" in\n    all) make ;;\n  esac\n'


@pytest.mark.parametrize("name", list(SAMPLES))
def test_suggestion_replaces_the_hole(name: str) -> None:
    """Put in place, the cleaned runaway answer gives back the original file exactly."""
    sample = SAMPLES[name]
    (hole,) = holes(sample.path, sample.text)
    suggestion = clean(
        hole, sample.body + RUNAWAY[name], prompt=build(hole, sample.text), text=sample.text
    )
    filled = replace_lines(sample.text, [(hole.start_line, hole.end_line, suggestion)])
    comment = sample.text.splitlines(keepends=True)[hole.start_line - 1]
    assert filled == sample.text.replace(comment, sample.body)
