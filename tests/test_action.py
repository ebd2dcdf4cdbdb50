"""The GitHub Action (action.yml), fim-bot's CI and the example workflows: valid by GitHub's
schemas, clean under zizmor, and the action's steps run as the runner runs them, against the
fake GitHub and the fake Codestral, installing fim-bot offline from the session's wheelhouse."""

from __future__ import annotations

import hashlib
import json
import platform
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.composite import ActionRun, run_action
from tests.conftest import ROOT, TEST_KEY, clean_env, offline_pip, shown
from tests.fakes.codestral import FakeCodestral
from tests.fakes.github import ACTIONS_TOKEN, CREATE_REVIEW, FakeGitHub, PullFile, fake_sha

ACTION = ROOT / "action.yml"
WORKFLOWS = sorted([*ROOT.glob(".github/workflows/*.yml"), *ROOT.glob("examples/workflows/*.yml")])
OWNER, NAME, NUMBER = "octo-org", "hello", 7
HEAD = fake_sha("action-head")
_DEF = re.compile(r"def (\w+)\(")
_PINNED = re.compile(r"^\s*(?:- )?uses: ([\w.-]+/[\w./-]+)@(\S+)(?: # (v\S+))?\s*$", re.M)
PLACEHOLDER = "OWNER/fim-bot"  # how the examples name fim-bot, pinned by whoever copies them


