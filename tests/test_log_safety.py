"""What the bot writes to stdout and stderr, where a GitHub Actions runner reads workflow
commands (a line starting with "::", after any spaces; "##[" anywhere in a line): text from the
repository, a server or the model never starts a line or acts as a command, and no error
message, annotation or step summary shows the GitHub token a server echoed back."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import BOT, TEST_KEY, Repo, shown
from tests.fakes.codestral import FakeCodestral
from tests.fakes.github import ACTIONS_TOKEN, ECHO_TOKEN, GRAPHQL, LIST_FILES, FakeGitHub
from tests.pulls import NUMBER, Run, open_pull, stubs
from tests.test_precommit import hook

# The key from the issue: a pull request's configuration file that writes workflow commands.
PWNED_KEY = "x\n::error title=pwned::...\n::add-mask::sk"
# The same, in the file: YAML writes the line breaks of a double-quoted key as \n.
PWNED_FILE = '"x\\n::error title=pwned::...\\n::add-mask::sk": 1\n'
PWNED_ERROR = (
    "fim-bot: error: .fim-bot.yml:1: unknown key 'x\\n::error title=pwned::...\\n::add-mask::sk'"
    " (`bot config` shows every key)"
)
GITHUB_RUN = ("run", "--github", "--repo", "o/n", "--pr", "7")  # fails before any request
PULL = "GET /repos/{owner}/{repo}/pulls/{pull_number}"


def commands(*outputs: str) -> list[str]:
    """The lines of `outputs` that a runner would read as workflow commands."""
    return [
        line
        for output in outputs
        for line in output.splitlines()
        if line.lstrip().startswith("::") or "##[" in line
    ]


# -- text from the repository and the model stays on its line ---------------------------------


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(("run", "--dry-run"), id="bot-run"),
        pytest.param(GITHUB_RUN, id="bot-run-github"),
        pytest.param(("config",), id="bot-config"),
    ],
)
def test_a_config_key_holding_workflow_commands_is_one_escaped_error_line(
    repo: Repo, command: tuple[str, ...]
) -> None:
    """The issue's key in .fim-bot.yml: one error line, its line breaks shown as \\n, no command."""
    assert yaml.safe_load(PWNED_FILE) == {PWNED_KEY: 1}
    repo.write(".fim-bot.yml", PWNED_FILE)
    proc = repo.bot(*command, GITHUB_TOKEN=ACTIONS_TOKEN)
    assert proc.returncode == 2
    assert proc.stderr == PWNED_ERROR + "\n"
    assert proc.stdout == ""
    assert commands(proc.stdout, proc.stderr) == []


@pytest.mark.parametrize("action", ["show", "apply"])
def test_the_hooks_show_the_key_holding_workflow_commands_escaped(repo: Repo, action: str) -> None:
    """`fim-bot-hook show` and `apply` stop at that key with the same one escaped line."""
    repo.write(".fim-bot.yml", PWNED_FILE)
    repo.write("calc.py", "def add(a, b):\n    pass\n")
    repo.git("add", "calc.py")
    proc = hook(repo, action)
    assert proc.returncode == 2
    assert proc.stderr == PWNED_ERROR + "\n"
    assert commands(proc.stdout, proc.stderr) == []


def test_control_characters_and_legacy_commands_in_a_key_are_shown_escaped(repo: Repo) -> None:
    """ESC, CR, NEL, U+2028, a bidi override and "##[" in a key are each shown as an escape."""
    repo.write(".fim-bot.yml", '"a\\e[8m\\r\\N\\L\\u202e##[add-mask]b": 1\n')
    proc = repo.bot("run", "--dry-run")
    assert proc.returncode == 2
    assert proc.stderr == (
        "fim-bot: error: .fim-bot.yml:1: unknown key 'a\\x1b[8m\\r\\x85\\u2028\\u202e"
        "#\\x23[add-mask]b' (`bot config` shows every key)\n"
    )
    assert commands(proc.stderr) == []


