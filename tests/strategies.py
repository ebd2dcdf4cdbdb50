"""Hypothesis strategies for the fuzz tests: unified diffs, Python-ish files, raw completions."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from hypothesis import strategies as st

# --- Unified diffs ------------------------------------------------------------------------

# Few distinct lines, so that old and new texts share runs and difflib makes real hunks.
_DIFF_LINES = st.one_of(
    st.sampled_from(("x = 1", "", "    pass", "def f():", "# TODO", "}", "\t", " ", "-", "+")),
    st.text(st.characters(codec="utf-8", exclude_characters="\n"), max_size=12),
)


@st.composite
def file_texts(draw: st.DrawFn) -> list[str]:
    """A file's lines as git sees them: each ends with "\\n" (a "\\r" before it is text), and
    the last one may have none."""
    lines = [line + "\n" for line in draw(st.lists(_DIFF_LINES, max_size=12))]
    if draw(st.booleans()) and lines:
        lines[-1] = lines[-1].removesuffix("\n")
        if not lines[-1]:
            lines.pop()
    return lines


@st.composite
def edited(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """An old text and a new one made from it by a few line edits."""
    old = draw(file_texts())
    new = list(old)
    for _ in range(draw(st.integers(0, 4))):
        where = draw(st.integers(0, len(new)))
        action = draw(st.sampled_from(("insert", "delete", "replace")))
        line = draw(_DIFF_LINES) + "\n"
        if action == "insert":
            new.insert(where, line)
        elif where < len(new):
            if action == "delete":
                del new[where]
            else:
                new[where] = line
    # Only the last line may lack its line break.
    new = [line if line.endswith("\n") else line + "\n" for line in new[:-1]] + new[-1:]
    if draw(st.booleans()):
        new = draw(file_texts())
    return old, new


_PATH = st.builds(
    lambda folders, name: "/".join([*folders, name]) + ".py",
    st.lists(st.sampled_from(("src", "pkg", "a b", "x.y", "-", "b")), max_size=2),
    st.text("abcxyz_09.-", min_size=1, max_size=6),
)


@dataclass(frozen=True, slots=True)
class Patch:
    """A patch in git's format, and the added lines of each file that it lists."""

    text: bytes
    added: dict[str, frozenset[int] | None]


def added_lines(old: list[str], new: list[str]) -> frozenset[int]:
    """The new-side line numbers that difflib marks as inserted or replacing."""
    matcher = difflib.SequenceMatcher(None, old, new)
    return frozenset(
        j + 1
        for tag, _, _, j1, j2 in matcher.get_opcodes()
        if tag in ("insert", "replace")
        for j in range(j1, j2)
    )


def _file_patch(
    old_path: str, path: str, old: list[str], new: list[str], *, new_file: bool, context: int
) -> str:
    header = f"diff --git a/{old_path} b/{path}\n"
    if new_file:
        header += "new file mode 100644\nindex 0000000..1234567\n"
    elif old_path != path:
        header += f"similarity index 80%\nrename from {old_path}\nrename to {path}\n"
        header += "index 89abcde..1234567 100644\n"
    else:
        header += "index 89abcde..1234567 100644\n"
    body = ""
    source = "/dev/null" if new_file else f"a/{old_path}"
    for line in difflib.unified_diff(old, new, source, f"b/{path}", n=context, lineterm="\n"):
        if line.startswith(("---", "+++")):
            # difflib adds the line break to headers itself; git ends a name that holds a
            # space with a tab
            line = line.rstrip("\n") + ("\t" if " " in line[4:] else "") + "\n"
        elif not line.endswith("\n"):  # git's way of saying the last line has no line break
            line += "\n\\ No newline at end of file\n"
        body += line
    if old_path != path and not body:  # a rename alone
        return header.replace("80%", "100%").replace("index 89abcde..1234567 100644\n", "")
    return header + body if body else ""


@st.composite
def patches(draw: st.DrawFn) -> Patch:
    """A well-formed patch of several files as `git diff` writes it (0 to 3 lines of context):
    edits, new files, renames, a mode change alone, a binary file."""
    paths = draw(st.lists(_PATH, unique=True, max_size=4))
    context = draw(st.integers(0, 3))
    text = ""
    added: dict[str, frozenset[int] | None] = {}
    for path in paths:
        kind = draw(st.sampled_from(("edit", "edit", "edit", "new", "rename", "mode", "binary")))
        if kind == "mode":
            text += f"diff --git a/{path} b/{path}\nold mode 100644\nnew mode 100755\n"
            added[path] = frozenset()
        elif kind == "binary":
            text += (
                f"diff --git a/{path} b/{path}\nindex 89abcde..1234567 100644\n"
                f"Binary files a/{path} and b/{path} differ\n"
            )
            added[path] = None
        else:
            old, new = draw(edited())
            if kind == "new":
                old = []
            old_path = f"old/{path}" if kind == "rename" else path
            section = _file_patch(old_path, path, old, new, new_file=kind == "new", context=context)
            if section:  # git lists no file whose text did not change
                text += section
                added[path] = added_lines(old, new)
    return Patch(text=text.encode("utf-8", "surrogateescape"), added=added)


