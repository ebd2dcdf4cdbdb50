"""Table tests of TODO comments beyond Python (DESIGN.md section 2, "Holes (contract)"): the
language table (bot/languages/language_rows.py), its comment lexer and tree-sitter's comment nodes.

Each language of the table has a sample row: a TODO in a comment that is a hole, the same tag
in a string that is not, and a TODO block comment where the language has block comments.
General cases follow as named rows of (path, source, expected holes), each hole as
(start_line, end_line, kind, marker, instruction, indent). Every line is added unless given.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.data import Hole, SourceFile
from bot.languages import grammar, lexer
from bot.languages.table import Language, language_for, languages, plain
from bot.scan import scan

pytestmark = pytest.mark.scanner

Row = tuple[int, int, str, str, str, str]


def _holes(path: str, source: str, added: frozenset[int] | None = None) -> list[Row]:
    every_line = frozenset(range(1, source.count("\n") + 2))
    file = SourceFile(path=path, text=source, added=every_line if added is None else added)
    return [_row(h) for h in scan([file])]


def _row(h: Hole) -> Row:
    return (h.start_line, h.end_line, h.kind, h.marker, h.instruction, h.indent)


def _todo(start: int, end: int, instruction: str, indent: str = "", marker: str = "TODO") -> Row:
    return (start, end, "todo", marker, instruction, indent)


@dataclass(frozen=True)
class Sample:
    """One language's rows. `line` holds a TODO comment on row 2 saying "fill it in" at
    `indent`; `string` holds the tag only inside a string (or where the language has no
    comment); `block`, a TODO block comment on rows 2 to `block_end` that says "fill it in
    and more"."""

    path: str
    line: str
    string: str
    block: str | None = None
    block_end: int = 3
    indent: str = ""