def test_bot_config_shows_a_value_with_line_breaks_on_one_line(repo: Repo) -> None:
    """`bot config` shows a value with a line break as one double-quoted YAML value, exactly."""
    model = "m\n::add-mask::fim-bot ##[error]x"
    repo.write(".fim-bot.yml", f"model: {json.dumps(model)}\n")
    proc = repo.bot("config")
    assert proc.returncode == 0, proc.stderr
    (line,) = [line for line in proc.stdout.splitlines() if line.startswith("model:")]
    assert line == ('model: "m\\n::add-mask::fim-bot #\\x23[error]x"  # file .fim-bot.yml:1')
    assert yaml.safe_load(line)["model"] == model
    assert commands(proc.stdout, proc.stderr) == []


def test_a_log_line_naming_a_path_with_a_line_break_and_esc_is_one_line(repo: Repo) -> None:
    """A warning naming a file whose name holds ESC and a line break is one escaped line."""
    name = "conf\x1b[8m\n::error::x.yml"
    repo.write(name, "api-base: https://elsewhere.example/v1\n")
    proc = repo.bot(*GITHUB_RUN, "--config", name, CODESTRAL_API_KEY=TEST_KEY, GITHUB_TOKEN="")
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "fim-bot: ignoring api-base from conf\\x1b[8m\\n::error::x.yml:1 on a pull request: "
        "only the workflow sets it (the Action's api-base input, or FIM_BOT_API_BASE or "
        "--api-base)",
        "fim-bot: error: GitHub mode needs a token: set GITHUB_TOKEN (Action input github-token)",
    ]
    assert commands(proc.stdout, proc.stderr) == []


