"""Table tests of stubs in the languages read by tree-sitter (DESIGN.md section 2, "Holes
(contract)"; the rules are at the top of bot/languages/stub_rows.py).

Each row is a named case: a file's path and text, the lines the diff added (all of them unless
given), and the exact holes expected, as
(start_line, end_line, kind, marker, instruction, head, tail, indent, scope).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

import pytest

from bot.data import Hole, SourceFile
from bot.languages import grammar
from bot.languages.table import languages
from bot.scan import scan

pytestmark = pytest.mark.scanner

Row = tuple[int, int, str, str, str, str, str, str, str]


def _case(
    name: str, path: str, source: str, *expected: Row, added: Iterable[int] | None = None
) -> object:
    return pytest.param(
        path,
        textwrap.dedent(source),
        None if added is None else frozenset(added),
        list(expected),
        id=name,
    )


def _holes(path: str, source: str, added: frozenset[int] | None = None) -> list[Hole]:
    every_line = frozenset(range(1, source.count("\n") + 2))
    return scan([SourceFile(path=path, text=source, added=every_line if added is None else added)])


def _rows(holes: list[Hole]) -> list[Row]:
    return [
        (
            h.start_line,
            h.end_line,
            h.kind,
            h.marker,
            h.instruction,
            h.head,
            h.tail,
            h.indent,
            h.scope,
        )
        for h in holes
    ]


def _stub(start: int, end: int, marker: str, indent: str, scope: str, text: str = "") -> Row:
    return (start, end, "stub", marker, text, "", "", indent, scope)


def _todo(row: int, marker: str, text: str, indent: str, scope: str) -> Row:
    return (row, row, "todo", marker, text, "", "", indent, scope)


def _line(row: int, marker: str, head: str, tail: str, indent: str, scope: str) -> Row:
    return (row, row, "stub", marker, "", head, tail, indent, scope)


CASES = [
    # --- JavaScript ---------------------------------------------------------------------------
    _case(
        "js_multi_line",
        "a.js",
        """\
        class Cart {
          /** The total, taxes included. */
          total(items) {
            throw new Error("Not implemented");
          }
        }
        """,
        _stub(4, 4, "Error", "    ", "Cart.total"),
    ),
    _case(
        "js_one_line",
        "a.js",
        """\
        function parse(text) { throw new Error('not implemented yet'); }
        """,
        _line(1, "Error", "function parse(text) {", "}", "    ", "parse"),
    ),
    _case(
        "js_todo_absorbed",
        "a.js",
        """\
        const area = (r) => {
          // TODO: use Math.PI
          throw new Error(`TODO`);
        };
        """,
        _stub(2, 3, "TODO", "  ", "area", "use Math.PI"),
    ),
    _case(
        "js_error_without_call_new",
        "a.js",
        """\
        function f() {
          throw Error("Method not implemented.");
        }
        """,
        _stub(2, 2, "Error", "  ", "f"),
    ),
    _case(
        "js_message_with_a_reason_is_no_hole",
        "a.js",
        """\
        function f() {
          throw new Error("not implemented on this platform");
        }
        function g() {
          throw new Error("invalid state");
        }
        """,
    ),
    _case(
        # The message is the text inside all its quotes, of any kind, at both ends.
        "js_message_quotes",
        "a.js",
        """\
        function a() {
          throw new Error(`Not implemented`);
        }

        function b() {
          throw new Error("'not implemented'");
        }

        function c() {
          throw new Error("it's 'not implemented'");
        }
        """,
        _stub(2, 2, "Error", "  ", "a"),
        _stub(6, 6, "Error", "  ", "b"),
    ),
    _case(
        "js_zero_return_under_todo_is_a_todo",
        "a.js",
        """\
        function f() {
          // TODO: count
          return 0;
        }
        """,
        _todo(2, "TODO", "count", "  ", "f"),
    ),
    _case(
        "js_marker_on_unchanged_line",
        "a.js",
        """\
        function f() {
          throw new Error("Not implemented");
        }
        """,
        added=[1, 3],
    ),
    # --- TypeScript and TSX --------------------------------------------------------------------
    _case(
        "ts_stubs_and_declarations",
        "a.ts",
        """\
        interface Shape { area(): number; }
        declare function load(): void;
        function over(a: string): void;
        abstract class Base {
          abstract draw(): void;
          area(): number {
            throw new Error("Method not implemented.");
          }
        }
        """,
        _stub(7, 7, "Error", "    ", "Base.area"),
    ),
    _case(
        "ts_zero_return_under_todo",
        "a.ts",
        """\
        class Repo {
          count(): number {
            // TODO: query the table
            return 0;
          }
          size(): number {
            return 0;
          }
        }
        """,
        _stub(3, 4, "TODO", "    ", "Repo.count", "query the table"),
    ),
    _case(
        "ts_null_return_under_todo",
        "a.ts",
        """\
        function find(id: string): User | null {
          // TODO: look the user up
          return null;
        }
        """,
        _stub(2, 3, "TODO", "  ", "find", "look the user up"),
    ),
    _case(
        "tsx_one_line_arrow",
        "a.tsx",
        """\
        export const View = () => { throw new Error("TODO: render"); };
        """,
        _line(1, "Error", "export const View = () => {", "};", "    ", "View"),
    ),
    # --- Java ----------------------------------------------------------------------------------
    _case(
        "java_unsupported_operation",
        "A.java",
        """\
        class Stack {
            /**
             * The top item.
             */
            int peek() {
                throw new UnsupportedOperationException();
            }
            int pop() { throw new UnsupportedOperationException("Not yet implemented"); }
        }
        """,
        _stub(6, 6, "UnsupportedOperationException", "        ", "Stack.peek"),
        _line(
            8,
            "UnsupportedOperationException",
            "    int pop() {",
            "    }",
            "        ",
            "Stack.pop",
        ),
    ),
    _case(
        # The " *" rows of doc comments step one column in from their opener; the body's
        # step is still learnt from the code (four spaces), not from them.
        "java_one_line_bodies_among_doc_comments",
        "A.java",
        """\
        class Queue {
            /**
             * The first item.
             */
            int peek() { throw new UnsupportedOperationException(); }
            /**
             * The size.
             */
            int size() { return 0; }
        }
        """,
        _line(
            5,
            "UnsupportedOperationException",
            "    int peek() {",
            "    }",
            "        ",
            "Queue.peek",
        ),
    ),
    _case(
        "java_message_that_names_the_operation_is_no_hole",
        "A.java",
        """\
        class View {
            public boolean remove(Object o) {
                throw new UnsupportedOperationException("remove");
            }
            public void clear() {
                throw new IllegalStateException("closed");
            }
        }
        """,
    ),
    _case(
        "java_eclipse_stub",
        "A.java",
        """\
        class Repo implements Store {
            @Override
            public String name() {
                // TODO Auto-generated method stub
                return null;
            }
            public String kind() {
                return null;
            }
        }
        """,
        _stub(4, 5, "TODO", "        ", "Repo.name", "Auto-generated method stub"),
    ),
    _case(
        "java_interface_abstract_and_default_methods_are_no_holes",
        "A.java",
        """\
        interface Store {
            String name();
            default void close() {
                throw new UnsupportedOperationException();
            }
        }
        abstract class Base {
            abstract int size();
        }
        """,
    ),
    _case(
        "java_any_exception_with_a_todo_message",
        "A.java",
        """\
        class C {
            C() {
                throw new RuntimeException("TODO: wire the cache");
            }
        }
        """,
        _stub(3, 3, "RuntimeException", "        ", "C.C"),
    ),
    # --- Go ------------------------------------------------------------------------------------
    _case(
        "go_panic_tabs",
        "a.go",
        "package p\n\n// Sum adds.\nfunc (c *Calc) Sum(a, b int) int {\n"
        '\tpanic("not implemented")\n}\n',
        _stub(5, 5, "panic()", "\t", "Calc.Sum"),
    ),
    _case(
        "go_one_line_gopls_stub",
        "a.go",
        'package p\n\nfunc (s *Store) Get(k string) string { panic("unimplemented") }\n',
        _line(3, "panic()", "func (s *Store) Get(k string) string {", "}", "\t", "Store.Get"),
    ),
    _case(
        "go_todo_absorbed",
        "a.go",
        'package p\n\nfunc F() {\n\t// TODO: read the file\n\tpanic("implement me")\n}\n',
        _stub(4, 5, "TODO", "\t", "F", "read the file"),
    ),
    _case(
        "go_zero_returns_only_under_a_todo",
        "a.go",
        "package p\n\n"
        "func A() (*T, error) {\n\t// TODO: decode\n\treturn nil, nil\n}\n\n"
        "func B() (*T, error) {\n\treturn nil, nil\n}\n\n"
        'func C() (int, string, bool) {\n\t// FIXME\n\treturn 0, "", false\n}\n\n'
        "func D() (int, error) {\n\t// TODO: wrap\n\treturn 0, err\n}\n\n"
        "func E() int {\n\t// TODO: not a zero\n\treturn -1\n}\n",
        _stub(4, 5, "TODO", "\t", "A", "decode"),
        _stub(13, 14, "FIXME", "\t", "C"),
        _todo(18, "TODO", "wrap", "\t", "D"),
        _todo(23, "TODO", "not a zero", "\t", "E"),
    ),
    _case(
        "go_error_value_stub",
        "a.go",
        "package p\n\nfunc Open() (*File, error) {\n"
        '\treturn nil, errors.New("not implemented")\n}\n',
        _stub(4, 4, "errors.New()", "\t", "Open"),
    ),
    _case(
        "go_panic_with_a_reason_and_interface_are_no_holes",
        "a.go",
        "package p\n\ntype Reader interface {\n\tRead() int\n}\n\n"
        'func F() {\n\tpanic("bad state")\n}\n',
    ),
    # --- Rust ----------------------------------------------------------------------------------
    _case(
        "rust_todo_and_unimplemented",
        "a.rs",
        """\
        impl<T> Stack<T> {
            /// The top item.
            fn peek(&self) -> &T {
                todo!()
            }
            fn pop(&mut self) -> T { unimplemented!("later") }
        }
        """,
        _stub(4, 4, "todo!()", "        ", "Stack.peek"),
        _line(
            6, "unimplemented!()", "    fn pop(&mut self) -> T {", "    }", "        ", "Stack.pop"
        ),
    ),
    _case(
        "rust_todo_absorbed",
        "a.rs",
        """\
        fn parse(s: &str) -> u32 {
            // TODO: handle hex
            todo!();
        }
        """,
        _stub(2, 3, "TODO", "    ", "parse", "handle hex"),
    ),
    _case(
        "rust_trait_items_and_default_methods_are_no_holes",
        "a.rs",
        """\
        trait Shape {
            fn area(&self) -> f64;
            fn name(&self) -> String { todo!() }
        }
        fn f() { panic!("index out of range") }
        """,
    ),
    # --- C and C++ -----------------------------------------------------------------------------
    _case(
        "c_zero_returns_only_under_a_todo_allman",
        "a.c",
        """\
        int parse(const char *s);
        static char *copy(const char *s)
        {
            /* TODO: allocate */
            return NULL;
        }
        int size(void)
        {
            return 0;
        }
        void reset(void) {
            // TODO: clear the cache
            return;
        }
        int fail(void) {
            // TODO: report
            return -1;
        }
        """,
        _stub(4, 5, "TODO", "    ", "copy", "allocate"),
        _stub(12, 13, "TODO", "    ", "reset", "clear the cache"),
        _todo(16, "TODO", "report", "    ", "fail"),
    ),
    _case(
        "cpp_throw_and_zero_returns",
        "a.cpp",
        """\
        class Parser {
          virtual int peek() = 0;
          Parser() = default;
          int next() { throw std::logic_error("not implemented"); }
        };
        std::string Parser::name()
        {
            // TODO: read it
            return {};
        }
        Node *Parser::root() {
            // TODO
            return nullptr;
        }
        """,
        _line(4, "std::logic_error", "  int next() {", "  }", "      ", "Parser.next"),
        _stub(8, 9, "TODO", "    ", "Parser.name", "read it"),
        _stub(12, 13, "TODO", "    ", "Parser.root"),
    ),
    _case(
        "cpp_message_with_a_prefix",
        "a.cpp",
        """\
        int f() {
            throw std::logic_error(u8"not implemented");
        }

        int g() {
            throw std::runtime_error(R"(not implemented)");
        }
        """,
        _stub(2, 2, "std::logic_error", "    ", "f"),
    ),
    # --- C# ------------------------------------------------------------------------------------
    _case(
        "csharp_allman_and_one_line",
        "a.cs",
        """\
        namespace Shop
        {
            public class Cart
            {
                /// <summary>The total.</summary>
                public decimal Total()
                {
                    throw new NotImplementedException();
                }
                public int Count { get { throw new System.NotImplementedException(); } }
            }
        }
        """,
        _stub(8, 8, "NotImplementedException", "            ", "Cart.Total"),
        _line(
            10,
            "System.NotImplementedException",
            "        public int Count { get {",
            "        } }",
            "            ",
            "Cart.Count.get",
        ),
    ),
    _case(
        "csharp_declarations_expression_bodies_and_defaults_are_no_holes",
        "a.cs",
        """\
        interface IStore
        {
            int Count();
            int Size() { throw new NotImplementedException(); }
        }
        abstract class Base
        {
            public abstract int Size();
            partial void Hook();
            int Total() => throw new NotImplementedException();
        }
        """,
    ),
    _case(
        "csharp_zero_return_under_todo",
        "a.cs",
        """\
        class Repo
        {
            public object Find(int id)
            {
                // TODO: query
                return null;
            }
        }
        """,
        _stub(5, 6, "TODO", "        ", "Repo.Find", "query"),
    ),
    # --- Kotlin --------------------------------------------------------------------------------
    _case(
        "kotlin_todo_and_errors",
        "a.kt",
        """\
        class Cart {
            fun total(): Int {
                TODO("Not yet implemented")
            }
            fun count(): Int { throw NotImplementedError() }
            val first = { x: Int -> TODO() }
        }
        """,
        _stub(3, 3, "TODO()", "        ", "Cart.total"),
        _line(
            5, "NotImplementedError", "    fun count(): Int {", "    }", "        ", "Cart.count"
        ),
        _line(6, "TODO()", "    val first = { x: Int ->", "    }", "        ", "Cart"),
    ),
    _case(
        "kotlin_declarations_expression_bodies_and_interfaces_are_no_holes",
        "a.kt",
        """\
        interface Shape {
            fun area(): Double
            fun name(): String { TODO() }
        }
        abstract class Base {
            abstract fun size(): Int
            fun total(): Int = TODO()
        }
        """,
    ),
    _case(
        "kotlin_todo_absorbed",
        "a.kt",
        """\
        fun parse(s: String): Int {
            // TODO: handle hex
            TODO()
        }
        """,
        _stub(2, 3, "TODO", "    ", "parse", "handle hex"),
    ),
    # --- PHP -----------------------------------------------------------------------------------
    _case(
        "php_exceptions_with_a_stub_message",
        "a.php",
        """\
        <?php
        namespace App;
        interface Store { public function find(int $id); }
        abstract class Base { abstract protected function size(); }
        class Repo {
            public function find(int $id) {
                throw new \\Exception('Not implemented');
            }
            public function save() { throw new \\BadMethodCallException("TODO"); }
            public function check($x) {
                throw new \\InvalidArgumentException('bad id');
            }
        }
        """,
        _stub(7, 7, "\\Exception", "        ", "Repo.find"),
        _line(
            9,
            "\\BadMethodCallException",
            "    public function save() {",
            "    }",
            "        ",
            "Repo.save",
        ),
    ),
    _case(
        "php_todo_absorbed",
        "a.php",
        """\
        <?php
        function top() {
            // TODO: read the file
            throw new RuntimeException('Not implemented yet');
        }
        """,
        _stub(3, 4, "TODO", "    ", "top", "read the file"),
    ),
    # --- Ruby ----------------------------------------------------------------------------------
    _case(
        "ruby_not_implemented_error",
        "a.rb",
        """\
        module Shop
          class Cart
            # The total.
            def total
              raise NotImplementedError
            end
            def count; raise NotImplementedError, "later"; end
            def self.build = raise(NotImplementedError)
            def empty?() end
          end
        end
        """,
        _stub(5, 5, "NotImplementedError", "      ", "Shop.Cart.total"),
        _line(7, "NotImplementedError", "    def count", "    end", "      ", "Shop.Cart.count"),
    ),
    _case(
        "ruby_todo_absorbed_and_other_errors",
        "a.rb",
        """\
        def parse(text)
          # TODO: handle hex
          fail NotImplementedError.new("parse")
        end
        def check(x)
          raise ArgumentError, "bad"
        end
        def load
          raise "not implemented"
        end
        """,
        _stub(2, 3, "TODO", "  ", "parse", "handle hex"),
        _stub(9, 9, "raise", "  ", "load"),
    ),
    _case(
        "c_todo_in_a_block_comment_whose_opener_stands_alone",
        "a.c",
        """\
        int count(void) {
        \t/*
        \t * TODO: count the rows
        \t */
        \treturn 0;
        }
        """,
        _stub(2, 5, "TODO", "\t", "count", "count the rows"),
    ),
    _case(
        "kotlin_messages_that_give_a_reason_are_no_holes",
        "a.kt",
        """\
        fun f(): Int { throw UnsupportedOperationException("read-only") }
        fun g(): Int { throw IllegalStateException("closed") }
        """,
    ),
    _case(
        "cpp_message_that_gives_a_reason_is_no_hole",
        "a.cpp",
        """\
        int f() { throw std::runtime_error("bad input"); }
        """,
    ),
    _case(
        "csharp_other_exceptions_are_no_holes",
        "a.cs",
        """\
        class C { int F() { throw new InvalidOperationException("closed"); } }
        """,
    ),
    _case(
        "ts_message_that_gives_a_reason_is_no_hole",
        "a.ts",
        """\
        function f(): number { throw new Error("unreachable"); }
        """,
    ),
    # --- What every language shares ------------------------------------------------------------
    _case(
        "blank_rows_at_the_edges_stay_and_comments_inside_go",
        "a.rs",
        """\
        fn f() {

            // the body comes later
            todo!()

        }
        """,
        _stub(3, 4, "todo!()", "    ", "f"),
    ),
    _case(
        "statement_sharing_a_row_with_a_brace_is_left_alone",
        "a.rs",
        """\
        fn f() { todo!()
        }
        fn g() {
            todo!() }
        """,
    ),
    _case(
        "a_stub_statement_among_others_is_no_hole",
        "a.rs",
        """\
        fn f() -> u32 {
            let x = 1;
            todo!()
        }
        """,
    ),
    _case(
        "todo_on_an_added_line_marks_an_unchanged_stub",
        "a.rs",
        """\
        fn f() {
            // TODO: the parser
            todo!()
        }
        """,
        _stub(2, 3, "TODO", "    ", "f", "the parser"),
        added=[2],
    ),
    _case(
        "two_one_line_bodies_on_a_row_first_only",
        "a.js",
        """\
        const api = { get() { throw new Error("TODO"); }, put() { throw new Error("TODO"); } };
        """,
        _line(
            1,
            "Error",
            "const api = { get() {",
            '}, put() { throw new Error("TODO"); } };',
            "    ",
            "get",
        ),
    ),
    _case(
        "non_ascii_before_the_body",
        "a.js",
        """\
        function grüße(ä) { throw new Error("Not implemented"); }
        """,
        _line(1, "Error", "function grüße(ä) {", "}", "    ", "grüße"),
    ),
    _case(
        "crlf_line_endings",
        "a.rs",
        "fn f() {\r\n    todo!()\r\n}\r\nfn g() { todo!() }\r\n",
        _stub(2, 2, "todo!()", "    ", "f"),
        _line(4, "todo!()", "fn g() {", "}", "    ", "g"),
    ),
    _case(
        "bom_stays_with_the_signature",
        "a.rs",
        "\ufefffn f() { todo!() }\n",
        _line(1, "todo!()", "\ufefffn f() {", "}", "    ", "f"),
    ),
    _case(
        "nested_function_scope",
        "a.js",
        """\
        function outer() {
          function inner() {
            throw new Error("TODO");
          }
          return inner;
        }
        """,
        _stub(3, 3, "Error", "    ", "outer.inner"),
    ),
]


@pytest.mark.parametrize(("path", "source", "added", "expected"), CASES)
def test_stub_holes(
    path: str, source: str, added: frozenset[int] | None, expected: list[Row]
) -> None:
    """Each language's stubs: exact ranges, one-line heads and tails, markers and scopes."""
    assert _rows(_holes(path, source, added)) == expected