# --- Python files -------------------------------------------------------------------------

_NOTE = "NOTE"  # how a tag inside a string is spelled in the twin file


@dataclass(frozen=True, slots=True)
class PyFile:
    """Generated valid Python. `twin` is the same file with every tag inside a string spelled
    NOTE; `string_rows` are the rows whose only tag is inside a string."""

    text: str
    twin: str
    string_rows: frozenset[int]


# One line of code, rendered at its block's depth; "{tag}" is a tag inside a string.
_Line = tuple[int, str, bool]  # (depth, text, whether a tag on this row may only be a string's)

_TAGS = ("TODO", "FIXME", "XXX", "todo", "Todo")
_CODE = (
    "x = 1",
    "print(x)",
    "y = [x,\n    2]",
    "x += 1  # TODO: not on its own line",
    'digits = "\\d+"',  # an invalid escape: a warning (SyntaxWarning on 3.12+) to keep quiet
    "y = [\n    # a note inside brackets\n    2,\n]",
)
_STUBS = ("pass", "...", "raise NotImplementedError", "raise NotImplementedError('later')")
_COMMENTS = (
    "# {t}: write it",
    "# {t}",
    "#{t} tight",
    "# {t}(owner): with an owner",
    "# {t}: several lines\n# of instruction",
    "# just a note",
    "## {t}: doubled hash",
)
_IN_STRINGS = (
    's = "# {tag}: in a string"',
    "s = '#{tag}'",
    'f"# {tag}: in an f-string {x}"',
    's = """\n# {tag}: in a triple-quoted string\n"""',
    "s = (\n    '# {tag}: in brackets'\n)",
    "s = 'a \\\n# {tag}: in a string continued by a backslash'",
)
# A stub statement whose string holds a tag: its row may start a stub hole, never a todo.
_STUB_WITH_TAG = "raise NotImplementedError('# {tag}: in the message')"
_DOCSTRINGS = ('"""Docstring."""', '"""# {tag}: in a docstring."""', '"""Doc.\n\n# {tag}: x\n"""')
_DECORATORS = ("@staticmethod", "@abstractmethod", "@overload", "@property", "@functools.cache")
_BASES = ("", "(Base)", "(ABC)", "(Protocol)", "(metaclass=ABCMeta)")
_ONE_LINE = ("pass", "...", "raise NotImplementedError", "return x")


def _expand(depth: int, template: str) -> list[_Line]:
    return [(depth, line, "{tag}" in line) for line in template.split("\n")]


@st.composite
def _statements(draw: st.DrawFn, depth: int, function: bool, budget: list[int]) -> list[_Line]:
    """A block: one to four statements, with comments and blank lines among them."""
    lines: list[_Line] = []
    real = 0
    for _ in range(draw(st.integers(1, 4))):
        choice = draw(st.sampled_from(("code", "stub", "comment", "string", "blank", "compound")))
        if choice == "compound":
            budget[0] -= 1
            if depth >= 3 or budget[0] < 0:
                choice = "stub"
        if choice == "code":
            lines += _expand(depth, draw(st.sampled_from(_CODE)))
        elif choice == "stub":
            lines += _expand(depth, draw(st.sampled_from(_STUBS)))
        elif choice == "comment":
            tag = draw(st.sampled_from(_TAGS))
            lines += _expand(depth, draw(st.sampled_from(_COMMENTS)).replace("{t}", tag))
            continue
        elif choice == "string":
            template = draw(st.sampled_from((*_IN_STRINGS, _STUB_WITH_TAG)))
            lines += [
                (d, text, template != _STUB_WITH_TAG) for d, text, _ in _expand(depth, template)
            ]
        elif choice == "blank":
            lines.append((0, "", False))
            continue
        else:
            lines += draw(_compound(depth, function, budget))
        real += 1
    if not real:  # a block needs a statement
        lines += _expand(depth, draw(st.sampled_from(_STUBS)))
    if function and draw(st.booleans()):
        lines.append((depth, "return x", False))
    return lines


