"""Tests of the Ollama, llama.cpp and OpenAI-style fakes themselves: each refuses what its
real server's documentation does not allow, and answers in its real format."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from .fim_tokens import FAMILIES, split
from .llamacpp import FakeLlamaCpp
from .ollama import FakeOllama
from .openai_completions import FakeCompletions


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as client:
        yield client


def post(http: httpx.Client, url: str, body: Any, **headers: str) -> httpx.Response:
    return http.post(url, content=json.dumps(body), headers=headers)


OLLAMA = {"model": "qwen2.5-coder:7b", "prompt": "def f():\n", "suffix": "\n", "stream": False}


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({**OLLAMA, "temperature": 0}, 400, "ignored at the top level"),
        ({**OLLAMA, "num_predict": 5}, 400, "ignored at the top level"),
        ({**OLLAMA, "options": {"max_tokens": 5}}, 400, "no option"),
        ({**OLLAMA, "options": {"n_predict": 5}}, 400, "no option"),
        ({**OLLAMA, "options": {"num_predict": "5"}}, 400, "cannot unmarshal"),
        ({**OLLAMA, "model": "nope"}, 404, "model 'nope' not found"),
        ({**OLLAMA, "model": "llama3.2"}, 400, "does not support insert"),
        ({k: v for k, v in OLLAMA.items() if k != "model"}, 400, "model is required"),
    ],
    ids=[
        "top-temperature",
        "top-num-predict",
        "max-tokens",
        "unknown-option",
        "type",
        "unknown",
        "no-insert",
        "no-model",
    ],
)
def test_ollama_refuses_what_ollama_would_not_use(
    http: httpx.Client, body: dict[str, Any], status: int, error: str
) -> None:
    with FakeOllama() as fake:
        response = post(http, f"{fake.base_url}/api/generate", body)
    assert response.status_code == status
    assert error in response.json()["error"]


def test_ollama_streams_ndjson_by_default_and_counts_tokens(http: httpx.Client) -> None:
    """No `stream`: NDJSON lines with `response` pieces, the last `done: true` with counts."""
    with FakeOllama() as fake:
        fake.respond("    return 1\n\ndef g")
        body = {k: v for k, v in OLLAMA.items() if k != "stream"}
        body["options"] = {"stop": ["\ndef "]}
        response = post(http, f"{fake.base_url}/api/generate", body)
    assert response.headers["content-type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert "".join(line["response"] for line in lines) == "    return 1\n"
    assert [line["done"] for line in lines] == [False] * (len(lines) - 1) + [True]
    last = lines[-1]
    assert (last["done_reason"], last["eval_count"]) == ("stop", 4)
    assert last["prompt_eval_count"] > 0


LLAMA = {"input_prefix": "def f():\n", "input_suffix": "\n", "n_predict": 8}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({**LLAMA, "max_tokens": 8}, "no option"),
        ({**LLAMA, "input_extra": [{"path": "a.py", "text": "x"}]}, "input_extra"),
        ({**LLAMA, "input_extra": [{"filename": "a.py"}]}, "input_extra"),
        ({**LLAMA, "stop": "\n"}, "wrong type"),
        ({"input_suffix": "\n"}, '"input_prefix" is required'),
    ],
    ids=["unknown-option", "extra-key", "extra-no-text", "stop-string", "no-prefix"],
)
def test_llamacpp_refuses_what_the_readme_does_not_allow(
    http: httpx.Client, body: dict[str, Any], error: str
) -> None:
    with FakeLlamaCpp() as fake:
        response = post(http, f"{fake.base_url}/infill", body)
    assert response.status_code == 400
    assert error in response.json()["error"]["message"]


def test_llamacpp_streams_events_ending_with_stop(http: httpx.Client) -> None:
    """Events with `content` pieces; the last one `stop: true`, `stop_type`, token counts; no
    [DONE]."""
    with FakeLlamaCpp() as fake:
        fake.respond("    return 1\n")
        extra = [{"filename": "u.py", "text": "def g(): ..."}]
        response = post(
            http, f"{fake.base_url}/infill", {**LLAMA, "stream": True, "input_extra": extra}
        )
        asked = fake.requests[0].body
    assert asked["input_extra"] == extra
    events = [json.loads(e.removeprefix("data: ")) for e in response.text.split("\n\n") if e]
    assert "".join(e["content"] for e in events) == "    return 1\n"
    assert [e["stop"] for e in events] == [False] * (len(events) - 1) + [True]
    assert (events[-1]["stop_type"], events[-1]["tokens_predicted"]) == ("eos", 4)


def test_llamacpp_without_fim_tokens_is_501(http: httpx.Client) -> None:
    with FakeLlamaCpp() as fake:
        fake.fim_tokens = False
        response = post(http, f"{fake.base_url}/infill", LLAMA)
    assert response.status_code == 501
    assert response.json()["error"]["type"] == "not_supported_error"


OPENAI = {"model": "m", "prompt": "def f():\n", "suffix": "\n", "max_tokens": 8}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({**OPENAI, "stop": ["a", "b", "c", "d", "e"]}, "maximum length 4"),
        ({**OPENAI, "stream_options": {"include_usage": True}}, "only allowed when 'stream'"),
        ({**OPENAI, "n_predict": 3}, "Unrecognized request argument supplied: n_predict"),
        ({**OPENAI, "max_tokens": "8"}, "Invalid type for 'max_tokens'"),
        ({k: v for k, v in OPENAI.items() if k != "prompt"}, "Missing required parameter"),
    ],
    ids=["five-stops", "stream-options", "unknown", "type", "no-prompt"],
)
def test_openai_refuses_what_the_reference_does_not_allow(
    http: httpx.Client, body: dict[str, Any], error: str
) -> None:
    with FakeCompletions() as fake:
        response = post(http, f"{fake.base_url}/completions", body)
    assert response.status_code == 400
    assert error in response.json()["error"]["message"]


def test_openai_stream_sends_usage_last_then_done(http: httpx.Client) -> None:
    with FakeCompletions() as fake:
        fake.respond("    return 1\n")
        body = {**OPENAI, "stream": True, "stream_options": {"include_usage": True}}
        response = post(http, f"{fake.base_url}/completions", body)
    events = [e.removeprefix("data: ") for e in response.text.split("\n\n") if e]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert "".join(c["choices"][0]["text"] for c in chunks if c["choices"]) == "    return 1\n"
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["completion_tokens"] == 4


def test_template_mode_has_no_suffix_and_splits_the_family_prompt(http: httpx.Client) -> None:
    """Like vLLM: `suffix` refused; the raw prompt taken apart for the responder only."""
    asked: list[dict[str, Any]] = []
    with FakeCompletions(template="deepseek", max_stops=None) as fake:
        fake.responder = lambda body: asked.append(body) or "x"
        assert post(http, f"{fake.base_url}/completions", OPENAI).status_code == 400
        family = FAMILIES["deepseek"]
        raw = f"{family.start}def f():\n{family.between}\nreturn\n{family.end}"
        stops = [family.eos] * 6
        response = post(
            http, f"{fake.base_url}/completions", {"model": "m", "prompt": raw, "stop": stops}
        )
        wrong = post(http, f"{fake.base_url}/completions", {"model": "m", "prompt": "def f():"})
    assert response.status_code == 200
    assert (asked[0]["prompt"], asked[0]["suffix"]) == ("def f():\n", "\nreturn\n")
    assert wrong.status_code == 400


@pytest.mark.parametrize("family", list(FAMILIES))
def test_split_refuses_a_prompt_of_another_family(family: str) -> None:
    others = [f for f in FAMILIES if f != family]
    f = FAMILIES[others[0]]
    assert split(family, f"{f.start}a{f.between}b{f.end}") is None
