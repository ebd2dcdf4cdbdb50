"""Time bounds: `--timeout` bounds each request by wall time, the whole answer included. Each
test has a server that really trickles, and limits of a second or two."""

from __future__ import annotations

import json

from tests.conftest import Repo
from tests.fakes.codestral import FakeCodestral

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