@st.composite
def _compound(draw: st.DrawFn, depth: int, function: bool, budget: list[int]) -> list[_Line]:
    """A def (maybe decorated, maybe on one line), a class, or an if/else."""
    lines: list[_Line] = []
    choice = draw(st.sampled_from(("def", "def", "class", "if")))
    if choice == "if":
        lines.append((depth, "if x:", False))
        lines += draw(_statements(depth + 1, function, budget))
        if draw(st.booleans()):
            lines.append((depth, "else:", False))
            lines += draw(_statements(depth + 1, function, budget))
        return lines
    if choice == "class":
        lines.append((depth, f"class C{draw(st.sampled_from(_BASES))}:", False))
        if draw(st.booleans()):
            lines += _expand(depth + 1, draw(st.sampled_from(_DOCSTRINGS)))
        return lines + draw(_statements(depth + 1, False, budget))
    if draw(st.booleans()):
        lines.append((depth, draw(st.sampled_from(_DECORATORS)), False))
    keyword = draw(st.sampled_from(("def", "def", "async def")))
    name = draw(st.sampled_from(("f", "g", "__exit__", "run")))
    signature = f"{keyword} {name}(x=1):"
    if draw(st.integers(0, 3)) == 0:
        return [*lines, (depth, f"{signature} {draw(st.sampled_from(_ONE_LINE))}", False)]
    lines.append((depth, signature, False))
    if draw(st.booleans()):
        lines += _expand(depth + 1, draw(st.sampled_from(_DOCSTRINGS)))
    return lines + draw(_statements(depth + 1, True, budget))


@st.composite
def python_files(draw: st.DrawFn, *, newlines: tuple[str, ...] = ("\n", "\r\n")) -> PyFile:
    """Valid Python from a small grammar: defs, classes, stub bodies, TODO comments, tags in
    strings and docstrings; indented with spaces or tabs, in one of `newlines`, maybe a BOM."""
    unit = draw(st.sampled_from(("    ", "  ", "\t")))
    newline = draw(st.sampled_from(newlines))
    header = ["from abc import ABC, ABCMeta, abstractmethod", "x = 1", ""]
    lines = [(0, line, False) for line in header] + draw(_statements(0, False, [6]))
    tag = draw(st.sampled_from(_TAGS))
    rendered: list[str] = []
    twin: list[str] = []
    string_rows: set[int] = set()
    for row, (depth, line, in_string) in enumerate(lines, start=1):
        text = unit * depth + line if line else ""
        rendered.append(text.replace("{tag}", tag))
        twin.append(text.replace("{tag}", _NOTE))
        if in_string:
            string_rows.add(row)
    end = newline if draw(st.booleans()) else ""
    bom = "\ufeff" if draw(st.booleans()) else ""
    return PyFile(
        text=bom + newline.join(rendered) + end,
        twin=bom + newline.join(twin) + end,
        string_rows=frozenset(string_rows),
    )


# --- Python-ish text, for the scanner to survive ------------------------------------------

_FRAGMENTS = (
    "def f(x):",
    "def f(): ...",
    "async def g(): pass",
    "class C(ABC):",
    "    pass",
    "\tpass",
    "  ...",
    "        raise NotImplementedError",
    "    # TODO: fill",
    "# FIXME",
    "#xxx",
    "    # more",
    'x = "# TODO"',
    "'''",
    '"""',
    '    """doc"""',
    "(",
    ")",
    "[",
    "]",
    "    return x",
    "if x:",
    "else:",
    "@abstractmethod",
    "\\",
    "x = (  # TODO: in brackets",
    "\x0c",
    "\ufeff",
    "\x00",
    "\r",
    "f'{x:",
    "f'''",
    "    x = 1  # TODO",
    "lambda: ...",
    'x = "\\d"',
    "y = 1if x else 2",
)