SAMPLES: dict[str, Sample] = {
    "python": Sample(
        "a.py",
        "x = 1\n# TODO: fill it in\n",
        's = """\n# TODO: not a comment\n"""\n',
    ),
    "javascript": Sample(
        "a.js",
        "let x = 1;\n// TODO: fill it in\n",
        "const s = `\n// TODO: not a comment\n`;\n",
        "let x = 1;\n/* TODO: fill it in\n   and more */\n",
    ),
    "typescript": Sample(
        "a.ts",
        "let x: number = 1;\n// TODO: fill it in\n",
        'const s: string = "a\\\n// TODO: not a comment";\n',
        "let x = 1;\n/*\n * TODO: fill it in\n * and more\n */\n",
        block_end=5,
    ),
    "tsx": Sample(
        "a.tsx",
        "const A = () => <div />;\n// TODO: fill it in\n",
        "const s = `\n// TODO: not a comment\n`;\n",
        "const A = () => <div />;\n/* TODO: fill it in\n   and more */\n",
    ),
    "java": Sample(
        "A.java",
        "class A {\n  // TODO: fill it in\n  int x;\n}\n",
        'class A {\n  String s = """\n// TODO: not a comment\n""";\n}\n',
        "class A {\n  /* TODO: fill it in\n     and more */\n  int x;\n}\n",
        indent="  ",
    ),
    "go": Sample(
        "a.go",
        "package a\n// TODO: fill it in\n",
        "package a\n\nvar s = `\n// TODO: not a comment\n`\n",
        "package a\n/* TODO: fill it in\n   and more */\n",
    ),
    "rust": Sample(
        "a.rs",
        "use std::io;\n// TODO: fill it in\n",
        'static S: &str = r#"\n// TODO: not a comment "quoted"\n"#;\n',
        "use std::io;\n/* TODO: fill it in\n   and more */\n",
    ),
    "c": Sample(
        "a.c",
        "int x;\n// TODO: fill it in\n",
        'char *s = "a\\\n// TODO: not a comment";\n',
        "int x;\n/* TODO: fill it in\n   and more */\n",
    ),
    "cpp": Sample(
        "a.cpp",
        "int x;\n// TODO: fill it in\n",
        'auto s = R"x(\n// TODO: not a comment )"\n)x";\n',
        "int x;\n/* TODO: fill it in\n   and more */\n",
    ),
    "csharp": Sample(
        "A.cs",
        "var x = 1;\n// TODO: fill it in\n",
        'var s = @"C:\\\n// TODO: not a comment ""quoted""\n";\n',
        "var x = 1;\n/* TODO: fill it in\n   and more */\n",
    ),
    "kotlin": Sample(
        "a.kt",
        "val x = 1\n// TODO: fill it in\n",
        'val s = """\n// TODO: not a comment\n"""\n',
        "val x = 1\n/* TODO: fill it in\n   and more */\n",
    ),
    "php": Sample(
        "a.php",
        "<?php\n# TODO: fill it in\n",
        "<?php\n$s = <<<EOT\n// TODO: not a comment\nEOT;\n",
        "<?php\n/* TODO: fill it in\n   and more */\n",
    ),
    "ruby": Sample(
        "a.rb",
        "x = 1\n# TODO: fill it in\n",
        "s = <<~EOS\n  # TODO: not a comment\nEOS\n",
        "x = 1\n=begin\nTODO: fill it in\nand more\n=end\n",
        block_end=5,
    ),
    "shell": Sample(
        "a.sh",
        "set -e\n# TODO: fill it in\n",
        "echo 'it\\\n# TODO: not a comment\n'\n",
    ),
    "fish": Sample(
        "a.fish",
        "function f\n    # TODO: fill it in\nend\n",
        'echo "\n# TODO: not a comment\n"\n',
        indent="    ",
    ),
    "powershell": Sample(
        "a.ps1",
        "$x = 1\n# TODO: fill it in\n",
        "$s = @'\n# TODO: not a comment\n'@\n",
        "$x = 1\n<# TODO: fill it in\n   and more #>\n",
    ),
    "batch": Sample(
        "a.bat",
        "@echo off\nREM TODO: fill it in\n",
        'echo "REM TODO: not a comment"\n',
    ),
    "swift": Sample(
        "a.swift",
        "let x = 1\n// TODO: fill it in\n",
        'let s = #"""\n// TODO: not a comment \\"""\n"""#\n',
        "let x = 1\n/* TODO: fill it in\n   and more */\n",
    ),
    "objective-c": Sample(
        "a.mm",
        "int x;\n// TODO: fill it in\n",
        'NSString *s = @"a\\\n// TODO: not a comment";\n',
        "int x;\n/* TODO: fill it in\n   and more */\n",
    ),
    "scala": Sample(
        "a.scala",
        "val x = 1\n// TODO: fill it in\n",
        'val s = """C:\\\n// TODO: not a comment\n"""\n',
        "val x = 1\n/* TODO: fill it in\n   and more */\n",
    ),
    "groovy": Sample(
        "a.groovy",
        "def x = 1\n// TODO: fill it in\n",
        "def s = '''\n// TODO: not a comment\n'''\n",
        "def x = 1\n/* TODO: fill it in\n   and more */\n",
    ),
    "dart": Sample(
        "a.dart",
        "var x = 1;\n// TODO: fill it in\n",
        "var s = r'''\\\n// TODO: not a comment\n''';\n",
        "var x = 1;\n/* TODO: fill it in\n   and more */\n",
    ),
    "d": Sample(
        "a.d",
        "int x;\n// TODO: fill it in\n",
        "auto s = `\n// TODO: not a comment\n`;\n",
        "int x;\n/+ TODO: fill it in\n   and more +/\n",
    ),
    "zig": Sample(
        "a.zig",
        "const x = 1;\n// TODO: fill it in\n",
        "const s =\n    \\\\// TODO: not a comment\n;\n",
    ),
    "solidity": Sample(
        "a.sol",
        "pragma solidity ^0.8.0;\n// TODO: fill it in\n",
        'string constant S = "// TODO: not a comment";\n',
        "pragma solidity ^0.8.0;\n/* TODO: fill it in\n   and more */\n",
    ),
    "protobuf": Sample(
        "a.proto",
        'syntax = "proto3";\n// TODO: fill it in\n',
        'option (x) = "// TODO: not a comment";\n',
        'syntax = "proto3";\n/* TODO: fill it in\n   and more */\n',
    ),
    "jsonc": Sample(
        "a.jsonc",
        '{\n  // TODO: fill it in\n  "a": 1\n}\n',
        '{"a": "// TODO: not a comment"}\n',
        '{\n  /* TODO: fill it in\n     and more */\n  "a": 1\n}\n',
        indent="  ",
    ),
    "jsonnet": Sample(
        "a.jsonnet",
        "{\n  # TODO: fill it in\n  a: 1,\n}\n",
        "{\n  a: |||\n    // TODO: not a comment\n  |||,\n}\n",
        "{\n  /* TODO: fill it in\n     and more */\n  a: 1,\n}\n",
        indent="  ",
    ),
    "lua": Sample(
        "a.lua",
        "local x = 1\n-- TODO: fill it in\n",
        "local s = [==[\n-- TODO: not a comment ]]\n]==]\n",
        "local x = 1\n--[[ TODO: fill it in\n   and more ]]\n",
    ),
    "perl": Sample(
        "a.pl",
        "my $x = $#list;\n# TODO: fill it in\n",
        'print <<"EOF";\n# TODO: not a comment\nEOF\n',
    ),
    "r": Sample(
        "a.R",
        "x <- 1\n# TODO: fill it in\n",
        's <- r"(C:\\\n# TODO: not a comment ")"\n)"\n',
    ),
    "julia": Sample(
        "a.jl",
        "x = 1\n# TODO: fill it in\n",
        's = """\n# TODO: not a comment\n"""\n',
        "x = 1\n#= TODO: fill it in\n   and more =#\n",
    ),
    "matlab": Sample(
        "a.m",
        "x = 1;\n% TODO: fill it in\n",
        "s = 'it''s % TODO: not a comment';\n",
        "x = 1;\n%{\nTODO: fill it in\nand more\n%}\n",
        block_end=5,
    ),
    "fortran": Sample(
        "a.f90",
        "program p\n  ! TODO: fill it in\nend program p\n",
        "print *, 'it''s ! TODO: not a comment'\n",
        indent="  ",
    ),
    "haskell": Sample(
        "a.hs",
        "x = foldl' f 0\n-- TODO: fill it in\n",
        's = "a -- TODO: not a comment"\n',
        "x = 1\n{- TODO: fill it in\n   and more -}\n",
    ),
    "elm": Sample(
        "A.elm",
        "x = 1\n-- TODO: fill it in\n",
        's = """\n-- TODO: not a comment\n"""\n',
        "x = 1\n{- TODO: fill it in\n   and more -}\n",
    ),
    "ocaml": Sample(
        "a.ml",
        "let x = 1\n(* TODO: fill it in *)\n",
        'let s = "\n(* TODO: not a comment *)\n"\nlet t = {sql|\n(* TODO: no *)\n|sql}\n',
        "let x = 1\n(* TODO: fill it in\n   and more *)\n",
    ),
    "fsharp": Sample(
        "a.fs",
        "let x = 1\n// TODO: fill it in\n",
        'let s = """\n// TODO: not a comment\n"""\n',
        "let x = (*) 2 3\n(* TODO: fill it in\n   and more *)\n",
    ),
    "elixir": Sample(
        "a.ex",
        "x = ?#\n# TODO: fill it in\n",
        's = """\n# TODO: not a comment\n"""\n',
    ),
    "erlang": Sample(
        "a.erl",
        "-module(a).\n% TODO: fill it in\n",
        'S = "\n% TODO: not a comment\n".\n',
    ),
    "clojure": Sample(
        "a.clj",
        "(def x \\;)\n; TODO: fill it in\n",
        '(def s "\n; TODO: not a comment\n")\n',
    ),
    "common-lisp": Sample(
        "a.lisp",
        "(defvar *x* #\\;)\n; TODO: fill it in\n",
        '(defvar *s* "\n; TODO: not a comment\n")\n',
        "(defvar *x* 1)\n#| TODO: fill it in\n   and more |#\n",
    ),
    "scheme": Sample(
        "a.scm",
        '(define x #\\")\n; TODO: fill it in\n',
        '(define s "\n; TODO: not a comment\n")\n',
        "(define x 1)\n#| TODO: fill it in\n   and more |#\n",
    ),
    "emacs-lisp": Sample(
        "a.el",
        '(setq x ?\\")\n;; TODO: fill it in\n',
        '(setq s "\n;; TODO: not a comment\n")\n',
    ),
    "nim": Sample(
        "a.nim",
        "let x = 1\n# TODO: fill it in\n",
        'let s = """\n# TODO: not a comment\n"""\n',
        "let x = 1\n#[ TODO: fill it in\n   and more ]#\n",
    ),
    "sql": Sample(
        "a.sql",
        "SELECT 1;\n-- TODO: fill it in\n",
        "SELECT 'it''s\n-- TODO: not a comment\n';\n",
        "SELECT 1;\n/* TODO: fill it in\n   and more */\n",
    ),
    "graphql": Sample(
        "a.graphql",
        "type A { x: Int }\n# TODO: fill it in\n",
        '"""\n# TODO: not a comment\n"""\ntype A { x: Int }\n',
    ),
    "html": Sample(
        "a.html",
        "<p>x</p>\n<!-- TODO: fill it in -->\n",
        "<p>\nTODO: not a comment\n</p>\n",
        "<p>x</p>\n<!-- TODO: fill it in\n     and more -->\n",
    ),
    "xml": Sample(
        "a.xml",
        "<a>\n  <!-- TODO: fill it in -->\n</a>\n",
        "<a><![CDATA[\n<!-- TODO: not a comment -->\n]]></a>\n",
        "<a>\n  <!--\n    TODO: fill it in\n    and more\n  -->\n</a>\n",
        block_end=5,
        indent="  ",
    ),
    "vue": Sample(
        "A.vue",
        "<script>\n// TODO: fill it in\n</script>\n",
        "<script>\nconst s = `\n// TODO: not a comment\n`\n</script>\n",
        "<template>\n<!-- TODO: fill it in\n     and more -->\n</template>\n",
    ),
    "svelte": Sample(
        "A.svelte",
        "<script>\n// TODO: fill it in\n</script>\n",
        "<script>\nconst s = `\n// TODO: not a comment\n`\n</script>\n",
        "<p>x</p>\n<!-- TODO: fill it in\n     and more -->\n",
    ),
    "css": Sample(
        "a.css",
        "a { color: red; }\n/* TODO: fill it in */\n",
        'a::after { content: "/* TODO: not a comment */"; }\n',
        "a { color: red; }\n/* TODO: fill it in\n   and more */\n",
    ),
    "scss": Sample(
        "a.scss",
        "$x: 1;\n// TODO: fill it in\n",
        '$s: "// TODO: not a comment";\n',
        "$x: 1;\n/* TODO: fill it in\n   and more */\n",
    ),
    "less": Sample(
        "a.less",
        "@x: 1;\n// TODO: fill it in\n",
        '@s: "// TODO: not a comment";\n',
        "@x: 1;\n/* TODO: fill it in\n   and more */\n",
    ),
    "yaml": Sample(
        "a.yml",
        "a: 1\n# TODO: fill it in\n",
        "a: 'it''s # TODO: not a comment'\nb: x#TODO\n",
    ),
    "toml": Sample(
        "a.toml",
        "a = 1\n# TODO: fill it in\n",
        'a = """\n# TODO: not a comment\n"""\n',
    ),
    "ini": Sample(
        "a.ini",
        "[a]\n; TODO: fill it in\n",
        "[a]\nb = x ; TODO: not a comment\n",
    ),
    "dockerfile": Sample(
        "Dockerfile",
        "FROM alpine\n# TODO: fill it in\n",
        "COPY <<EOF /etc/motd\n# TODO: not a comment\nEOF\n",
    ),
    "make": Sample(
        "Makefile",
        "all:\n\t# TODO: fill it in\n",
        "X = a\\# TODO: not a comment\n",
        indent="\t",
    ),
    "cmake": Sample(
        "CMakeLists.txt",
        "project(a)\n# TODO: fill it in\n",
        "set(S [=[\n# TODO: not a comment ]]\n]=])\n",
        "project(a)\n#[[ TODO: fill it in\n   and more ]]\n",
    ),
    "starlark": Sample(
        "BUILD",
        'load("//a:b.bzl", "c")\n# TODO: fill it in\n',
        'X = """\n# TODO: not a comment\n"""\n',
    ),
    "hcl": Sample(
        "main.tf",
        'locals {\n  # TODO: fill it in\n  a = "b"\n}\n',
        "x = <<-EOT\n  # TODO: not a comment\n  EOT\n",
        'locals {\n  /* TODO: fill it in\n     and more */\n  a = "b"\n}\n',
        indent="  ",
    ),
    "nix": Sample(
        "a.nix",
        "{\n  # TODO: fill it in\n  a = 1;\n}\n",
        "{\n  s = ''\n  # TODO: not a comment\n  '';\n}\n",
        "{\n  /* TODO: fill it in\n     and more */\n  a = 1;\n}\n",
        indent="  ",
    ),
    "vim": Sample(
        "a.vim",
        'set number\n" TODO: fill it in\n',
        "let s = 'it''s \" TODO: not a comment'\ncall foo#TODO()\n",
    ),
    "awk": Sample(
        "a.awk",
        "BEGIN { x = 1 }\n# TODO: fill it in\n",
        'BEGIN { s = "# TODO: not a comment" }\n',
    ),
    "visual-basic": Sample(
        "a.vb",
        "Dim x = 1\n' TODO: fill it in\n",
        'Dim s = """\' TODO: not a comment"\n',
    ),
    "pascal": Sample(
        "a.pas",
        "program p;\n// TODO: fill it in\n",
        "s := 'it''s // TODO: not a comment';\n",
        "program p;\n{ TODO: fill it in\n  and more }\n",
    ),
    "ada": Sample(
        "a.adb",
        "X : Integer := A'First;\n-- TODO: fill it in\n",
        'S : String := "a -- TODO: not a comment";\n',
    ),
    "verilog": Sample(
        "a.v",
        "module m;\n// TODO: fill it in\nendmodule\n",
        'initial $display("// TODO: not a comment");\n',
        "module m;\n/* TODO: fill it in\n   and more */\nendmodule\n",
    ),
    "vhdl": Sample(
        "a.vhd",
        "library ieee;\n-- TODO: fill it in\n",
        's <= "-- TODO: not a comment" when c = \'"\' else x;\n',
        "library ieee;\n/* TODO: fill it in\n   and more */\n",
    ),
}

