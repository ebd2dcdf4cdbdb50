"""Shared fixtures: real git repositories in tmp_path, a clean environment, the real `bot`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fakes.codestral import FakeCodestral
from tests.fakes.github import ACTIONS_TOKEN, USER_TOKEN
from tests.wheelhouse import build, copy_project

ROOT = Path(__file__).resolve().parent.parent
# The installed console script, next to the interpreter that runs the tests.
BOT = str(Path(sys.executable).with_name("bot"))
TEST_KEY = "sk-test-0123456789abcdef"
# Recognisable secrets: no output of any test may ever show them (see `no_secret_shown`).
SECRETS = (TEST_KEY, ACTIONS_TOKEN, USER_TOKEN)
_SHOWN: list[str] = []  # everything the bot printed or posted during the current test


def shown(*texts: str) -> None:
    """Record text the bot showed (output, summaries, comments) for the secrets check."""
    _SHOWN.extend(texts)


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment built from scratch: nothing inherited but where programs are."""
    git = shutil.which("git")
    assert git, "the tests need git"
    path = os.pathsep.join(dict.fromkeys([str(Path(sys.executable).parent), str(Path(git).parent)]))
    env = {
        "PATH": path,
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test Author",
        "GIT_AUTHOR_EMAIL": "author@example.com",
        "GIT_COMMITTER_NAME": "Test Author",
        "GIT_COMMITTER_EMAIL": "author@example.com",
        "FIM_BOT_TIME_SCALE": "0",  # every wait is logged, none is slept
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.update(extra)
    return env


class Repo:
    """A real git repository in a temporary folder, and the real `bot` run inside it."""

    def __init__(self, path: Path, env: dict[str, str]) -> None:
        self.path = path
        self.env = env

    def git(self, *args: str, stdin: bytes | None = None) -> str:
        proc = subprocess.run(
            ["git", *args], cwd=self.path, env=self.env, input=stdin, capture_output=True
        )
        assert proc.returncode == 0, proc.stderr.decode()
        return proc.stdout.decode()

    def write(self, name: str, content: str | bytes) -> Path:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode()
        target.write_bytes(content)
        return target

    def read(self, name: str) -> str:
        return (self.path / name).read_bytes().decode()

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def bot(
        self,
        *args: str,
        cwd: Path | None = None,
        preexec_fn: Callable[[], object] | None = None,
        **env: str,
    ) -> subprocess.CompletedProcess[str]:
        """The real `bot`; `preexec_fn` runs in the child before it starts (a resource limit)."""
        proc = subprocess.run(
            [BOT, *args],
            cwd=cwd or self.path,
            env={**self.env, **env},
            preexec_fn=preexec_fn,
            capture_output=True,
            text=True,
            timeout=120,
        )
        shown(proc.stdout, proc.stderr)
        return proc


@pytest.fixture(autouse=True)
def no_secret_shown() -> Iterator[None]:
    """At every test's end: no key or token appeared in anything the bot showed."""
    _SHOWN.clear()
    yield
    assert not secrets_in(_SHOWN), "a key or token was shown"


def secrets_in(texts: list[str]) -> list[str]:
    """The secrets that appear in any of `texts` (what `no_secret_shown` looks for)."""
    return [secret for secret in SECRETS if any(secret in text for text in texts)]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


@pytest.fixture
def repo(tmp_path: Path, home: Path) -> Repo:
    """An empty repository on branch main with one commit holding a README."""
    path = tmp_path / "repo"
    path.mkdir()
    created = Repo(path, clean_env(home))
    created.git("init", "-q", "-b", "main")
    created.write("README.md", "# project\n")
    created.commit("initial")
    return created


@pytest.fixture(scope="session")
def project_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This project's working tree, committed in a repository of its own: what pre-commit's
    `try-repo` and the Action's `github.action_path` get (the real checkout is never touched)."""
    home = tmp_path_factory.mktemp("home")
    copied = Repo(copy_project(ROOT, tmp_path_factory.mktemp("fim-bot")), clean_env(home))
    copied.git("init", "-q", "-b", "main")
    copied.commit("fim-bot as it is being tested")
    return copied.path


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory, project_copy: Path) -> Path:
    """fim-bot and all it needs as wheels, built once per session with no network: installs
    point pip at it with PIP_NO_INDEX=1 and PIP_FIND_LINKS."""
    home = tmp_path_factory.mktemp("home")
    return build(project_copy, tmp_path_factory.mktemp("wheelhouse"), env=clean_env(home))


def offline_pip(wheelhouse: Path) -> dict[str, str]:
    """Variables that make every pip install from the wheelhouse, and never from the network."""
    return {
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheelhouse),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }


@pytest.fixture
def codestral() -> Iterator[FakeCodestral]:
    with FakeCodestral(api_key=TEST_KEY) as fake:
        yield fake


@pytest.fixture
def model_env(codestral: FakeCodestral) -> dict[str, str]:
    """Variables that point the bot at the fake Codestral."""
    return {"CODESTRAL_API_KEY": TEST_KEY, "CODESTRAL_API_BASE": codestral.base_url}


# Hypothesis in CI: the same examples every run, and no deadline on a loaded machine.
try:
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
    if os.environ.get("CI"):
        _hypothesis_settings.load_profile("ci")
except ImportError:  # the scanner-only runs on other Pythons may lack it
    pass


# The fake GitHub and a GitHub-mode run against it, for every test file that needs them.
from tests.pulls import github, run  # noqa: E402, F401
