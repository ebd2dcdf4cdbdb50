"""Runs a composite action's steps in order, the way the GitHub Actions runner does, for tests.

What the runner does and this does too: the inputs with their defaults; `${{ }}` expressions
in `env:`, `with:`, inputs' defaults and `outputs:` (context look-ups: `inputs`, `github`,
`runner`, `steps.<id>.outputs`); each `run:` step as `bash --noprofile --norc -eo pipefail
<script>` in the workspace, with the job's environment, the step's `env:`, and fresh
GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_ENV and GITHUB_PATH files that are read afterwards;
workflow commands on stdout (`::add-mask::`, `::group::`, `::stop-commands::`). `uses:` steps
are replaced by functions that do what those actions do.

What it refuses, so that a test fails rather than the runner surprising us: an expression in a
`run:` script (script injection: the runner pastes the value into the code), any expression
other than a context look-up, `if:` conditions, a `run` step without `shell: bash`, an action
not pinned by a full commit SHA, and an input the action does not declare.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# A step that `uses:` an action: given its evaluated `with:` and the environment, its outputs.
Uses = Callable[[dict[str, str], dict[str, str]], dict[str, str]]

_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
_LOOKUP = re.compile(r"[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*")
_SHA = re.compile(r"[0-9a-f]{40}")
_HEREDOC = re.compile(r"^([^=<]+)<<(.+)$")


@dataclass
class StepRun:
    id: str | None
    name: str
    outputs: dict[str, str]
    stdout: str = ""
    stderr: str = ""
    returncode: int = 0


@dataclass
class ActionRun:
    outputs: dict[str, str]
    steps: list[StepRun]
    summary: str
    masks: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    @property
    def log(self) -> str:
        return "".join(s.stdout + s.stderr for s in self.steps)


def run_action(
    action_path: Path,
    *,
    inputs: Mapping[str, str],
    env: Mapping[str, str],
    github: Mapping[str, Any],
    runner: Mapping[str, str],
    uses: Mapping[str, Uses],
    timeout: float = 300,
) -> ActionRun:
    """Run `action_path/action.yml` with `inputs` (the workflow's `with:`) in the job `env`."""
    # Every scalar as the text written, as the runner reads `with:` and `env:` values.
    action = yaml.load((action_path / "action.yml").read_text(encoding="utf-8"), yaml.BaseLoader)
    assert action["runs"]["using"] == "composite"
    declared = action.get("inputs") or {}
    unknown = set(inputs) - set(declared)
    assert not unknown, f"inputs the action does not declare: {sorted(unknown)}"
    contexts: dict[str, Any] = {"github": dict(github), "runner": dict(runner), "steps": {}}
    contexts["inputs"] = {
        name: inputs[name] if name in inputs else _evaluate(str(spec.get("default", "")), contexts)
        for name, spec in declared.items()
    }
    job_env = {**env, "GITHUB_ACTION_PATH": str(action_path)}
    result = ActionRun(outputs={}, steps=[], summary="")
    temp = Path(runner["temp"])
    for index, step in enumerate(action["runs"]["steps"]):
        assert "if" not in step, f"step {index}: `if:` is not emulated"
        step_id = step.get("id")
        name = step.get("name") or step.get("uses") or f"step {index}"
        step_env = {k: _evaluate(str(v), contexts) for k, v in (step.get("env") or {}).items()}
        if "uses" in step:
            action_name, _, ref = step["uses"].partition("@")
            assert _SHA.fullmatch(ref), f"{step['uses']}: pin actions by a full commit SHA"
            arguments = {
                k: _evaluate(str(v), contexts) for k, v in (step.get("with") or {}).items()
            }
            outputs = uses[action_name](arguments, {**job_env, **step_env})
            ran = StepRun(id=step_id, name=name, outputs=outputs)
        else:
            ran = _run_step(index, step, name, job_env, step_env, temp, result, timeout)
        result.steps.append(ran)
        if step_id:
            contexts["steps"][step_id] = {"outputs": ran.outputs}
        if ran.returncode != 0:
            break
    result.outputs = {
        name: _evaluate(str(spec.get("value", "")), contexts)
        for name, spec in (action.get("outputs") or {}).items()
    }
    return result


def _run_step(
    index: int,
    step: dict[str, Any],
    name: str,
    job_env: dict[str, str],
    step_env: dict[str, str],
    temp: Path,
    result: ActionRun,
    timeout: float,
) -> StepRun:
    script = step["run"]
    assert step.get("shell") == "bash", f"{name}: every run step needs `shell: bash`"
    assert "${{" not in script, f"{name}: an expression inside `run:` is a script injection"
    files = {
        var: temp / f"step{index}-{var.lower()}"
        for var in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV", "GITHUB_PATH")
    }
    for path in files.values():
        path.write_text("")
    script_path = temp / f"step{index}.sh"
    script_path.write_text(script)
    bash = shutil.which("bash")
    assert bash
    proc = subprocess.run(
        [bash, "--noprofile", "--norc", "-e", "-o", "pipefail", str(script_path)],
        cwd=job_env["GITHUB_WORKSPACE"],
        env={**job_env, **step_env, **{k: str(v) for k, v in files.items()}},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    _commands(proc.stdout, result)
    result.summary += files["GITHUB_STEP_SUMMARY"].read_text()
    job_env.update(_key_values(files["GITHUB_ENV"].read_text()))
    added = [line for line in files["GITHUB_PATH"].read_text().splitlines() if line]
    if added:
        job_env["PATH"] = os.pathsep.join([*reversed(added), job_env["PATH"]])
    return StepRun(
        id=step.get("id"),
        name=name,
        outputs=_key_values(files["GITHUB_OUTPUT"].read_text()),
        stdout=proc.stdout,
        stderr=proc.stderr,
        returncode=proc.returncode,
    )


def _evaluate(text: str, contexts: Mapping[str, Any]) -> str:
    """Every `${{ context.path }}` of `text` replaced by its value, as the runner does."""

    def value(match: re.Match[str]) -> str:
        expression = match[1].strip()
        assert _LOOKUP.fullmatch(expression), f"only context look-ups are emulated: {expression}"
        head, *path = expression.split(".")
        assert head in contexts, f"unknown context {head!r}"
        node: Any = contexts[head]
        for i, part in enumerate(path):
            if head == "steps" and i == 0:
                assert part in node, f"no step with id {part!r} ran before this one"
            if head == "inputs":
                assert part in node, f"the action declares no input {part!r}"
            node = node.get(part, "") if isinstance(node, dict) else ""
        if isinstance(node, bool):
            return "true" if node else "false"
        return "" if node is None or isinstance(node, dict | list) else str(node)

    return _EXPRESSION.sub(value, text)


def _key_values(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT and GITHUB_ENV: `name=value` lines and `name<<DELIMITER` blocks."""
    found: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        heredoc = _HEREDOC.match(line)
        if heredoc:
            body: list[str] = []
            for inner in lines:
                if inner == heredoc[2]:
                    break
                body.append(inner)
            else:
                raise AssertionError(f"no closing {heredoc[2]!r} for {heredoc[1]!r}")
            found[heredoc[1]] = "\n".join(body)
        elif "=" in line:
            name, _, value = line.partition("=")
            found[name] = value
        elif line.strip():
            raise AssertionError(f"not an output line: {line!r}")
    return found


def _commands(stdout: str, result: ActionRun) -> None:
    """The workflow commands the runner acts on (none while commands are stopped)."""
    stopped: str | None = None
    open_group = False
    for line in stdout.splitlines():
        if stopped is not None:
            if line == f"::{stopped}::":
                stopped = None
            continue
        if line.startswith("::stop-commands::"):
            stopped = line.removeprefix("::stop-commands::")
        elif line.startswith("::add-mask::"):
            result.masks.append(line.removeprefix("::add-mask::"))
        elif line.startswith("::group::"):
            assert not open_group, "groups do not nest in the log: close one before the next"
            open_group = True
            result.groups.append(line.removeprefix("::group::"))
        elif line == "::endgroup::":
            assert open_group, "::endgroup:: without a group"
            open_group = False
    assert not open_group, f"a group left open: {result.groups[-1]}"