LANGUAGES = sorted(SAMPLES)
TREE_SITTER = sorted(n for n in SAMPLES if grammar.installed(languages()[n]))


def test_every_language_of_the_table_has_samples() -> None:
    """A language added to the table comes with its rows here; and there are 30 or more."""
    assert set(SAMPLES) == set(languages())
    assert len(languages()) >= 30
    for name, sample in SAMPLES.items():
        assert language_for(sample.path) == languages()[name], name


@pytest.mark.parametrize("name", LANGUAGES)
def test_line_comment_todo_is_a_hole(name: str) -> None:
    """A TODO comment on a line of its own is a hole: its row, tag, text and indentation."""
    sample = SAMPLES[name]
    assert _holes(sample.path, sample.line) == [_todo(2, 2, "fill it in", sample.indent)]


@pytest.mark.parametrize("name", LANGUAGES)
def test_tag_in_a_string_is_no_hole(name: str) -> None:
    """The tag inside a string (or outside any comment) is not a hole."""
    sample = SAMPLES[name]
    assert _holes(sample.path, sample.string) == []


@pytest.mark.parametrize("name", LANGUAGES)
def test_tag_in_a_string_is_string_to_the_lexer(name: str) -> None:
    """The lexer alone (the fallback without a grammar) puts the tag of the string sample in no
    comment: in a string, or in code where the language says it is no comment."""
    sample = SAMPLES[name]
    language = languages()[name]
    spans = [(t.start, t.end) for t in lexer.comments(sample.string, language)]
    at = sample.string.find("TODO")
    assert not any(start <= at < end for start, end in spans), spans