# One stub per language, and the rows of its markers (the stub statement, the TODO above it).
MARKED = [
    pytest.param("a.js", 'function f() {\n  throw new Error("TODO");\n}\n', {2}, id="javascript"),
    pytest.param("a.ts", 'function f() {\n  throw new Error("TODO");\n}\n', {2}, id="typescript"),
    pytest.param("a.tsx", 'function f() {\n  throw new Error("TODO");\n}\n', {2}, id="tsx"),
    pytest.param(
        "A.java",
        "class A {\n  void f() {\n    throw new UnsupportedOperationException();\n  }\n}\n",
        {3},
        id="java",
    ),
    pytest.param("a.go", 'package p\n\nfunc f() {\n\tpanic("TODO")\n}\n', {4}, id="go"),
    pytest.param("a.rs", "fn f() {\n    todo!()\n}\n", {2}, id="rust"),
    pytest.param("a.c", "int f(void) {\n    // TODO\n    return 0;\n}\n", {2}, id="c"),
    pytest.param("a.cpp", "int f() {\n    // TODO\n    return 0;\n}\n", {2}, id="cpp"),
    pytest.param(
        "a.cs",
        "class A {\n  void F() {\n    throw new NotImplementedException();\n  }\n}\n",
        {3},
        id="csharp",
    ),
    pytest.param("a.kt", "fun f() {\n    TODO()\n}\n", {2}, id="kotlin"),
    pytest.param(
        "a.php", "<?php\nfunction f() {\n    throw new Exception('TODO');\n}\n", {3}, id="php"
    ),
    pytest.param("a.rb", "def f\n  raise NotImplementedError\nend\n", {2}, id="ruby"),
]


