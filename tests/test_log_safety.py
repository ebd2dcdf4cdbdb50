"""What the bot writes to stdout and stderr, where a GitHub Actions runner reads workflow
commands (a line starting with "::", after any spaces; "##[" anywhere in a line): text from the
repository, a server or the model never starts a line or acts as a command."""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import Repo
from tests.fakes.github import ACTIONS_TOKEN
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