@st.composite
def pythonish_texts(draw: st.DrawFn) -> str:
    """Text that is roughly Python: generated files with lines dropped, repeated or changed;
    lines of Python fragments; arbitrary text; random bytes decoded with replacement."""
    choice = draw(st.sampled_from(("mutated", "fragments", "text", "bytes")))
    if choice == "text":
        return draw(st.text())
    if choice == "bytes":
        return draw(st.binary()).decode("utf-8", "replace")
    lines = draw(python_files()).text.split("\n") if choice == "mutated" else []
    junk = st.one_of(
        st.sampled_from(_FRAGMENTS),
        st.text(st.sampled_from(" \t\r#:()'\"\\.pasTODO\x0c\u2028"), max_size=8),
    )
    for _ in range(draw(st.integers(0 if lines else 1, 8))):
        where = draw(st.integers(0, len(lines)))
        action = draw(st.sampled_from(("insert", "delete", "indent", "append")))
        if action == "insert" or not lines[where:]:
            lines.insert(where, draw(junk))
        elif action == "delete":
            del lines[where]
        elif action == "indent":
            lines[where] = draw(st.sampled_from((" ", "\t", "    ", "\x0c"))) + lines[where]
        else:
            lines[where] += draw(junk)
    newline = draw(st.sampled_from(("\n", "\r\n", "\r", "mixed")))
    if newline != "mixed":
        return newline.join(lines)
    return "".join(line + draw(st.sampled_from(("\n", "\r\n", "\r"))) for line in lines)


# --- Raw completions ----------------------------------------------------------------------

_CODE_LINES = (
    "return x",
    "x = 1",
    "y = x + 1",
    "if x:",
    "for i in range(3):",
    "while x:",
    "else:",
    "print(i)",
    "def g():",
    "class D:",
    "pass",
    "...",
    "raise NotImplementedError",
    "return",
    "yield x",
    "break",
    "try:",
    "except ValueError:",
    "finally:",
    "with x as y:",
    "'''",
    '"""',
    '"""Doc."""',
    "s = '''",
    "# comment",
    "# TODO: again",
    "import os",
    "global x",
    "nonlocal x",
    "await x",
    "lambda: 0",
    "x = (",
    ")",
    "]",
    "}",
    "\\",
    "return x  # done",
    "f'{x}'",
    "@decorator",
    "async def h():",
    "match x:",
    "case 1:",
)
_NOISE = (
    "```python",
    "```",
    "~~~",
    "<|endoftext|>",
    "<fim_middle>",
    "</s>",
    "<|fim_suffix|>",
    "[SUFFIX]",
    "<EOT>",
    "<\uff5cend\u2581of\u2581sentence\uff5c>",
    "Here is the code:",
)


_SIMPLE = ("return x", "x = 1", "y = x + 1", "print(x)", "return", "x += 1", "del y")
_OPENERS = ("if x:", "for i in range(3):", "while x:", "with x as y:", "try:", "def g():")


@st.composite
def _plausible(draw: st.DrawFn) -> list[str]:
    """Lines of a valid block (a few statements, maybe a nested block), at a base indentation
    that may be the hole's, none, or off."""
    base = draw(st.sampled_from(("", "    ", "        ", "\t", "  ", " ")))
    unit = draw(st.sampled_from(("    ", "\t", "  ")))
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.integers(0, 3)) == 0:
            opener = draw(st.sampled_from(_OPENERS))
            lines.append(base + opener)
            lines += [base + unit + draw(st.sampled_from(_SIMPLE)) for _ in range(2)]
            if opener == "try:":
                lines += [base + "except ValueError:", base + unit + "pass"]
        else:
            lines.append(base + draw(st.sampled_from(_SIMPLE)))
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), base + "# a comment")
    return lines


@st.composite
def completions(draw: st.DrawFn, echo: list[str]) -> str:
    """A raw answer: code lines at random indentation, with noise (fences, special tokens,
    repeated lines, echoes of the code after the hole, random unicode), in any line endings."""
    line = st.one_of(
        st.sampled_from(_CODE_LINES),
        st.sampled_from(_CODE_LINES),
        st.sampled_from(_NOISE),
        st.sampled_from(echo or [""]),
        st.text(max_size=10),
    )
    indent = st.one_of(
        st.sampled_from(("", "    ", "        ", "\t", "\t\t", "  ", "            ")),
        st.text(" \t", max_size=12),
    )
    if draw(st.booleans()):
        lines = draw(_plausible())
    else:
        lines = [draw(indent) + draw(line) for _ in range(draw(st.integers(0, 8)))]
    if lines and draw(st.integers(0, 4)) == 0:  # a model stuck in a loop
        lines += lines[-draw(st.integers(1, len(lines))) :] * draw(st.integers(1, 4))
    if lines and draw(st.integers(0, 2)) == 0:  # noise anywhere, or the code after the hole
        noise = st.sampled_from((*_NOISE, *echo)) if echo else st.sampled_from(_NOISE)
        lines.insert(draw(st.integers(0, len(lines))), draw(noise))
    newline = draw(st.sampled_from(("\n", "\n", "\r\n", "\r")))
    return newline.join(lines) + draw(st.sampled_from(("", newline, newline * 2, " ")))