BLOCK_LANGUAGES = [n for n in LANGUAGES if SAMPLES[n].block is not None]


@pytest.mark.parametrize("name", BLOCK_LANGUAGES)
def test_block_comment_todo_spans_its_rows(name: str) -> None:
    """A TODO block comment over several rows is one hole over all of them."""
    sample = SAMPLES[name]
    assert sample.block is not None
    expected = _todo(2, sample.block_end, "fill it in and more", sample.indent)
    assert _holes(sample.path, sample.block) == [expected]


def test_languages_with_block_comments_have_block_samples() -> None:
    """Every language whose table row has block comments has a block sample."""
    assert {n for n in LANGUAGES if languages()[n].block} == set(BLOCK_LANGUAGES)


# --- General cases, through the tree-sitter path and the lexer path ---------------------------


def _case(
    name: str, path: str, source: str, *expected: Row, added: list[int] | None = None
) -> object:
    return pytest.param(
        path,
        textwrap.dedent(source),
        None if added is None else frozenset(added),
        list(expected),
        id=name,
    )


CASES = [
    # --- The tag: spacing, owner, case, the other tags ---------------------------------------
    _case("no_space_after_slashes_ts", "a.js", "//TODO: tight\n", _todo(1, 1, "tight")),
    _case("no_space_after_slashes_lexer", "a.swift", "//TODO: tight\n", _todo(1, 1, "tight")),
    _case("no_space_after_dashes", "a.lua", "--TODO tight\n", _todo(1, 1, "tight")),
    _case("no_space_in_block", "a.go", "/*TODO: tight*/\n", _todo(1, 1, "tight")),
    _case("owner", "a.rs", "// TODO(alice): ask bob\n", _todo(1, 1, "ask bob")),
    _case("owner_lexer", "a.scala", "// TODO(alice): ask bob\n", _todo(1, 1, "ask bob")),
    _case("lower_case", "a.c", "// todo: lower case\n", _todo(1, 1, "lower case")),
    _case("lower_case_lexer", "a.sql", "-- todo: lower\n", _todo(1, 1, "lower")),
    _case("fixme", "a.kt", "// FixMe: x\n", _todo(1, 1, "x", marker="FIXME")),
    _case("xxx_alone", "a.hs", "-- XXX\n", _todo(1, 1, "", marker="XXX")),
    _case(
        "repeated_opener",
        "a.java",
        "//// TODO: a rule is no doc\n",
        _todo(1, 1, "a rule is no doc"),
    ),
    _case("repeated_opener_lexer", "a.erl", "%% TODO: x\n", _todo(1, 1, "x")),
    _case("tag_must_end_at_colon_or_space", "a.ts", "// TODOS live elsewhere\n// XXXL\n"),
    _case("tag_must_open_the_comment", "a.go", "// see TODO.md\n"),
    # --- Continuation lines ------------------------------------------------------------------
    _case(
        "continuation_joins_the_instruction",
        "a.go",
        """\
        package a

        // TODO: parse the header,
        // then the body
        func f() {}
        """,
        _todo(3, 4, "parse the header, then the body"),
    ),
    _case(
        "continuation_lexer",
        "a.dart",
        """\
        void f() {
          // FIXME: first,
          // second
          g();
        }
        """,
        _todo(2, 3, "first, second", "  ", marker="FIXME"),
    ),
    _case(
        "continuation_stops_at_another_column",
        "a.swift",
        "// TODO: a\n    // b\n",
        _todo(1, 1, "a"),
    ),
    _case(
        "continuation_stops_at_another_tag",
        "a.js",
        "// TODO: a\n// TODO: b\n",
        _todo(1, 1, "a"),
        _todo(2, 2, "b"),
    ),
    _case(
        "continuation_stops_at_a_blank_line",
        "a.lua",
        "-- TODO: a\n\n-- b\n",
        _todo(1, 1, "a"),
    ),
    _case(
        "continuation_stops_at_another_opener",
        "a.php",
        "<?php\n// TODO: a\n# b\n",
        _todo(2, 2, "a"),
    ),
    # --- Where the comment sits --------------------------------------------------------------
    _case("after_code_ts", "a.c", "int x; // TODO: not alone\n"),
    _case("after_code_lexer", "a.lua", "x = 1 -- TODO: not alone\n"),
    _case("block_then_code_ts", "a.java", "class A {\n  /* TODO: x\n  */ int y;\n}\n"),
    _case("block_then_code_lexer", "a.swift", "/* TODO: x\n */ let y = 1\n"),
    _case("code_then_block", "a.go", "package a\nvar x = 1 /* TODO: x\n*/\n"),
    _case(
        "tag_on_an_unchanged_line",
        "a.rs",
        "fn f() {}\n// TODO: old\n// TODO: new\n",
        _todo(3, 3, "new"),
        added=[1, 3],
    ),
    _case(
        "block_tag_on_an_unchanged_line",
        "a.scala",
        "/*\n * TODO: old\n * more\n */\n",
        added=[1, 3, 4],
    ),
    _case(
        "block_tag_row_added",
        "a.scala",
        "/*\n * TODO: new\n */\n",
        _todo(1, 3, "new"),
        added=[2],
    ),
    _case(
        "tag_in_a_block_after_its_first_text",
        "a.c",
        "/* a note\n   TODO: not the comment's tag */\n",
    ),
    # --- Nested block comments: what the inner closer leaves open is still comment ----------
    _case("nested_rust", "a.rs", "/* a /* b */\n// TODO: inside\n*/\n"),
    _case("nested_kotlin", "a.kt", "/* a /* b */\n// TODO: inside\n*/\n"),
    _case("nested_swift", "a.swift", "/* a /* b */\n// TODO: inside\n*/\n"),
    _case("nested_scala", "a.scala", "/* a /* b */\n// TODO: inside\n*/\n"),
    _case("nested_dart", "a.dart", "/* a /* b */\n// TODO: inside\n*/\n"),
    _case("nested_haskell", "a.hs", "{- a {- b -}\n-- TODO: inside\n-}\n"),
    _case("nested_elm", "a.elm", "{- a {- b -}\n-- TODO: inside\n-}\n"),
    _case("nested_ocaml", "a.ml", "(* a (* b *)\n(* TODO: inside *)\n*)\n"),
    _case("nested_fsharp", "a.fs", "(* a (* b *)\n// TODO: inside\n*)\n"),
    _case("nested_julia", "a.jl", "#= a #= b =#\n# TODO: inside\n=#\n"),
    _case("nested_common_lisp", "a.lisp", "#| a #| b |#\n; TODO: inside\n|#\n"),
    _case("nested_nim", "a.nim", "#[ a #[ b ]#\n# TODO: inside\n]#\n"),
    _case(
        "nested_haskell_three_levels",
        "a.hs",
        "{- a {- b {- c -} -}\n-- TODO: inside\n-}\n-- TODO: outside\n",
        _todo(4, 4, "outside"),
    ),
    _case(
        # The second raw string opens inside the run of "#" that closes the first.
        "swift_raw_string_right_after_another",
        "a.swift",
        'let s = #"a"##"// TODO: in a string"#\n// TODO: outside\n',
        _todo(2, 2, "outside"),
    ),
    _case(
        "not_nested_c",
        "a.c",
        "/* a /* b */\n// TODO: outside\n",
        _todo(2, 2, "outside"),
    ),
    _case(
        "not_nested_lua_levels",
        "a.lua",
        "--[==[ a ]] b ]==]\n-- TODO: outside\n",
        _todo(2, 2, "outside"),
    ),
    # --- Doc comments ------------------------------------------------------------------------
    _case("javadoc", "A.java", "class A {\n  /** TODO: doc */\n  void f() {}\n}\n"),
    _case("jsdoc_rows", "a.ts", "/**\n * TODO: doc\n */\nfunction f() {}\n"),
    _case("rust_outer_doc", "a.rs", "/// TODO: doc\nfn f() {}\n"),
    _case("rust_inner_doc", "a.rs", "//! TODO: doc\n"),
    _case("csharp_doc", "A.cs", "/// TODO: doc\nclass A {}\n"),
    _case("swift_doc", "a.swift", "/// TODO: doc\nfunc f() {}\n"),
    _case("kdoc", "a.kt", "/** TODO: doc */\nfun f() {}\n"),
    _case("lua_doc", "a.lua", "--- TODO: doc\nfunction f() end\n"),
    _case("haddock", "a.hs", "-- | TODO: doc\nf = 1\n"),
    _case("ocaml_doc", "a.ml", "(** TODO: doc *)\nlet f = 1\n"),
    _case("nim_doc", "a.nim", "## TODO: doc\n"),
    _case("roxygen", "a.r", "#' TODO: doc\nf <- function() 1\n"),
    _case("elm_doc", "a.elm", "{-| TODO: doc\n-}\nf = 1\n"),
    _case(
        "banner_is_no_doc",
        "a.js",
        "/*** TODO: a banner ***/\n",
        _todo(1, 1, "a banner"),
    ),
    # --- Line endings, BOM, non-ASCII text, tabs ---------------------------------------------
    _case(
        "crlf_ts",
        "a.js",
        "let x;\r\n// TODO: a\r\n// b\r\n/* FIXME: c\r\n   d */\r\n",
        _todo(2, 3, "a b"),
        _todo(4, 5, "c d", marker="FIXME"),
    ),
    _case(
        "crlf_lexer",
        "a.lua",
        "x = 1\r\n-- TODO: a\r\n-- b\r\n--[[ FIXME: c\r\n   d ]]\r\n",
        _todo(2, 3, "a b"),
        _todo(4, 5, "c d", marker="FIXME"),
    ),
    _case(
        "crlf_anchored_block_lexer",
        "a.m",
        "x = 1;\r\n%{\r\nTODO: a\r\n%}\r\n",
        _todo(2, 4, "a"),
    ),
    _case("bom_ts", "a.go", "\ufeff// TODO: first\npackage a\n", _todo(1, 1, "first")),
    _case("bom_lexer", "a.sql", "\ufeff-- TODO: first\n", _todo(1, 1, "first")),
    _case(
        "non_ascii_before_ts",
        "a.rs",
        '// Ünïcödé ✓ 😀\nconst S: &str = "日本語";\n// TODO: after\n',
        _todo(3, 3, "after"),
    ),
    _case(
        "non_ascii_on_the_same_row_ts",
        "a.js",
        'const s = "😀"; /* x */\n  // TODO: ünï 😀\n',
        _todo(2, 2, "ünï 😀", "  "),
    ),
    _case(
        "non_ascii_before_lexer",
        "a.swift",
        'let s = "日本語 😀"\n// TODO: after\n',
        _todo(2, 2, "after"),
    ),
    _case(
        "tabs_ts",
        "a.go",
        "package a\n\nfunc f() {\n\t// TODO: tab\n\tg()\n}\n",
        _todo(4, 4, "tab", "\t"),
    ),
    _case("tabs_lexer", "a.pl", "sub f {\n\t# TODO: tab\n}\n", _todo(2, 2, "tab", "\t")),
    # --- File names --------------------------------------------------------------------------
    _case("gemfile", "Gemfile", "source 'x'\n# TODO: pin\n", _todo(2, 2, "pin")),
    _case("dockerfile_variant", "ci/Dockerfile.dev", "# TODO: pin\n", _todo(1, 1, "pin")),
    _case("jenkinsfile", "Jenkinsfile", "// TODO: pin\n", _todo(1, 1, "pin")),
    _case("bashrc", "home/.bashrc", "# TODO: pin\n", _todo(1, 1, "pin")),
    _case("double_extension", "src/x.test.js", "// TODO: test\n", _todo(1, 1, "test")),
    _case("upper_case_extension", "X.JS", "// TODO: test\n", _todo(1, 1, "test")),
    _case("unknown_extension", "a.xyz", "# TODO: no\n// TODO: no\n"),
    _case("no_extension", "LICENSE", "# TODO: no\n"),
]