@pytest.mark.parametrize(("path", "source", "markers"), MARKED)
def test_marker_on_an_unchanged_line_is_no_hole(path: str, source: str, markers: set[int]) -> None:
    """A stub counts only when one of its markers sits on an added line (signature and braces
    added around an unchanged stub statement are not enough)."""
    every_line = frozenset(range(1, source.count("\n") + 2))
    assert len(_holes(path, source)) == 1
    assert _holes(path, source, every_line - markers) == []
    for marker in markers:
        assert [h.kind for h in _holes(path, source, frozenset({marker}))] == ["stub"]


def test_every_language_with_a_grammar_has_stubs() -> None:
    """The twelve languages with a tree-sitter grammar all load it and have stub rules, each
    with a row in MARKED above."""
    from bot.languages import stub_rules

    names = {n for n, language in languages().items() if language.grammar}
    assert len(names) >= 12
    assert names == {p.id for p in MARKED}
    for name in names:
        assert grammar.installed(languages()[name]), name
        assert stub_rules.words(languages()[name]), name


def test_one_line_stub_rewrites_to_valid_code() -> None:
    """The suggestion of a one-line stub, head / body / tail, parses without a new error."""
    source = "fn f() -> u32 { todo!() }\n"
    (hole,) = _holes("a.rs", source)
    rewritten = f"{hole.head}\n{hole.indent}0\n{hole.tail}\n"
    language = languages()["rust"]
    tree = grammar.parse(language, rewritten)
    assert tree is not None
    assert grammar.errors(tree) == 0
    assert rewritten == "fn f() -> u32 {\n    0\n}\n"
