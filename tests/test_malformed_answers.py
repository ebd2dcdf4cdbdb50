"""Answers, bodies and URLs the bot did not expect: each fails its own hole (or, for a bad
URL, the run) with one line; the other holes are filled, the report is written, nothing
crashes, in every mode. The real `bot` against the fake Codestral sending raw bytes on cue."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from bot import pipeline
from bot.clock import Clock
from bot.data import Changes, SourceFile
from bot.providers import ModelParams, Secret
from bot.providers.codestral import MistralFIM
from tests.conftest import TEST_KEY, Repo
from tests.fakes.codestral import FakeCodestral
from tests.fakes.github import FakeGitHub
from tests.pulls import Run, open_pull, stubs
from tests.test_precommit import hook

SOURCE = "".join(f"def f{i}():\n    pass\n\n\n" for i in range(3))
FILL = "    return 1\n"
DEEP = "[" * 200_000 + "]" * 200_000


def answer(message: Any) -> str:
    """A Mistral FIM answer whose `choices[0].message` is `message`."""
    return json.dumps({"choices": [{"index": 0, "message": message, "finish_reason": "stop"}]})


def event(delta: Any) -> str:
    """One server-sent event whose `choices[0].delta` is `delta`."""
    return "data: " + json.dumps({"choices": [{"index": 0, "delta": delta}]}) + "\n\n"


def fill_three(repo: Repo, model_env: dict[str, str], *args: str) -> tuple[dict[str, Any], str]:
    """Three stubs, one request at a time (so the first fault meets the first hole, f0):
    the report is written as JSON, with no traceback; its holes and stderr."""
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("three.py", SOURCE)
    repo.commit("three stubs")
    proc = repo.bot("run", "--format", "json", "--concurrency", "1", *args, **model_env)
    assert "Traceback" not in proc.stderr, proc.stderr
    report = json.loads(proc.stdout)
    assert proc.returncode == 1, proc.stderr
    return report, proc.stderr


def only_failure(report: dict[str, Any]) -> str:
    """The reason of f0, the one failed hole; the two others were filled."""
    holes = report["holes"]
    assert [h["status"] for h in holes] == ["failed", "suggested", "suggested"], holes
    assert [h["suggestion"] for h in holes[1:]] == [FILL, FILL]
    reason: str = holes[0]["reason"]
    assert reason
    assert "\n" not in reason
    return reason


@pytest.mark.parametrize(
    ("body", "times", "said"),
    [
        pytest.param(DEEP, 5, "nested more than", id="json-200000-deep"),
        pytest.param(answer("hello"), 1, "choices[0].message", id="message-a-string"),
        pytest.param(
            answer({"content": [{"type": "text", "text": {"value": "x"}}]}),
            1,
            "choices[0].message.content",
            id="content-a-list-of-objects",
        ),
        pytest.param(
            answer({"content": 7}), 1, "choices[0].message.content", id="content-a-number"
        ),
        pytest.param('{"choices": "x"}', 1, "choices is a string", id="choices-a-string"),
    ],
)
def test_a_malformed_answer_fails_its_hole_only(
    repo: Repo,
    codestral: FakeCodestral,
    model_env: dict[str, str],
    body: str,
    times: int,
    said: str,
) -> None:
    """An answer of a shape the API does not document fails its hole with one line saying
    what was wrong (unreadable JSON after the retries); the other holes are filled."""
    codestral.respond(FILL)
    codestral.send(body, times=times)
    report, _ = fill_three(repo, model_env)
    assert said in only_failure(report)
    assert len(codestral.requests) == 2 + times


@pytest.mark.parametrize(
    ("status", "body", "said"),
    [
        pytest.param(400, DEEP, "HTTP 400: [[[", id="400-json-200000-deep"),
        pytest.param(503, DEEP, "HTTP 503: [[[", id="503-json-200000-deep"),
        pytest.param(400, '{"message": "bad \\ud800 input"}', "bad \\ud800 input", id="surrogate"),
    ],
)
def test_a_malformed_error_body_fails_its_hole_with_one_line(
    repo: Repo,
    codestral: FakeCodestral,
    model_env: dict[str, str],
    status: int,
    body: str,
    said: str,
) -> None:
    """An error body nested too deep to parse is quoted as it came (cut short); one holding a
    lone surrogate is shown escaped; in plain-text output too."""
    codestral.respond(FILL)
    codestral.send(body, status=status, times=5 if status == 503 else 1)  # 503 is retried
    report, _ = fill_three(repo, model_env)
    reason = only_failure(report)
    assert said in reason
    assert len(reason) < 400
    text = repo.bot("run", "--concurrency", "1", **model_env)
    assert "Traceback" not in text.stderr
    assert text.returncode == 0  # the faults are spent: all three filled, shown as text


@pytest.mark.parametrize(
    ("chunks", "times", "said"),
    [
        pytest.param([event("x"), "data: [DONE]\n\n"], 1, "choices[0].delta", id="delta-a-string"),
        pytest.param(
            [event({"content": [{"text": ["x"]}]}), "data: [DONE]\n\n"],
            1,
            "choices[0].delta.content",
            id="content-a-list-of-objects",
        ),
        pytest.param(['data: {"choices": [7]}\n\n'], 1, "choices[0]", id="choice-a-number"),
        pytest.param([f"data: {DEEP}\n\n"], 5, "nested more than", id="chunk-200000-deep"),
    ],
)
def test_a_malformed_stream_fails_its_hole_only(
    repo: Repo,
    codestral: FakeCodestral,
    model_env: dict[str, str],
    chunks: list[str],
    times: int,
    said: str,
) -> None:
    """Streamed, an event of a shape the API does not document fails its hole with one line;
    the other holes are filled."""
    codestral.respond(FILL)
    codestral.stream(chunks, times=times)
    report, _ = fill_three(repo, model_env, "--stream")
    assert said in only_failure(report)


def test_a_stream_in_another_charset_is_read_as_utf8(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """Server-sent events are UTF-8 whatever the Content-Type says (the SSE standard): a
    declared Latin-1 does not turn "é" into "Ã©"."""
    codestral.respond(FILL)
    codestral.stream(
        [
            "data: "
            + json.dumps(
                {"choices": [{"delta": {"content": "    return 'é'\n"}}]}, ensure_ascii=False
            )
            + "\n\n",
            "data: [DONE]\n\n",
        ],
        content_type="text/event-stream; charset=iso-8859-1",
    )
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("three.py", SOURCE)
    repo.commit("three stubs")
    proc = repo.bot("run", "--format", "json", "--concurrency", "1", "--stream", **model_env)
    assert "Traceback" not in proc.stderr, proc.stderr
    holes = json.loads(proc.stdout)["holes"]
    assert [h["suggestion"] for h in holes] == ["    return 'é'\n", FILL, FILL]


def test_a_body_that_cannot_be_decompressed_fails_after_the_retries(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """A body that says it is gzip and is not is an unreadable answer, like one that is not
    JSON: asked again, and that hole fails with one line when it stays so."""
    codestral.respond(FILL)
    codestral.send(b"not gzip", headers={"Content-Encoding": "gzip"}, times=5)
    report, _ = fill_three(repo, model_env)
    assert "could not be decoded" in only_failure(report)


@pytest.mark.parametrize("name", ["run.sh", "init.lua"])
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_a_fill_with_a_lone_surrogate_is_refused(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str], name: str, stream: bool
) -> None:
    """A fill no UTF-8 file can hold (a lone surrogate, `\\ud800` in JSON) fails its hole;
    the plain-text report is written (it crashed writing it) and the other hole is filled."""
    comment = "--" if name.endswith(".lua") else "#"
    repo.git("checkout", "-q", "-b", "feature")
    repo.write(name, f"greet() {{\n  {comment} TODO: say hello\n}}\n")
    repo.write("also.py", "def f():\n    pass\n")
    repo.commit("two holes")
    # Sorted by path, also.py is asked first: answered well, then the other hole badly.
    for content in (FILL, "  echo \ud800\n"):
        if stream:
            codestral.stream([event({"content": content}), "data: [DONE]\n\n"])
        else:
            codestral.send(answer({"content": content}))
    args = ["--stream"] if stream else []
    proc = repo.bot("run", "--concurrency", "1", *args, **model_env)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 1
    assert "+    return 1\n" in proc.stdout
    assert f"{name}:2: failed: " in proc.stdout + proc.stderr
    assert "not UTF-8" in proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("args", "env"),
    [
        pytest.param(["--api-base", "http://127.0.0.1:99999/v1"], {}, id="port-out-of-range"),
        pytest.param(["--api-base", "http://[::1"], {}, id="unclosed-ipv6"),
        pytest.param([], {"CODESTRAL_API_BASE": "http://[::1/v1"}, id="unclosed-ipv6-variable"),
        pytest.param([], {"CODESTRAL_API_BASE": "http://host:port/v1"}, id="port-not-a-number"),
        pytest.param([], {"CODESTRAL_API_BASE": "http:///v1"}, id="no-host"),
    ],
)
def test_a_bad_api_base_stops_the_run_with_one_line(
    repo: Repo,
    codestral: FakeCodestral,
    model_env: dict[str, str],
    args: list[str],
    env: dict[str, str],
) -> None:
    """An API base no request can go to is a usage error: exit 2 and one line, nothing sent."""
    repo.write("three.py", SOURCE)
    proc = repo.bot("run", *args, **{**model_env, **env})
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith("fim-bot: error: API base ")
    assert codestral.requests == []


def test_the_show_hook_passes_a_malformed_answer(
    repo: Repo, codestral: FakeCodestral, model_env: dict[str, str]
) -> None:
    """The hook that never blocks a commit does not, for an answer it cannot read."""
    repo.write("calc.py", "def add(a, b):\n    pass\n")
    repo.git("add", "calc.py")
    codestral.send(answer("hello"))
    proc = hook(repo, "show", **model_env)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "calc.py:2: failed: " in proc.stdout + proc.stderr


def test_github_mode_writes_the_summary_after_a_malformed_answer(
    run: Run, github: FakeGitHub, codestral: FakeCodestral
) -> None:
    """On a pull request the other hole is posted and the step summary written, exit 0."""
    open_pull(github, {"mod.py": (None, stubs(["alpha", "beta"]))})
    codestral.send(answer("hello"))
    proc = run("--concurrency", "1")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    summary = run.summary.read_text()
    assert "failed: the answer is malformed: " in summary
    assert run.outputs() == {"holes": "2", "suggested": "1", "failed": "1"}


def test_an_unexpected_error_fails_its_hole_with_its_traceback_at_debug_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The last guard: an exception nobody foresaw (here from the HTTP transport) fails its
    own hole with one line, the traceback logged at debug level (-vv) only; the other holes
    are filled."""

    def transport(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content)["prompt"].endswith("def f1():\n"):
            raise LookupError("a transport that fell over")
        return httpx.Response(200, text=answer({"content": FILL}))

    provider = MistralFIM(
        base_url="https://codestral.invalid/v1",
        api_key=Secret(TEST_KEY),
        key_variable="CODESTRAL_API_KEY",
        params=ModelParams(),
        clock=Clock(0),
        transport=httpx.MockTransport(transport),
    )
    changes = Changes(
        files=(SourceFile(path="three.py", text=SOURCE, added=frozenset(range(1, 13))),),
        skipped=(),
    )
    with caplog.at_level(logging.DEBUG, logger="bot"):
        report = pipeline.run(changes, options=pipeline.Options(), provider=lambda: provider)
    assert [r.status for r in report.results] == ["suggested", "failed", "suggested"]
    assert report.results[1].reason == "unexpected error: LookupError: a transport that fell over"
    (logged,) = [r for r in caplog.records if r.exc_info]
    assert logged.levelno == logging.DEBUG
    assert logged.getMessage() == "three.py:6: unexpected error"
