"""Time bounds: `--timeout` bounds each request by wall time, the whole answer included, and
`--deadline` the whole run, retries and their waits included: the holes unfinished by then fail
with the deadline as their reason, the report is written, and the hooks pass. Each test has a
server that really hangs or trickles, and limits of a second or two."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from tests.conftest import Repo
from tests.fakes.codestral import FakeCodestral
from tests.fakes.github import FakeGitHub
from tests.pulls import Run, open_pull, stubs
from tests.test_precommit import HOOK, hook

SOURCE = "".join(f"def f{i}():\n    pass\n\n\n" for i in range(3))
FILL = "    return 1\n"
SLOW = "    return 'slow'\n"


def answer(content: str) -> str:
    """A Mistral FIM answer holding `content`, as the real service writes it."""
    message = {"role": "assistant", "content": content, "tool_calls": None, "prefix": False}
    choice = {"index": 0, "message": message, "finish_reason": "stop"}
    usage = {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17}
    return json.dumps(
        {"id": "c0", "object": "chat.completion", "choices": [choice], "usage": usage}
    )


def event(content: str) -> str:
    """One server-sent event holding a piece of text."""
    return (
        "data: " + json.dumps({"choices": [{"index": 0, "delta": {"content": content}}]}) + "\n\n"
    )


def three_stubs(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("three.py", SOURCE)
    repo.commit("three stubs")


def report_of(repo: Repo, *args: str, **env: str) -> tuple[list[dict[str, Any]], str]:
    """`bot run --format json`: it exits 1, for a failed hole, with no traceback; the holes
    and stderr."""
    proc = repo.bot("run", "--format", "json", *args, **env)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 1, proc.stderr
    holes: list[dict[str, Any]] = json.loads(proc.stdout)["holes"]
    return holes, proc.stderr


def test_a_trickled_answer_is_cut_at_the_timeout(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """An answer of 274 bytes trickled a byte every 50 ms never trips a per-read timeout:
    `--timeout 1` cuts it after a second, and the retry gets the next answer."""
    codestral.respond(FILL)
    codestral.send(answer(SLOW), every=0.05)
    repo.write("one.py", "def f():\n    pass\n")
    proc = repo.bot("run", "--format", "json", "--timeout", "1", "-vv", **model_env)
    assert proc.returncode == 0, proc.stderr
    (hole,) = json.loads(proc.stdout)["holes"]
    assert hole["suggestion"] == FILL
    assert "retry 1 after no whole answer within --timeout 1 s" in proc.stderr
    assert len(codestral.requests) == 2


def test_an_endless_stream_is_cut_at_the_timeout(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """A stream with a `data:` event every 0.2 s and no end is cut by `--timeout 1`, and the
    retry gets the next answer."""
    codestral.respond(FILL)
    codestral.stream([event("    ")], every=0.2, endless=True)
    repo.write("one.py", "def f():\n    pass\n")
    args = ("--stream", "--timeout", "1", "-vv")
    proc = repo.bot("run", "--format", "json", *args, **model_env)
    assert proc.returncode == 0, proc.stderr
    (hole,) = json.loads(proc.stdout)["holes"]
    assert hole["suggestion"] == FILL
    assert "retry 1 after no whole answer within --timeout 1 s" in proc.stderr


def test_holes_unfinished_at_the_deadline_fail_and_the_others_are_kept(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """A server that hangs on one request, with the 60 s timeout: at `--deadline 1` that hole
    fails with the deadline as its reason; the two answered are filled; exit 1."""
    codestral.respond(FILL)
    codestral.hang()
    three_stubs(repo)
    holes, _ = report_of(repo, "--deadline", "1", **model_env)
    failed = [h for h in holes if h["status"] == "failed"]
    assert [h["reason"] for h in failed] == ["deadline (--deadline 1 s)"]
    assert [h["suggestion"] for h in holes if h["status"] == "suggested"] == [FILL, FILL]


def test_holes_waiting_their_turn_fail_at_the_deadline_too(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """One request at a time, the first hanging: the holes never sent fail at the deadline as
    the one in flight does, the deadline named as it was given (the variable, 1.5)."""
    codestral.hang()
    three_stubs(repo)
    holes, _ = report_of(repo, "--concurrency", "1", FIM_BOT_DEADLINE="1.5", **model_env)
    assert [h["reason"] for h in holes] == ["deadline (--deadline 1.5 s)"] * 3
    assert len(codestral.requests) == 1


def test_a_retry_wait_stops_at_the_deadline(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """Waits really slept (FIM_BOT_TIME_SCALE=1): a 503 asking for 30 s before a retry is cut
    at the deadline from the configuration file, and its hole fails."""
    codestral.respond(FILL)
    codestral.fail(503, retry_after="30")
    repo.write(".fim-bot.yml", "deadline: 1\n")
    repo.write("one.py", "def f():\n    pass\n")
    holes, stderr = report_of(repo, "-vv", FIM_BOT_TIME_SCALE="1", **model_env)
    assert [h["reason"] for h in holes] == ["deadline (--deadline 1 s)"]
    assert "wait 30.000s: retry 1 after HTTP 503" in stderr
    assert len(codestral.requests) == 1


def test_github_mode_reports_the_deadline_like_a_model_failure(
    run: Run, github: FakeGitHub, codestral: FakeCodestral
) -> None:
    """On a pull request the hole unfinished at the deadline is failed in the summary, the
    other posted, exit 0."""
    open_pull(github, {"mod.py": (None, stubs(["alpha", "beta"]))})
    codestral.hang()
    proc = run("--deadline", "1")
    assert proc.returncode == 0, proc.stderr
    assert "failed: deadline (--deadline 1 s)" in run.summary.read_text()
    assert run.outputs() == {"holes": "2", "suggested": "1", "failed": "1"}


def test_both_hooks_pass_at_the_deadline(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """A hung server: `show` and `apply` each stop at the deadline, say why and pass, and
    nothing is written."""
    todo = "def add(a, b):\n    pass\n"
    repo.write("calc.py", todo)
    repo.git("add", "calc.py")
    codestral.hang(times=2)
    for action in ("show", "apply"):
        proc = hook(repo, action, FIM_BOT_DEADLINE="1", **model_env)
        assert proc.returncode == 0, proc.stderr
        assert "calc.py:2: failed: deadline (--deadline 1 s)" in proc.stdout
    assert repo.read("calc.py") == todo


def test_the_hooks_give_the_model_ten_seconds_by_default(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """Nothing set, the hooks' run ends within ten seconds (not the five minutes of a hung
    server's timeouts and retries), as `-v` says; a variable or the file may change it. The
    deadline itself is tested above with limits of a second or two."""
    codestral.respond("    return a + b\n")
    for env, said in (({}, "10"), ({"FIM_BOT_DEADLINE": "1.5"}, "1.5")):
        repo.write(f"calc{said}.py", "def add(a, b):\n    pass\n")  # not in the hooks' cache
        repo.git("add", "-A")
        proc = subprocess.run(
            [HOOK, "show", "-v"],
            cwd=repo.path,
            env={**repo.env, **model_env, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        assert f"fim-bot: holes unfinished {said} s into the run fail (--deadline)\n" in (
            proc.stderr
        )
        assert "+    return a + b" in proc.stdout