@pytest.mark.parametrize(("path", "source", "added", "expected"), CASES)
def test_cases(path: str, source: str, added: frozenset[int] | None, expected: list[Row]) -> None:
    """Each named row yields exactly its holes."""
    assert _holes(path, source, added) == expected


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("Makefile", "make"),
        ("sub/GNUmakefile", "make"),
        ("rules.mk", "make"),
        ("Dockerfile", "dockerfile"),
        ("Dockerfile.prod", "dockerfile"),
        ("Containerfile", "dockerfile"),
        ("Gemfile", "ruby"),
        ("Rakefile", "ruby"),
        ("Jenkinsfile", "groovy"),
        ("build.gradle", "groovy"),
        ("build.gradle.kts", "kotlin"),
        ("CMakeLists.txt", "cmake"),
        ("BUILD", "starlark"),
        ("BUILD.bazel", "starlark"),
        ("a.test.js", "javascript"),
        ("a.d.ts", "typescript"),
        ("x.app.src", "erlang"),
        ("a.R", "r"),
        (".vimrc", "vim"),
        ("tsconfig.json", "jsonc"),
        ("pkg/PKGBUILD", "shell"),
        ("a.m", "matlab"),
        ("a.xyz", None),
        ("data.json", None),
        ("README", None),
        ("makefile.txt", None),
    ],
)
def test_language_by_file_name(path: str, name: str | None) -> None:
    """Whole well-known names first, then the longest known ending; unknown files are None."""
    language = language_for(path)
    assert (language.name if language else None) == name