def test_a_model_error_with_esc_and_a_command_is_one_failed_line(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """A server's message with ESC and "##[" makes one escaped `failed` line in the report."""
    codestral.fail(400, body=json.dumps({"message": "bad\x1b[8m\u2028##[add-mask]fim-bot"}))
    repo.write("calc.py", "def add(a, b):\n    pass\n")
    proc = repo.bot("run", "--all", "calc.py", **model_env)
    assert proc.returncode == 1, proc.stderr
    assert (
        "calc.py:2: failed: model API error HTTP 400: bad\\x1b[8m #\\x23[add-mask]fim-bot\n"
        in proc.stdout
    )
    assert commands(proc.stdout, proc.stderr) == []


def test_apply_names_a_written_path_with_a_line_break_on_one_line(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """`--apply` names a written file whose name holds a line break on one escaped line."""
    codestral.respond("    return a + b\n")
    name = "odd\n::error::name.py"
    repo.write(name, "def add(a, b):\n    pass\n")
    proc = repo.bot("run", "--all", "--apply", "--format", "json", name, **model_env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "fim-bot: wrote fills into odd\\n::error::name.py\n"
    assert repo.read(name) == "def add(a, b):\n    return a + b\n"
    assert commands(proc.stdout, proc.stderr) == []


# -- a key or a token that a server echoes back is redacted ---------------------------------


def test_a_model_key_at_the_length_limit_leaves_no_piece_of_it(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """The model key ending a long 401 body is redacted before the cut at 300 characters."""
    codestral.fail(401, body="x" * 295 + TEST_KEY, content_type="text/plain")
    repo.write("calc.py", "def add(a, b):\n    pass\n")
    proc = repo.bot("run", "--all", "calc.py", **model_env)
    assert proc.returncode == 2
    assert f"(HTTP 401: {'x' * 295}***): check CODESTRAL_API_KEY" in proc.stderr
    assert TEST_KEY[:5] not in proc.stderr


@pytest.fixture
def run(tmp_path: Path, home: Path, github: FakeGitHub, codestral: FakeCodestral) -> Iterator[Run]:
    runner = Run(tmp_path, home, github, codestral)
    open_pull(github, {"mod.py": (None, stubs(["alpha"]))})
    yield runner
    # The step summary and the outputs go through the autouse secrets check too.
    shown(*(p.read_text() for p in (runner.summary, runner.output) if p.exists()))


def echoed(github: FakeGitHub) -> list[str]:
    """The answers of the fake that carried the token back: proof the test tested something."""
    return [r.route for r in github.requests if r.fault and ACTIONS_TOKEN in json.dumps(r.response)]


def assert_nowhere(run: Run, *outputs: str) -> None:
    for text in (*outputs, *(p.read_text() for p in (run.summary, run.output) if p.exists())):
        assert ACTIONS_TOKEN not in text


def test_a_401_echoing_the_token_is_an_error_line_without_it(run: Run, github: FakeGitHub) -> None:
    """A 401 echoing the token: the error line on stderr keeps the message, *** for the token."""
    github.fail(401, body={"message": f"Bad credentials: {ECHO_TOKEN}"})
    proc = run()
    assert echoed(github) == [PULL]
    assert proc.returncode == 2
    assert proc.stderr == (
        "fim-bot: error: GitHub rejected the token (401): check GITHUB_TOKEN "
        "(Bad credentials: ***)\n"
    )
    assert_nowhere(run, proc.stdout, proc.stderr)


def rendered(markdown: str) -> str:
    """Markdown's backslash escapes undone: the text a reader sees in the step summary."""
    return re.sub(r"\\(.)", r"\1", markdown)


def test_a_500_echoing_the_token_is_a_warning_and_summary_without_it(
    run: Run, github: FakeGitHub
) -> None:
    """Reads answering 500 with the token: the warning and step summary show *** for it."""
    github.fail(500, times=None, body={"message": f"upstream refused {ECHO_TOKEN} today"})
    proc = run()
    assert len(echoed(github)) == 3  # the read, and its two retries
    assert proc.returncode == 0, proc.stderr
    message = "could not read pull request #7: HTTP 500: upstream refused *** today"
    assert proc.stdout == f"::warning::fim-bot could not finish: {message}\n"
    assert message in rendered(run.summary.read_text())
    assert run.outputs() == {"holes": "0", "suggested": "0", "failed": "0"}
    assert_nowhere(run, proc.stdout, proc.stderr)


def test_a_404_echoing_the_token_is_a_warning_and_summary_without_it(
    run: Run, github: FakeGitHub
) -> None:
    """A 404 echoing the token: the warning and step summary show *** for it."""
    github.fail(404, route=LIST_FILES, body={"message": f"Not Found for {ECHO_TOKEN}"})
    proc = run()
    assert echoed(github) == [LIST_FILES]
    assert proc.returncode == 0, proc.stderr
    message = "could not read the files of pull request #7: HTTP 404: Not Found for ***"
    assert proc.stdout == f"::warning::fim-bot could not finish: {message}\n"
    assert message in rendered(run.summary.read_text())
    assert_nowhere(run, proc.stdout, proc.stderr)


def test_a_graphql_error_echoing_the_token_is_shown_without_it(
    run: Run, github: FakeGitHub
) -> None:
    """GraphQL errors naming the token: the one warning line shows *** for it."""
    error = {"type": "FORBIDDEN", "message": f"{ECHO_TOKEN} may not read threads"}
    # the second GraphQL request reads the threads; the first, the .gitattributes
    github.fail(200, route=GRAPHQL, nth=2, body={"data": None, "errors": [error]})
    proc = run()
    assert echoed(github) == [GRAPHQL]
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("::warning::fim-bot could not finish: ")
    assert proc.stdout.count("\n") == 1
    assert "*** may not read threads" in proc.stdout
    assert "*** may not read threads" in rendered(run.summary.read_text())
    assert_nowhere(run, proc.stdout, proc.stderr)


def test_a_gitattributes_error_echoing_the_token_is_a_warning_without_it(
    run: Run, github: FakeGitHub
) -> None:
    """The .gitattributes request refused with the token in GraphQL's message: the run goes
    on, and its warning on stderr shows *** for the token."""
    error = {"type": "FORBIDDEN", "message": f"{ECHO_TOKEN} may not read files"}
    github.fail(200, route=GRAPHQL, body={"data": None, "errors": [error]})
    proc = run()
    assert echoed(github) == [GRAPHQL]
    assert proc.returncode == 0, proc.stderr
    assert "*** may not read files): generated and vendored files are scanned" in proc.stderr
    assert len(github.review_comments(NUMBER)) == 1
    assert_nowhere(run, proc.stdout, proc.stderr)


def test_a_token_at_the_length_limit_leaves_no_piece_of_it(run: Run, github: FakeGitHub) -> None:
    """The token ending a long message is redacted before the cut at 500 characters."""
    github.fail(404, route=LIST_FILES, body={"message": "x" * 480 + ECHO_TOKEN})
    proc = run()
    assert echoed(github) == [LIST_FILES]
    assert proc.stdout.endswith("x" * 480 + "***\n")
    assert ACTIONS_TOKEN[:8] not in proc.stdout + run.summary.read_text()


def test_a_connection_error_naming_the_token_is_shown_without_it(run: Run) -> None:
    """An OSError naming the token (in the API base URL) is shown with *** for it."""
    proc = run(GITHUB_API_URL=f"http://127.0.0.1:9/{ACTIONS_TOKEN}/api/v3")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("::warning::fim-bot could not finish: could not read pull")
    assert "/***/api/v3/repos/octo-org/hello/pulls/7" in proc.stdout
    assert_nowhere(run, proc.stdout, proc.stderr)


# -- a local run inside a job: its report is text to the runner -------------------------------

HOSTILE = (
    'def alpha():\n    pass\n\nNOTES = """\n  ::add-mask::sk-looks-like-a-key\n##[error]boom\n"""\n'
)


def outside_pauses(stdout: str) -> list[str]:
    """The command lines of `stdout` outside its `::stop-commands::` pauses, the pauses' own
    markers left out."""
    found = re.sub(r"^::stop-commands::(\w+)\n.*?^::\1::\n", "", stdout, flags=re.S | re.M)
    return commands(found)


def test_a_local_report_in_a_job_acts_as_no_command(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str], tmp_path: Path
) -> None:
    """`bot run` inside a GitHub Actions job: the diff, which quotes the file and the fill,
    sits in a pause of workflow commands; saved to a file it stays a plain diff; JSON escapes
    `##[` and still reads back as the same text."""
    codestral.respond("    return 1  # ##[warning]x\n")
    repo.write("mod.py", HOSTILE)
    job = {**model_env, "GITHUB_ACTIONS": "true"}
    proc = repo.bot("run", **job)
    assert proc.returncode == 0, proc.stderr
    assert "+    return 1  # ##[warning]x" in proc.stdout
    assert "   ::add-mask::sk-looks-like-a-key" in proc.stdout  # a context line, as it is
    assert len(commands(proc.stdout)) > 2  # the diff quotes them ...
    assert outside_pauses(proc.stdout) == []  # ... inside a pause only
    assert commands(proc.stderr) == []
    saved = tmp_path / "fills.diff"
    with saved.open("w") as out:
        subprocess.run([BOT, "run"], cwd=repo.path, env={**repo.env, **job}, stdout=out, check=True)
    text = saved.read_text()
    shown(text)
    assert "::stop-commands::" not in text
    assert text == proc.stdout.split("\n", 1)[1].rsplit("::", 2)[0]  # the same diff, no pause
    as_json = repo.bot("run", "--format", "json", **job)
    assert as_json.returncode == 0, as_json.stderr
    assert commands(as_json.stdout) == []
    (hole,) = json.loads(as_json.stdout)["holes"]
    assert hole["suggestion"] == "    return 1  # ##[warning]x\n"
    repo.git("add", "-A")
    shown_by_hook = hook(repo, "show", **job)
    assert shown_by_hook.returncode == 0, shown_by_hook.stderr
    assert "+    return 1  # ##[warning]x" in shown_by_hook.stdout
    assert outside_pauses(shown_by_hook.stdout) == []


def test_a_local_report_outside_a_job_has_no_pause(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """Outside a job nothing is added to the diff."""
    codestral.respond("    return 1\n")
    repo.write("mod.py", HOSTILE)
    proc = repo.bot("run", **model_env)
    assert proc.returncode == 0, proc.stderr
    assert "::stop-commands::" not in proc.stdout
    assert proc.stdout.startswith("--- a/mod.py")