def _tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A console script installed with the tests (next to their interpreter)."""
    return subprocess.run(
        [str(Path(sys.executable).with_name(name)), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return loaded


def test_the_action_and_the_workflows_follow_githubs_schemas() -> None:
    """action.yml and every workflow validate against the schemas GitHub Actions files are
    checked by (SchemaStore's, shipped inside check-jsonschema: no network)."""
    for schema, files in (
        ("vendor.github-actions", [ACTION]),
        ("vendor.github-workflows", WORKFLOWS),
    ):
        proc = _tool("check-jsonschema", "--builtin-schema", schema, *map(str, files))
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(WORKFLOWS) >= 4  # ci.yml and the three examples


def test_zizmor_finds_nothing() -> None:
    """zizmor, offline, on the action, the workflows and the hooks: no finding but the two
    exceptions .github/zizmor.yml justifies."""
    files = [ACTION, ROOT / ".pre-commit-hooks.yaml", *WORKFLOWS]
    proc = _tool(
        "zizmor", "--offline", "--no-progress", "--config", str(ROOT / ".github/zizmor.yml"),
        *map(str, files),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings" in proc.stdout, proc.stdout


def test_every_action_is_pinned_by_a_full_sha_with_its_version() -> None:
    """Each `uses:` names a full commit SHA and, in a comment, the release it is; only the
    examples' placeholder for fim-bot itself is left to whoever copies them."""
    for path in [ACTION, *WORKFLOWS]:
        text = path.read_text(encoding="utf-8")
        assert len(_PINNED.findall(text)) == len(re.findall(r"^\s*(?:- )?uses:", text, re.M))
        for match in _PINNED.finditer(text):
            name, ref, version = match.groups()
            if name == PLACEHOLDER:
                assert "examples" in path.parts, path
                continue
            assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{path.name}: {match[0]}"
            assert version, f"{path.name}: {match[0]}: say which release the SHA is"


def test_workflows_grant_nothing_by_default_and_keep_no_credentials() -> None:
    """`permissions: {}` at the top, each job asks for its own; checkouts keep no token."""
    for path in WORKFLOWS:
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert workflow["permissions"] == {}, path.name
        for job in workflow["jobs"].values():
            for step in job["steps"]:
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, path.name
    fim_bot = yaml.safe_load((ROOT / "examples/workflows/fim-bot.yml").read_text())
    (job,) = fim_bot["jobs"].values()
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert fim_bot["concurrency"]["cancel-in-progress"] is True


def test_every_input_reaches_the_bot_through_env_only() -> None:
    """Each input is used, and only in `env:` or `with:`; no `run:` script holds an
    expression; the variables are the ones fim-bot reads (bot.keys)."""
    from bot.keys import KEYS

    action = _action()
    steps = action["runs"]["steps"]
    used = " ".join(
        json.dumps(step.get("env", {})) + json.dumps(step.get("with", {})) for step in steps
    )
    for name in action["inputs"]:
        assert f"inputs.{name} }}}}" in used, f"input {name!r} reaches no step"
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], step["name"]
    known = {key.env for key in KEYS.values() if key.env} | {"FIM_BOT_API_KEY", "FIM_BOT_CONFIG"}
    (run,) = [step for step in steps if step.get("id") == "run"]
    passed = {name for name in run["env"] if name.startswith("FIM_BOT_")}
    assert passed <= known, passed - known


# --- the action's steps, run ------------------------------------------------------------


def named_return(body: dict[str, Any]) -> str:
    name = _DEF.findall(body["prompt"])[-1]
    return f"    return {name!r}\n"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake
        fake.assert_no_invalid_requests()


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """RUNNER_TEMP, kept across this module's runs as a self-hosted runner may: the first run
    creates fim-bot's environment, the next ones find it and install over it."""
    return tmp_path_factory.mktemp("runner-temp")


class Runner:
    """One job that runs the action: GitHub's variables, the event, the emulated actions."""

    def __init__(
        self,
        tmp_path: Path,
        temp: Path,
        project: Path,
        wheelhouse: Path,
        github: FakeGitHub,
        codestral: FakeCodestral,
    ) -> None:
        self.tmp_path = tmp_path
        self.temp = temp
        self.project = project
        self.wheelhouse = wheelhouse
        self.github = github
        self.codestral = codestral

    def setup_python(self, given: dict[str, str], env: dict[str, str]) -> dict[str, str]:
        """actions/setup-python with update-environment false: a Python, not on PATH."""
        assert given["python-version"] == "3.12"
        assert given["update-environment"] == "false"
        return {"python-path": sys.executable, "python-version": platform.python_version()}

    def cache(self, given: dict[str, str], env: dict[str, str]) -> dict[str, str]:
        """actions/cache: a miss, keyed on the action's own pyproject.toml."""
        pyproject = (self.project / "pyproject.toml").read_bytes()
        prefix = f"fim-bot-pip-Linux-X64-py{platform.python_version()}-"
        assert given["key"] == prefix + hashlib.sha256(pyproject).hexdigest()[:16]
        assert given["restore-keys"].strip() == prefix
        assert given["path"] == f"{self.temp}/fim-bot-pip-cache"
        return {"cache-hit": "false"}

    def __call__(self, event_name: str, event: dict[str, Any], **inputs: str) -> ActionRun:
        workspace = self.tmp_path / "workspace"  # no checkout: the bot reads the API
        workspace.mkdir(exist_ok=True)
        event_path = self.tmp_path / "event.json"
        event_path.write_text(json.dumps(event))
        home = self.tmp_path / "home"
        home.mkdir(exist_ok=True)
        variables = {
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": f"{OWNER}/{NAME}",
            "GITHUB_REPOSITORY_OWNER": OWNER,
            "GITHUB_API_URL": self.github.base_url,
            "GITHUB_GRAPHQL_URL": self.github.graphql_url,
            "GITHUB_SERVER_URL": self.github.root_url,
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_SHA": fake_sha("merge"),
            "GITHUB_REF": f"refs/pull/{NUMBER}/merge",
            "GITHUB_RUN_ID": "1",
            "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_WORKFLOW": "fim-bot",
            "GITHUB_JOB": "fim-bot",
            "GITHUB_ACTOR": "contributor",
            "GITHUB_ACTION": "__OWNER_fim-bot",
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64",
            "RUNNER_TEMP": str(self.temp),
        }
        github: dict[str, Any] = {
            key.removeprefix("GITHUB_").lower(): value
            for key, value in variables.items()
            if key.startswith("GITHUB_")
        }
        github.update(token=ACTIONS_TOKEN, event=event, action_path=str(self.project))
        return run_action(
            self.project,
            inputs=inputs,
            env=clean_env(home, **variables, **offline_pip(self.wheelhouse)),
            github=github,
            runner={"os": "Linux", "arch": "X64", "temp": str(self.temp)},
            uses={"actions/setup-python": self.setup_python, "actions/cache": self.cache},
        )

    def rest(self, path: str) -> dict[str, Any]:
        """A REST answer of the fake, as the bodies of GitHub's webhook events hold them."""
        answer = httpx.get(
            f"{self.github.base_url}{path}", headers={"Authorization": f"token {ACTIONS_TOKEN}"}
        )
        answer.raise_for_status()
        body: dict[str, Any] = answer.json()
        return body


@pytest.fixture
def runner(
    tmp_path: Path,
    runner_temp: Path,
    project_copy: Path,
    wheelhouse: Path,
    github: FakeGitHub,
    codestral: FakeCodestral,
) -> Runner:
    codestral.responder = named_return
    new = "".join(f"def {name}():\n    pass\n\n\n" for name in ("alpha", "beta"))
    github.add_pull(
        OWNER,
        NAME,
        NUMBER,
        HEAD,
        files={"pkg/mod.py": PullFile.from_texts("import os\n", "import os\n\n\n" + new)},
        base_files={"pkg/mod.py": "import os\n"},
    )
    return Runner(tmp_path, runner_temp, project_copy, wheelhouse, github, codestral)


def pull_request_event(runner: Runner) -> dict[str, Any]:
    """The `pull_request` event GitHub writes to GITHUB_EVENT_PATH: its `pull_request` and
    `repository` are the REST API's objects."""
    pull = runner.rest(f"/repos/{OWNER}/{NAME}/pulls/{NUMBER}")
    return {
        "action": "synchronize",
        "number": NUMBER,
        "before": fake_sha("action-before"),
        "after": HEAD,
        "pull_request": pull,
        "repository": runner.rest(f"/repos/{OWNER}/{NAME}"),
        "sender": pull["user"],
    }


def assert_ran(run: ActionRun) -> None:
    # The runner acts on `::add-mask::` and never shows it; everything else is in the log.
    shown(run.log.replace(f"::add-mask::{TEST_KEY}\n", ""), run.summary)
    for step in run.steps:
        assert step.returncode == 0, f"{step.name}:\n{step.stdout}\n{step.stderr}"
    assert len(run.steps) == len(_action()["runs"]["steps"])


def test_the_action_posts_one_review_and_sets_its_outputs(
    runner: Runner, github: FakeGitHub, codestral: FakeCodestral
) -> None:
    """On a pull_request event, with only a key and the API base given: fim-bot is installed
    offline, posts one review with both fills, and the action's outputs count them."""
    run = runner(
        "pull_request", pull_request_event(runner), **{"api-key": TEST_KEY}, **{
            "api-base": codestral.base_url
        }
    )  # fmt: skip
    assert_ran(run)
    assert run.outputs == {"holes": "2", "suggested": "2", "failed": "0"}
    assert github.count(CREATE_REVIEW) == 1
    bodies = sorted(c.body for c in github.review_comments(NUMBER))
    assert ["'alpha'" in bodies[0], "'beta'" in bodies[1]] == [True, True]
    assert [r.body["model"] for r in codestral.requests] == ["codestral-latest"] * 2
    assert "fim-bot" in run.summary
    assert run.masks == [TEST_KEY]
    shown(*bodies)
    assert {"fim-bot: install", "fim-bot: run"} <= set(run.groups)


def test_workflow_run_names_the_pull_request_and_inputs_reach_the_bot(
    runner: Runner, github: FakeGitHub, codestral: FakeCodestral
) -> None:
    """The second half of the fork pattern: a workflow_run event, the pull request given by
    `pr-number`. `model` and `max-holes` shape the one request; the model answers nothing, and
    `fail-on-error` turns that failed hole into a failed step, outputs written all the same."""
    codestral.respond("")
    event = {
        "action": "completed",
        "workflow_run": {"id": 2, "event": "pull_request", "head_sha": HEAD},
        "repository": runner.rest(f"/repos/{OWNER}/{NAME}"),
    }
    inputs = {
        "api-key": TEST_KEY,
        "api-base": codestral.base_url,
        "pr-number": str(NUMBER),
        "model": "codestral-2405",
        "max-holes": "1",
        "fail-on-error": "true",
        "paths": "pkg/mod.py\n",  # a multi-line input: PATH arguments after `--`
    }
    run = runner("workflow_run", event, **inputs)
    shown(run.log.replace(f"::add-mask::{TEST_KEY}\n", ""), run.summary)
    *before, last = run.steps
    assert all(step.returncode == 0 for step in before), run.log
    assert last.id == "run"
    assert last.returncode == 1, run.log
    assert run.outputs == {"holes": "2", "suggested": "0", "failed": "1"}
    assert [r.body["model"] for r in codestral.requests] == ["codestral-2405"]
    assert github.count(CREATE_REVIEW) == 0


def test_no_key_is_a_notice_and_the_step_succeeds(
    runner: Runner, github: FakeGitHub, codestral: FakeCodestral
) -> None:
    """A fork's pull request gets no secrets: the api-key input is empty, the bot leaves a
    notice, posts nothing, and the action succeeds with zero counts."""
    run = runner("pull_request", pull_request_event(runner), **{"api-key": ""})
    assert_ran(run)
    assert run.masks == []
    assert "::notice::" in run.log
    assert run.outputs == {"holes": "0", "suggested": "0", "failed": "0"}
    assert github.count(CREATE_REVIEW) == 0
    assert codestral.requests == []