def test_configured_tags_in_other_languages() -> None:
    """Only the configured tags mark TODOs, in every language."""
    file = SourceFile(path="a.lua", text="-- HACK: x\n\n-- TODO: y\n", added=frozenset({1, 3}))
    assert [_row(h) for h in scan([file], tags=("HACK",))] == [_todo(1, 1, "x", marker="HACK")]


# --- The lexer: its templates, and agreement with tree-sitter -------------------------------


LEXED = [
    pytest.param("rust", "let c = '\"'; let l: &'a str; // x\n", ["'\"'", "// x"], id="rust_char"),
    pytest.param("rust", "let b = b'\"'; // x\n", ["b'\"'", "// x"], id="rust_byte_char"),
    pytest.param("rust", 'br##"a"#b"##; // x\n', ['br##"a"#b"##', "// x"], id="rust_raw"),
    pytest.param("cpp", "int n = 1'000; // x\n", ["// x"], id="cpp_digit_separator"),
    pytest.param("cpp", 'u8R"(a)" // x\n', ['u8R"(a)"', "// x"], id="cpp_raw_prefixed"),
    pytest.param(
        "csharp", '$"""\n"" // no\n""" // x\n', ['"""\n"" // no\n"""', "// x"], id="csharp_raw"
    ),
    pytest.param("shell", "echo a#b ${#x} $# \\# # x\n", ["# x"], id="shell_hash_in_words"),
    pytest.param("shell", "cat <<< 'a' # x\n", ["'a'", "# x"], id="shell_herestring"),
    pytest.param(
        "shell",
        "cat <<-EOF > f # x\n\t# no\n\tEOF\n# y\n",
        ["# x", "\t# no\n\tEOF", "# y"],
        id="heredoc",
    ),
    pytest.param("shell", "cat <<EOF\n", [], id="heredoc_on_the_last_line"),
    pytest.param("shell", "cat <<EOF\n# a\n", ["# a\n"], id="heredoc_left_open"),
    pytest.param("perl", "print 1 << 2; # x\n", ["# x"], id="shift_is_no_heredoc"),
    pytest.param("lua", "--[==[ a ]] ]==] -- x\n", ["--[==[ a ]] ]==]", "-- x"], id="lua_level"),
    pytest.param("powershell", "`# `\" @'\n'@ # x\n", ["@'\n'@", "# x"], id="powershell_escape"),
    pytest.param("sql", "SELECT $f$ -- $f$ -- x\n", ["$f$ -- $f$", "-- x"], id="sql_dollar"),
    pytest.param("vim", 'let x = "s" " x\n  " y\n', ['"s"', '" x', '" y'], id="vim_quote"),
    pytest.param("matlab", "%{ not alone\nx = 1 %{\n", ["%{ not alone", "%{"], id="matlab_block"),
    pytest.param("ruby", "x =begin\n=begin\na\n=end\n", ["=begin\na\n=end"], id="ruby_begin"),
    pytest.param("erlang", 'X = $%, Y = $", % x\n', ["% x"], id="erlang_char"),
    pytest.param("zig", "\\\\ a // b\n// x\n", ["\\\\ a // b", "// x"], id="zig_line_string"),
    pytest.param(
        "ocaml", "let f (x : 'a) = 'a' (* x *)\n", ["'a'", "(* x *)"], id="ocaml_type_var"
    ),
    pytest.param("php", "#[Attr]\n# x\n", ["# x"], id="php_attribute"),
    pytest.param("c", '"unclosed\n// x\n', ['"unclosed', "// x"], id="one_line_string_ends"),
    pytest.param("go", "/* open", ["/* open"], id="unclosed_block"),
]


