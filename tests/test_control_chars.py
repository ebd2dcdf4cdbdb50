"""Control characters through the real `bot`: those from file names and file text are shown
escaped in the text diff and the dry run's prompt, so they cannot redraw what is shown."""

from __future__ import annotations

from tests.conftest import Repo
from tests.fakes.codestral import FakeCodestral

ESC = "\x1b"
STUB = "def add(a, b):\n    pass\n"


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
