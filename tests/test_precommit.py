"""The pre-commit hooks (.pre-commit-hooks.yaml) run by the real pre-commit framework, from a
committed copy of this project (`pre-commit try-repo`), against the fake Codestral. pre-commit
installs its hook environment offline, from the session's wheelhouse, once for this module."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import TEST_KEY, Repo, clean_env, offline_pip, shown
from tests.fakes.codestral import FakeCodestral

TODO = "def add(a, b):\n    # TODO: add them up\n    pass\n"
FILLED = "def add(a, b):\n    return a + b\n"


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pre-commit's store, shared by this module's `pre-commit run`s: the hook environment is
    made once (`try-repo` makes a store of its own each time)."""
    return tmp_path_factory.mktemp("pre-commit-home")


class Hooks:
    """A repository with a staged TODO, and pre-commit running fim-bot's hooks in it."""

    def __init__(self, repo: Repo, project: Path, config: Path, model: dict[str, str]) -> None:
        self.repo = repo
        self.project = project
        self.config = config
        self.model = model

    def run(self, hook: str, *args: str, key: bool = True) -> subprocess.CompletedProcess[str]:
        """`pre-commit run HOOK`, the hooks taken from the project's committed copy."""
        return self._pre_commit("run", "--config", str(self.config), hook, *args, key=key)

    def try_repo(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`pre-commit try-repo PROJECT ...`: how a hook repository is tried before a release."""
        return self._pre_commit("try-repo", str(self.project), *args)

    def _pre_commit(self, *args: str, key: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [sys.executable, "-m", "pre_commit", *args],
            cwd=self.repo.path,
            env={**self.repo.env, **(self.model if key else {})},
            capture_output=True,
            text=True,
            timeout=300,
        )
        shown(proc.stdout, proc.stderr)
        return proc


@pytest.fixture
def hooks(
    tmp_path: Path,
    repo: Repo,
    home: Path,
    project_copy: Path,
    wheelhouse: Path,
    pre_commit_home: Path,
    codestral: FakeCodestral,
) -> Hooks:
    codestral.respond("    return a + b\n")
    repo.env = clean_env(
        home,
        PRE_COMMIT_HOME=str(pre_commit_home),
        VIRTUALENV_NO_PERIODIC_UPDATE="1",
        **offline_pip(wheelhouse),
    )
    repo.write("calc.py", TODO)
    repo.git("add", "calc.py")
    rev = Repo(project_copy, repo.env).git("rev-parse", "HEAD").strip()
    config = tmp_path / "pre-commit-config.yaml"
    config.write_text(
        f"repos:\n- repo: {project_copy}\n  rev: {rev}\n"
        "  hooks:\n  - id: fim-bot\n  - id: fim-bot-apply\n"
    )
    model = {"CODESTRAL_API_KEY": TEST_KEY, "CODESTRAL_API_BASE": codestral.base_url}
    return Hooks(repo, project_copy, config, model)


def test_try_repo_shows_then_writes_the_fill_with_one_model_call(
    hooks: Hooks, codestral: FakeCodestral
) -> None:
    """`pre-commit try-repo` runs both hooks: `fim-bot` shows the fill and passes, then
    `fim-bot-apply` writes it and fails, as formatters do, taking it from the cache."""
    proc = hooks.try_repo()
    assert proc.returncode == 1, proc.stdout + proc.stderr
    showing, applied = proc.stdout.split("fim-bot (write fills", 1)
    assert "Passed" in showing
    assert "-    # TODO: add them up\n-    pass\n+    return a + b\n" in showing
    assert "Failed" in applied
    assert "files were modified by this hook" in applied
    assert hooks.repo.read("calc.py") == FILLED
    assert len(codestral.requests) == 1


def test_show_hook_prints_the_fill_passes_and_asks_once(
    hooks: Hooks, codestral: FakeCodestral
) -> None:
    """`fim-bot` shows the fill as a diff and passes; run again on the same staged hole, it
    shows it from the cache with no model call."""
    first = hooks.run("fim-bot")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Passed" in first.stdout
    assert "-    # TODO: add them up\n-    pass\n+    return a + b\n" in first.stdout
    assert len(codestral.requests) == 1
    again = hooks.run("fim-bot")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "+    return a + b\n" in again.stdout
    assert len(codestral.requests) == 1
    assert hooks.repo.read("calc.py") == TODO  # shown, never written
    cache = hooks.repo.path / ".git" / "fim-bot" / "cache.json"
    (entry,) = json.loads(cache.read_text())["fills"].values()
    assert entry["suggestion"] == "    return a + b\n"


def test_apply_hook_writes_the_fill_and_fails(hooks: Hooks, codestral: FakeCodestral) -> None:
    """`fim-bot-apply` writes the fill into the file and fails, as formatters do; once the
    file holds no hole, it passes."""
    proc = hooks.run("fim-bot-apply")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Failed" in proc.stdout
    assert hooks.repo.read("calc.py") == FILLED
    assert len(codestral.requests) == 1
    hooks.repo.git("add", "calc.py")
    proc = hooks.run("fim-bot-apply")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(codestral.requests) == 1


def test_pre_push_shows_the_pushed_commits_from_the_cache(
    hooks: Hooks, codestral: FakeCodestral
) -> None:
    """At pre-push, `fim-bot` reads the pushed range (PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF);
    the hole it showed at commit time costs no second model call."""
    base = hooks.repo.git("rev-parse", "HEAD").strip()
    assert hooks.run("fim-bot").returncode == 0
    head = hooks.repo.commit("add calc")
    proc = hooks.run("fim-bot", "--hook-stage", "pre-push", "--from-ref", base, "--to-ref", head)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "+    return a + b\n" in proc.stdout
    assert len(codestral.requests) == 1


def test_no_key_never_blocks(hooks: Hooks, codestral: FakeCodestral) -> None:
    """With no model key both hooks pass, say why there is no fill, and change nothing."""
    for hook in ("fim-bot", "fim-bot-apply"):
        proc = hooks.run(hook, "--verbose", key=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "no API key" in proc.stdout, proc.stdout
    assert hooks.repo.read("calc.py") == TODO
    assert codestral.requests == []


# --- the hook command itself, as pre-commit calls it ----------------------------------------

HOOK = str(Path(sys.executable).with_name("fim-bot-hook"))


def hook(
    repo: Repo, action: str, preexec_fn: Callable[[], object] | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """The real `fim-bot-hook ACTION`; `preexec_fn` as for `Repo.bot`."""
    proc = subprocess.run(
        [HOOK, action],
        cwd=repo.path,
        env={**repo.env, **env},
        preexec_fn=preexec_fn,
        capture_output=True,
        text=True,
        timeout=120,
    )
    shown(proc.stdout, proc.stderr)
    return proc


@pytest.fixture
def staged(repo: Repo, codestral: FakeCodestral) -> Repo:
    codestral.respond("    return a + b\n")
    repo.env.update(CODESTRAL_API_KEY=TEST_KEY, CODESTRAL_API_BASE=codestral.base_url)
    repo.write("calc.py", TODO)
    repo.git("add", "calc.py")
    return repo


@pytest.mark.parametrize(
    ("status", "message"), [(401, "rejected"), (500, "failed")], ids=["bad-key", "server-error"]
)
def test_model_trouble_never_blocks_either_hook(
    staged: Repo, codestral: FakeCodestral, status: int, message: str
) -> None:
    """A rejected key or a failing server: a notice or a failed line, exit 0, nothing written."""
    codestral.fail(status, times=20)
    for action in ("show", "apply"):
        proc = hook(staged, action)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert message in (proc.stdout + proc.stderr).lower()
    assert staged.read("calc.py") == TODO
    assert not (staged.path / ".git" / "fim-bot" / "cache.json").exists()


def test_a_broken_configuration_stops_the_commit(staged: Repo, codestral: FakeCodestral) -> None:
    """The author can fix a bad .fim-bot.yml: both hooks exit 2 with the file and line."""
    staged.write(".fim-bot.yml", "max-holes: many\n")
    for action in ("show", "apply"):
        proc = hook(staged, action)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert ".fim-bot.yml:1:" in proc.stderr
    assert codestral.requests == []


def test_the_cache_lives_in_the_common_git_directory(
    staged: Repo, tmp_path: Path, codestral: FakeCodestral
) -> None:
    """A worktree of the repository shares its cache: one model call for both."""
    assert hook(staged, "show").returncode == 0
    staged.commit("add calc")
    other = tmp_path / "other"
    staged.git("worktree", "add", "-q", str(other), "HEAD~1")
    worktree = Repo(other, staged.env)
    worktree.write("calc.py", TODO)
    worktree.git("add", "calc.py")
    proc = hook(worktree, "show")
    assert proc.returncode == 0, proc.stderr
    assert "+    return a + b\n" in proc.stdout
    assert len(codestral.requests) == 1
    assert not (other / ".git").is_dir()  # a worktree's .git is a file: the cache is not there