@pytest.mark.parametrize(("name", "text", "expected"), LEXED)
def test_lexer_tokens(name: str, text: str, expected: list[str]) -> None:
    """The lexer's tokens (comments and strings) of tricky texts, as text."""
    found = [text[t.start : t.end] for t in lexer.tokens(text, languages()[name])]
    assert found == expected


def test_lexer_reports_openers_and_closers() -> None:
    """A token knows the text that opened it and the one that closed it ("" when left open)."""
    language = languages()["lua"]
    found = [(t.opener, t.closer) for t in lexer.tokens("--[==[ a ]==] 'b' \"c", language)]
    assert found == [("--[==[", "]==]"), ("'", "'"), ('"', "")]


def test_plain_renders_templates() -> None:
    """The table's templates look in code like their shortest text."""
    assert [plain(t) for t in ("--[{=}[", "^%{", '{#+}"', 'r{#}"', "${id}$")] == [
        "--[[",
        "%{",
        '#"',
        'r"',
        "$$",
    ]
    assert languages()["vim"].comment("x") == '" x'
    assert languages()["ocaml"].comment("x") == "(* x *)"


AGREEMENT_EXTRAS = {
    "javascript": ["let a = '//'; /* b */ let c = `\n// d\n`; // e\n"],
    "typescript": ['let a: string = "/*"; // b\n/** c */\n'],
    "tsx": ['const a = <b c="//" />; // d\n'],
    "java": ['class A { char c = \'"\'; /* b */ String s = "//"; }\n// c\n'],
    "go": ['package a\nvar r = \'"\' // a\nvar s = "/*" // b\n'],
    "rust": ["fn f<'a>(x: &'a str) { let c = '\"'; } // a\n/* b /* c */ d */\n"],
    "c": ['char c = \'"\'; /* a */ char *s = "//"; // b\n'],
    "cpp": ['auto s = R"(//)"; // a\nint n = 1\'000; /* b */\n'],
    "csharp": ['var s = @"\\"; // a\nchar c = \'"\'; /* b */\n'],
    "kotlin": ['val s = """\\""" // a\nval c = \'"\' /* b /* c */ d */\n'],
    "php": ["<?php\n$a = '#'; # b\n$c = \"//\"; // d\n"],
    "ruby": ["a = '#' # b\nc = \"#{d}\" # e\n=begin\nf\n=end\n"],
}


