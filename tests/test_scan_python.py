"""Table tests of the Python hole scanner (DESIGN.md section 2, "Holes (contract)").

Each row is a named case: a source text, the lines the diff added (all of them unless given),
the file's path, and the exact holes expected, as
(start_line, end_line, kind, marker, instruction, head, indent).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable

import pytest

from bot.data import Hole, SourceFile
from bot.languages.python import find_holes
from bot.repo import RepoView
from bot.scan import DEFAULT_TAGS, Scanner, scan

pytestmark = pytest.mark.scanner

Row = tuple[int, int, str, str, str, str, str]


def _case(
    name: str,
    source: str,
    *expected: Row,
    added: Iterable[int] | None = None,
    path: str = "mod.py",
) -> object:
    return pytest.param(
        textwrap.dedent(source),
        None if added is None else frozenset(added),
        path,
        list(expected),
        id=name,
    )


def _file(source: str, added: frozenset[int] | None = None, path: str = "mod.py") -> SourceFile:
    every_line = frozenset(range(1, source.count("\n") + 2))
    return SourceFile(path=path, text=source, added=every_line if added is None else added)


def _rows(holes: list[Hole]) -> list[Row]:
    return [
        (h.start_line, h.end_line, h.kind, h.marker, h.instruction, h.head, h.indent) for h in holes
    ]


CASES = [
    # --- TODO comments: the tag, its case, what may follow it -------------------------------
    _case(
        "todo_module_level",
        """\
        import os

        # TODO: read the config from the environment
        CONFIG = {}
        """,
        (3, 3, "todo", "TODO", "read the config from the environment", "", ""),
    ),
    _case(
        "todo_lower_case",
        "# todo: lower case counts\n",
        (1, 1, "todo", "TODO", "lower case counts", "", ""),
    ),
    _case(
        "fixme_mixed_case_then_space",
        "# FixMe handle the empty list\n",
        (1, 1, "todo", "FIXME", "handle the empty list", "", ""),
    ),
    _case(
        "xxx_at_end_of_comment",
        "x = 1\n# XXX\n",
        (2, 2, "todo", "XXX", "", "", ""),
    ),
    _case(
        "todo_without_space_after_hash",
        "#TODO: no space\n",
        (1, 1, "todo", "TODO", "no space", "", ""),
    ),
    _case(
        "todo_colon_without_space",
        "# TODO:tight\n",
        (1, 1, "todo", "TODO", "tight", "", ""),
    ),
    _case(
        "todo_with_owner",
        "# TODO(alice): ask bob\n",
        (1, 1, "todo", "TODO", "ask bob", "", ""),
    ),
    _case(
        "tag_must_end_at_colon_space_or_end",
        """\
        # TODOS live in the tracker
        # FIXMEs are rare
        # XXXL is a size
        # TODO-list of the week
        """,
    ),
    _case(
        "tag_must_open_the_comment",
        "# see TODO.md for the plan\n",
    ),
    _case(
        "todo_class_level",
        """\
        class Config:
            # TODO: add a timeout field
            retries = 3
        """,
        (2, 2, "todo", "TODO", "add a timeout field", "", "    "),
    ),
    _case(
        "fixme_body_level",
        """\
        def total(xs):
            s = sum(xs)
            # FIXME: overflow on big inputs
            return s
        """,
        (3, 3, "todo", "FIXME", "overflow on big inputs", "", "    "),
    ),
    _case(
        "continuation_lines_join_the_instruction",
        """\
        # TODO: parse the header,
        # then the body
        #
        # and the trailer
        x = 1
        """,
        (1, 4, "todo", "TODO", "parse the header, then the body and the trailer", "", ""),
    ),
    _case(
        "continuation_must_be_at_the_same_column",
        """\
        def f():
            # TODO: first
                # deeper: not a continuation
            return 1
        """,
        (2, 2, "todo", "TODO", "first", "", "    "),
    ),
    _case(
        "continuation_must_be_directly_under",
        """\
        # TODO: first

        # a separate comment
        """,
        (1, 1, "todo", "TODO", "first", "", ""),
    ),
    _case(
        "next_tag_starts_a_new_hole",
        """\
        # TODO: one
        # FIXME: two
        """,
        (1, 1, "todo", "TODO", "one", "", ""),
        (2, 2, "todo", "FIXME", "two", "", ""),
    ),
    _case(
        "todo_then_pass_is_a_stub",
        """\
        for item in items:
            # TODO: handle item
            pass
        """,
        (2, 3, "stub", "TODO", "handle item", "", "    "),
    ),
    _case(
        "todo_continuation_then_multiline_raise",
        """\
        if flag:
            # TODO: support the flag,
            # both ways
            raise NotImplementedError(
                "flag"
            )
        """,
        (2, 6, "stub", "TODO", "support the flag, both ways", "", "    "),
    ),
    _case(
        "todo_then_ellipsis_at_module_level",
        """\
        # XXX: decide
        ...
        """,
        (1, 2, "stub", "XXX", "decide", "", ""),
    ),
    _case(
        "todo_then_stub_at_another_column_stays_todo",
        """\
        # TODO: later
        if flag:
            pass
        """,
        (1, 1, "todo", "TODO", "later", "", ""),
    ),
    # --- stub bodies --------------------------------------------------------------------------
    _case(
        "stub_pass",
        """\
        def f(x):
            pass
        """,
        (2, 2, "stub", "pass", "", "", "    "),
    ),
    _case(
        "stub_ellipsis",
        """\
        def f(x):
            ...
        """,
        (2, 2, "stub", "...", "", "", "    "),
    ),
    _case(
        "stub_raise_not_implemented",
        """\
        def f(x):
            raise NotImplementedError
        """,
        (2, 2, "stub", "NotImplementedError", "", "", "    "),
    ),
    _case(
        "stub_raise_not_implemented_with_message",
        """\
        def f(x):
            raise NotImplementedError("f needs x")
        """,
        (2, 2, "stub", "NotImplementedError", "", "", "    "),
    ),
    _case(
        "stub_raise_not_implemented_attribute",
        """\
        def f(x):
            raise errors.NotImplementedError()
        """,
        (2, 2, "stub", "NotImplementedError", "", "", "    "),
    ),
    _case(
        "stub_combo_with_plain_comment",
        """\
        def f():
            # nothing here yet
            pass
            ...
        """,
        (2, 4, "stub", "pass", "", "", "    "),
    ),
    _case(
        "stub_with_todo_takes_its_marker_and_text",
        """\
        def double(x):
            # TODO: return twice x,
            # as an int
            raise NotImplementedError
        """,
        (2, 4, "stub", "TODO", "return twice x, as an int", "", "    "),
    ),
    _case(
        "stub_with_two_todos",
        """\
        def f():
            # TODO: one
            pass
            # FIXME: two
            ...
        """,
        (2, 5, "stub", "TODO", "one two", "", "    "),
    ),
    _case(
        "stub_blank_line_inside_body",
        """\
        def f():
            # TODO: x

            pass
        """,
        (2, 4, "stub", "TODO", "x", "", "    "),
    ),
    _case(
        "stub_after_docstring",
        '''\
        def f():
            """Say hello."""

            pass
        ''',
        (4, 4, "stub", "pass", "", "", "    "),
    ),
    _case(
        "stub_after_multiline_docstring_with_todo",
        '''\
        def f():
            """Say hello.

            Loudly.
            """

            # TODO: print it
            ...
        ''',
        (7, 8, "stub", "TODO", "print it", "", "    "),
    ),
    _case(
        "stub_multiline_signature_with_return_annotation",
        """\
        def f(
            a: int,
            b: dict[str, int] = {"k": 1},
            key=lambda x: x,
        ) -> tuple[
            int, str
        ]:
            ...
        """,
        (8, 8, "stub", "...", "", "", "    "),
    ),
    _case(
        "stub_async_def",
        """\
        async def fetch(url):
            raise NotImplementedError
        """,
        (2, 2, "stub", "NotImplementedError", "", "", "    "),
    ),
    _case(
        "stub_nested_function",
        """\
        def outer():
            def inner():
                pass

            return inner
        """,
        (3, 3, "stub", "pass", "", "", "        "),
    ),
    _case(
        "stub_method",
        """\
        class Greeter:
            @property
            def name(self):
                ...
        """,
        (4, 4, "stub", "...", "", "", "        "),
    ),
    _case(
        "stub_with_code_is_no_stub",
        """\
        def f():
            pass
            return 1
        """,
    ),
    # --- one-line defs: the range is the whole line, `head` the signature part ----------------
    _case(
        "one_line_ellipsis",
        "def f(x): ...\n",
        (1, 1, "stub", "...", "", "def f(x):", "    "),
    ),
    _case(
        "one_line_pass_with_annotations",
        "def f(x: int = 1) -> dict[str, int]: pass\n",
        (1, 1, "stub", "pass", "", "def f(x: int = 1) -> dict[str, int]:", "    "),
    ),
    _case(
        "one_line_colons_in_strings_and_fstrings",
        'def f(x=f"{y:3}") -> "a:b": ...\n',
        (1, 1, "stub", "...", "", 'def f(x=f"{y:3}") -> "a:b":', "    "),
    ),
    _case(
        "one_line_method_two_space_file",
        """\
        class A:
          def f(self): raise NotImplementedError("x")
        """,
        (2, 2, "stub", "NotImplementedError", "", "  def f(self):", "    "),
    ),
    _case(
        "one_line_method_tab_file",
        "class A:\n\tdef g(self):\n\t\treturn 1\n\n\tdef f(self): ...\n",
        (5, 5, "stub", "...", "", "\tdef f(self):", "\t\t"),
    ),
    _case(
        "one_line_closing_line_of_a_multiline_signature",
        """\
        def f(
            x,
        ): ...
        """,
        (3, 3, "stub", "...", "", "):", "    "),
    ),
    _case(
        "one_line_todo_after_code_is_no_instruction",
        "def f(): ...  # TODO: later\n",
        (1, 1, "stub", "...", "", "def f():", "    "),
    ),
    _case(
        "one_line_indent_unit_ignores_docstring_text",
        '''\
        def g():
            """Do g.

            Args:
             x: an odd one-space indent inside the docstring
            """
            return 1


        def f(x): ...
        ''',
        (10, 10, "stub", "...", "", "def f(x):", "    "),
    ),
    _case(
        "one_line_non_ascii_signature",
        'def naïve_straße(ü: str = "é") -> "Größe": ...\n',
        (1, 1, "stub", "...", "", 'def naïve_straße(ü: str = "é") -> "Größe":', "    "),
    ),
    _case(
        "one_line_after_bom_keeps_it_in_head",
        "\ufeffdef f(): ...\n",
        (1, 1, "stub", "...", "", "\ufeffdef f():", "    "),
    ),
    # --- not holes ------------------------------------------------------------------------------
    _case(
        "marker_in_strings",
        """\
        a = "# TODO: not a comment"
        b = 'pass'
        c = rb"# FIXME ..."
        """,
    ),
    _case(
        "marker_in_fstring",
        'a = f"# TODO: {x} pass"\nb = f"{x:#x} # XXX"\n',
    ),
    _case(
        "marker_in_triple_quoted_string",
        '''\
        TEXT = """
        # TODO: inside a string
        pass
        """
        ''',
    ),
    _case(
        "marker_in_triple_quoted_fstring",
        '''\
        TEXT = f"""
        {x}
        # TODO: inside an f-string {x!r:>{width}}
        """
        ''',
    ),
    _case(
        "marker_in_identifiers",
        """\
        passenger = todo_list = 1


        def f():
            raise NotImplementedErrorX
        """,
    ),
    _case(
        "todo_after_code_on_the_same_line",
        "x = 1  # TODO: tidy\n",
    ),
    _case(
        "todo_after_multiline_string_on_its_closing_line",
        'x = """\nabc\n"""  # TODO: tidy\n',
    ),
    _case(
        "todo_inside_docstring",
        '''\
        def f():
            """TODO: document this."""
            return 1
        ''',
    ),
    _case(
        "body_holding_only_a_docstring",
        '''\
        def f():
            """Does nothing, on purpose."""
        ''',
    ),
    _case(
        "abstractmethod",
        """\
        from abc import abstractmethod


        class A:
            @abstractmethod
            def f(self):
                raise NotImplementedError
        """,
    ),
    _case(
        "abc_abstractmethod",
        """\
        import abc


        class A:
            @abc.abstractmethod
            def f(self): ...
        """,
    ),
    _case(
        "overload",
        """\
        from typing import overload


        @overload
        def f(x: int) -> int: ...
        @overload
        def f(x: str) -> str: ...
        def f(x):
            return x
        """,
    ),
    _case(
        "typing_overload",
        """\
        import typing


        @typing.overload
        def f(x: int) -> int:
            ...
        """,
    ),
    _case(
        "protocol_member",
        """\
        from typing import Protocol


        class Closer(Protocol):
            def close(self) -> None: ...
        """,
    ),
    _case(
        "typing_protocol_member",
        """\
        import typing


        class Closer(typing.Protocol):
            def close(self) -> None:
                pass
        """,
    ),
    _case(
        "generic_protocol_member",
        """\
        class Box(Protocol[T]):
            def get(self) -> T:
                raise NotImplementedError
        """,
    ),
    _case(
        "abc_base",
        """\
        class A(Base, ABC):
            def f(self):
                pass
        """,
    ),
    _case(
        "abc_dotted_base",
        """\
        class A(abc.ABC):
            def f(self): ...
        """,
    ),
    _case(
        "abcmeta_metaclass",
        """\
        class A(metaclass=ABCMeta):
            def f(self):
                pass


        class B(Base, metaclass=abc.ABCMeta):
            def g(self):
                ...
        """,
    ),
    _case(
        "subclass_of_an_abc_is_checked",
        """\
        class A(ABC):
            def f(self):
                pass


        class B(A):
            def f(self):
                pass
        """,
        (8, 8, "stub", "pass", "", "", "        "),
    ),
    _case(
        "base_method_overridden_in_the_file",
        """\
        class Base:
            def hook(self):
                pass

            def other(self):
                pass


        class Child(mod.Base):
            def hook(self):
                return 1
        """,
        (6, 6, "stub", "pass", "", "", "        "),
    ),
    _case(
        "pyi_has_no_stubs_but_todos",
        """\
        def f(x: int) -> int: ...
        class A:
            def g(self) -> None:
                ...
        # TODO: add h
        def h() -> None:
            # FIXME: narrow the type
            ...
        """,
        (5, 5, "todo", "TODO", "add h", "", ""),
        (7, 7, "todo", "FIXME", "narrow the type", "", "    "),
        path="mod.pyi",
    ),
    _case(
        "todo_in_abstract_method_keeps_its_body",
        """\
        class A:
            @abstractmethod
            def f(self):
                # TODO: say what f returns
                raise NotImplementedError
        """,
        (4, 4, "todo", "TODO", "say what f returns", "", "        "),
    ),
    _case(
        "return_not_implemented",
        """\
        class A:
            def __eq__(self, other):
                return NotImplemented
        """,
    ),
    _case(
        "class_body_pass",
        """\
        class E(Exception): pass


        class F(Exception):
            ...
        """,
    ),
    _case(
        "except_pass",
        """\
        try:
            import fast
        except ImportError:
            pass
        """,
    ),
    _case(
        "raise_not_implemented_from",
        """\
        def f():
            raise NotImplementedError from None
        """,
    ),
    # --- the marker must sit on an added line -------------------------------------------------
    _case(
        "stub_marker_not_added",
        """\
        def f():
            pass
        """,
        added={1},
    ),
    _case(
        "todo_marker_not_added",
        """\
        # TODO: old
        # a new continuation line
        """,
        added={2},
    ),
    _case(
        "stub_statement_added_under_an_old_def",
        '''\
        def f():
            """Old docstring."""
            raise NotImplementedError
        ''',
        (3, 3, "stub", "NotImplementedError", "", "", "    "),
        added={3},
    ),
    _case(
        "plain_comment_added_above_an_old_pass",
        """\
        def f():
            # passing thought
            pass
        """,
        added={2},
    ),
    _case(
        "todo_added_above_an_old_pass",
        """\
        def f():
            # TODO: do it
            pass
        """,
        (2, 3, "stub", "TODO", "do it", "", "    "),
        added={2},
    ),
    # --- files that do not parse --------------------------------------------------------------
    _case(
        "syntax_error_keeps_todos",
        """\
        def f(:
            # TODO: fix the signature
            pass
        """,
        (2, 2, "todo", "TODO", "fix the signature", "", "    "),
    ),
    _case(
        "tokenizer_error_at_end_keeps_todos_before",
        """\
        # TODO: before
        x = (
            # TODO: inside the open bracket
        """,
        (1, 1, "todo", "TODO", "before", "", ""),
        (3, 3, "todo", "TODO", "inside the open bracket", "", "    "),
    ),
    _case(
        "tokenizer_error_in_unterminated_string",
        '''\
        # TODO: before
        s = """
        # TODO: inside the unterminated string
        ''',
        (1, 1, "todo", "TODO", "before", "", ""),
    ),
    # --- functions whose empty body is their behaviour (precision rules) ----------------------
    _case(
        "not_hole_platform_fallback_in_else",
        """\
        import socket

        if hasattr(socket, "TCP_NODELAY"):
            def set_nodelay(sock):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        else:
            def set_nodelay(sock):
                pass
        """,
    ),
    _case(
        "not_hole_import_fallback_in_except",
        """\
        try:
            from _speedups import scan
        except ImportError:
            def scan(text):
                raise NotImplementedError
        """,
    ),
    _case(
        "stub_in_a_branch_without_alternative_is_a_hole",
        """\
        if True:
            def only_here():
                pass
        """,
        (3, 3, "stub", "pass", "", "", "        "),
    ),
    _case(
        "not_hole_callback_passed_to_a_call",
        """\
        def walk_all(walk):
            def onerror(name):
                pass
            walk(onerror=onerror)
        """,
    ),
    _case(
        "stub_nested_function_that_is_called_is_a_hole",
        """\
        def total(rows):
            def price(row):
                pass
            return sum(price(r) for r in rows)
        """,
        (3, 3, "stub", "pass", "", "", "        "),
    ),
    _case(
        "not_hole_empty_exit_is_complete",
        """\
        class Quiet:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                pass
        """,
    ),
    _case(
        "not_hole_hook_called_by_its_class_as_a_statement",
        """\
        class Parser:
            def feed(self, data):
                for tag in data.split():
                    self.handle_tag(tag)

            def handle_tag(self, tag):
                \"\"\"Override to see each tag.\"\"\"
                pass
        """,
    ),
    _case(
        "stub_whose_result_the_class_uses_is_a_hole",
        """\
        class Exporter:
            def export(self, rows):
                self.check(rows)
                return self.serialize(rows)

            def check(self, rows):
                pass

            def serialize(self, rows):
                pass
        """,
        (10, 10, "stub", "pass", "", "", "        "),
    ),
    _case(
        "raise_not_implemented_hook_called_as_statement_is_a_hole",
        """\
        class Job:
            def run(self):
                self.step()

            def step(self):
                raise NotImplementedError
        """,
        (6, 6, "stub", "NotImplementedError", "", "", "        "),
    ),
    _case(
        # An inconsistent dedent stops the tokenizer: what comes after it is not looked at.
        "tokenizer_error_midway_keeps_todos_before",
        """\
        # TODO: before
        def f():
                x = 1
            y = 2
        """,
        (1, 1, "todo", "TODO", "before", "", ""),
    ),
]


@pytest.mark.parametrize(("source", "added", "path", "expected"), CASES)
def test_find_holes(
    source: str, added: frozenset[int] | None, path: str, expected: list[Row]
) -> None:
    """Each table row yields exactly its holes: range, kind, marker, instruction, head, indent."""
    assert _rows(find_holes(_file(source, added, path), DEFAULT_TAGS)) == expected


LINE_ENDING_SOURCES = [
    pytest.param(
        textwrap.dedent(
            '''\
            import os

            # TODO: first,
            # then more
            def f(x):
                """Doc."""
                # FIXME: x
                raise NotImplementedError(
                    "x"
                )


            def g(): ...
            x = "# TODO: not this"
            class A:
                def h(self):
                    pass'''
        ),
        id="mixed",
    ),
]


@pytest.mark.parametrize("source", LINE_ENDING_SOURCES)
@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda s: s + "\n", id="lf"),
        pytest.param(lambda s: s, id="no_final_newline"),
        pytest.param(lambda s: (s + "\n").replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda s: s.replace("\n", "\r\n"), id="crlf_no_final_newline"),
        pytest.param(lambda s: "\ufeff" + s + "\n", id="bom"),
        pytest.param(lambda s: "\ufeff" + s.replace("\n", "\r\n"), id="bom_crlf"),
    ],
)
def test_line_endings_and_bom_keep_line_numbers(source: str, variant: Callable[[str], str]) -> None:
    """CRLF, a missing final newline and a BOM give the same holes as plain LF text."""
    expected = [
        (3, 4, "todo", "TODO", "first, then more", "", ""),
        (7, 10, "stub", "FIXME", "x", "", "    "),
        (13, 13, "stub", "...", "", "def g():", "    "),
        (17, 17, "stub", "pass", "", "", "        "),
    ]
    assert _rows(find_holes(_file(variant(source)), DEFAULT_TAGS)) == expected


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        pytest.param(
            ("HACK",),
            [
                (1, 1, "todo", "HACK", "work around", "", ""),
                (5, 6, "stub", "pass", "", "", "    "),
            ],
            id="custom_tag_only",
        ),
        pytest.param((), [(5, 6, "stub", "pass", "", "", "    ")], id="no_tags_no_todos"),
    ],
)
def test_configured_tags(tags: tuple[str, ...], expected: list[Row]) -> None:
    """Only the configured tags mark TODOs; with none, no comment is a TODO but stubs remain."""
    source = "# hack: work around\n\n# TODO: not a tag here\ndef f():\n    # a note\n    pass\n"
    assert _rows(find_holes(_file(source), tags)) == expected


def test_scan_orders_by_path_and_line_and_skips_other_languages() -> None:
    """scan() returns holes by path then line, with path and language set, and only for Python."""
    files = [
        _file("def b():\n    pass\n# TODO: after b\n", path="pkg/b.py"),
        _file("# TODO: not python\ndef f():\n    pass\n", path="README.md"),
        _file("# FIXME: in c\n", path="notes.txt"),
        _file("# XXX: top\n\ndef a(): ...\n", path="pkg/a.py"),
        _file("def s() -> int: ...\n# TODO: typed\n", path="pkg/a.pyi"),
    ]
    holes = scan(files)
    assert [(h.path, h.start_line, h.marker, h.language) for h in holes] == [
        ("pkg/a.py", 1, "XXX", "python"),
        ("pkg/a.py", 3, "...", "python"),
        ("pkg/a.pyi", 2, "TODO", "python"),
        ("pkg/b.py", 2, "pass", "python"),
        ("pkg/b.py", 3, "TODO", "python"),
    ]


def test_methods_that_subclasses_elsewhere_override_are_hooks() -> None:
    """A stub method overridden by a subclass in another file, at any depth, is no hole."""
    files = {
        "base.py": "class Loop:\n    def call_soon(self):\n        raise NotImplementedError\n\n"
        "    def time(self):\n        raise NotImplementedError\n",
        "middle.py": "import base\n\n\nclass BaseLoop(base.Loop):\n    pass\n",
        "concrete.py": "from middle import BaseLoop\n\n\nclass SelectorLoop(BaseLoop):\n"
        "    def call_soon(self):\n        return 1\n",
    }
    repo = RepoView(
        list_files=lambda: sorted(files),
        read_files=lambda paths: {p: files[p].encode() for p in paths},
        max_size=1_000_000,
    )
    holes = scan([_file(files["base.py"], path="base.py")], repo=repo)
    assert [(h.start_line, h.marker) for h in holes] == [(6, "NotImplementedError")]
    assert len(scan([_file(files["base.py"], path="base.py")])) == 2  # no repository, no rule


@pytest.mark.parametrize(
    ("subclass", "holes"),
    [
        pytest.param(
            "class Fast(base.Loop):\n    def time(self):\n        return 1\n", [3], id="one_line"
        ),
        pytest.param(
            "class Fast(\n    base.Loop,\n    Mixin,\n):\n    def time(self):\n        return 1\n",
            [3],
            id="bases_over_lines",
        ),
        pytest.param(
            "class Outer:\n"
            "    class Fast(base.Loop):\n        def time(self):\n            return 1\n",
            [3],
            id="nested",
        ),
        pytest.param(
            "class Fast(base.Loop):\n    def time(self):\n        return 1\n" + "class A(\n" * 3,
            [3],
            id="headers_after_it_never_close",
        ),
        pytest.param(
            "class Open(\nclass Fast(base.Loop):\n    def time(self):\n        return 1\n",
            [3, 6],
            id="a_header_open_before_it_takes_it_in",
        ),
        pytest.param(
            "class Fast(base.Loopy):\n    def time(self):\n        return 1\n", [3, 6], id="other"
        ),
    ],
)
def test_subclass_headers_are_read_as_written(subclass: str, holes: list[int]) -> None:
    """A subclass's header names its bases on one line or several; a header whose bases never
    close reads on to the next ")" (the prefilter's rule: ast then decides)."""
    files = {
        "base.py": "class Loop:\n    def call_soon(self):\n        raise NotImplementedError\n\n"
        "    def time(self):\n        raise NotImplementedError\n",
        "fast.py": subclass,
    }
    repo = RepoView(
        list_files=lambda: sorted(files),
        read_files=lambda paths: {p: files[p].encode() for p in paths},
        max_size=1_000_000,
    )
    found = scan([_file(files["base.py"], path="base.py")], repo=repo)
    assert [h.start_line for h in found] == holes


def test_scope_is_the_qualified_name_of_the_enclosing_definition() -> None:
    """Each hole knows its enclosing def or class by qualified name ("" at the top level)."""
    source = textwrap.dedent(
        """\
        # TODO: module level
        class Parser:
            def parse(self):
                def inner():
                    pass
                # TODO: use inner
                return inner

            def other(self): ...
        """
    )
    assert [(h.start_line, h.scope) for h in find_holes(_file(source), DEFAULT_TAGS)] == [
        (1, ""),
        (5, "Parser.parse.inner"),
        (6, "Parser.parse"),
        (9, "Parser.other"),
    ]


def test_a_large_change_scans_the_same_in_a_pool_as_file_by_file() -> None:
    """Over 2 MB of text is scanned by forked processes on a machine with several cores: the
    holes are exactly those of a scan file by file, in the same order."""
    # Mostly a long docstring, which the parser reads fast, around a few holes.
    prose = "".join(f"Line {i} of the notes about this module.\n" for i in range(1800))
    body = f'"""{prose}"""\n\n\n' + "".join(
        f"def f{i}(x):\n    # TODO: step {i}\n    pass\n\n\n" for i in range(15)
    )
    files = [_file(f"# module {n}\n" + body, path=f"pkg/m{n:02}.py") for n in range(30)]
    assert sum(len(f.text) for f in files) > 2_000_000
    scanner = Scanner()
    pooled = scanner.holes_by_file(files)
    assert sorted(pooled) == sorted(f.path for f in files)
    assert {path: pooled[path] for path in sorted(pooled)} == {
        f.path: scanner.holes(f) for f in sorted(files, key=lambda f: f.path)
    }
    assert sum(len(h) for h in pooled.values()) == 30 * 15