def _rows_of(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The (first, last) rows of character spans, a line break at a span's end left out."""
    rows = []
    for start, end in spans:
        body = text[start:end].rstrip("\r\n")
        first = text.count("\n", 0, start) + 1
        rows.append((first, first + body.count("\n")))
    return rows


AGREEMENT = [
    pytest.param(name, text, id=f"{name}-{index}")
    for name in TREE_SITTER
    for index, text in enumerate(
        [
            SAMPLES[name].line,
            SAMPLES[name].string,
            *([SAMPLES[name].block] if SAMPLES[name].block else []),
            *AGREEMENT_EXTRAS.get(name, []),
        ]
    )
]


@pytest.mark.parametrize(("name", "text"), AGREEMENT)
def test_lexer_agrees_with_tree_sitter(name: str, text: str) -> None:
    """Where a grammar is installed, the lexer (its fallback) finds comments on the same rows."""
    language = languages()[name]
    tree = grammar.parse(language, text)
    assert tree is not None
    data = text.encode("utf-8")
    spans = [
        (len(data[:a].decode("utf-8")), len(data[:b].decode("utf-8")))
        for a, b in grammar.comment_spans(tree)
    ]
    lexed = [(t.start, t.end) for t in lexer.comments(text, language)]
    assert _rows_of(text, lexed) == _rows_of(text, spans)


def test_tree_sitter_languages_are_installed() -> None:
    """The grammar wheels the table names are installed, so both paths are tested."""
    assert len(TREE_SITTER) >= 10


# --- Property: the lexer takes any text ------------------------------------------------------


def _pieces(language: Language) -> list[str]:
    """Text that exercises a language's lexer: its delimiters as they look, and the like."""
    pieces = [plain(d.open) for d in language.delimiters] + [
        plain(d.close) for d in language.delimiters if d.close
    ]
    extra = [
        "\n",
        "\r\n",
        "\\",
        "'",
        '"',
        " ",
        "\t",
        "EOF",
        "x",
        "b",
        "é",
        "😀",
        "\ufeff",
        "\ud800",
    ]
    return [p for p in pieces if p] + extra


# One strategy per language, built once: building strategies for each example is slow.
_TEXTS = {
    name: st.lists(
        st.one_of(
            st.sampled_from(_pieces(language)),
            # A small alphabet: building Hypothesis's whole Unicode table takes a second.
            st.text(st.characters(max_codepoint=0x3FF), max_size=3),
        ),
        max_size=30,
    ).map("".join)
    for name, language in languages().items()
}
_LEXER_INPUTS = st.sampled_from(sorted(_TEXTS)).flatmap(
    lambda name: st.tuples(st.just(languages()[name]), _TEXTS[name])
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_LEXER_INPUTS)
def test_lexer_tokens_are_ordered_and_within_the_text(case: tuple[Language, str]) -> None:
    """Any text in any language: no exception, and tokens in order, apart, inside the text."""
    language, text = case
    previous_end = 0
    for token in lexer.tokens(text, language):
        assert previous_end <= token.start < token.end <= len(text), token
        assert text.startswith(token.opener, token.start) or token.kind == "string", token
        previous_end = token.end
