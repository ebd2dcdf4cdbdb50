"""Tests of the Codestral fake itself: if these fail, client tests cannot be trusted."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from .codestral import DEFAULT_COMPLETION, FakeCodestral, estimate_tokens

KEY = "sk-fake-123"
AUTH = {"Authorization": f"Bearer {KEY}"}
BODY: dict[str, Any] = {"model": "codestral-latest", "prompt": "def f():\n", "suffix": "\n"}


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as client:
        yield client


@pytest.fixture
def fake() -> Iterator[FakeCodestral]:
    with FakeCodestral(api_key=KEY) as running:
        yield running
    assert running.errors == []


def post(
    http: httpx.Client,
    fake: FakeCodestral,
    body: Any = BODY,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 5.0,
) -> httpx.Response:
    return http.post(
        fake.fim_url, json=body, headers=AUTH if headers is None else headers, timeout=timeout
    )


def sse_data(lines: list[str]) -> list[str]:
    return [line.removeprefix("data: ") for line in lines if line.startswith("data: ")]


def read_lines_into(response: httpx.Response, lines: list[str]) -> None:
    for line in response.iter_lines():
        lines.append(line)


def validation_errors(response: httpx.Response, style: str) -> list[dict[str, Any]]:
    payload = response.json()
    if style == "mistral":
        assert payload["object"] == "error"
        assert payload["type"] == "invalid_request_error"
        assert payload["param"] is None
        assert payload["code"] is None
        errors = payload["message"]["detail"]
    else:
        assert set(payload) == {"detail"}
        errors = payload["detail"]
    assert isinstance(errors, list)
    return errors


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.005)


# ------------------------------------------------------------------------ basics


def test_base_url_is_loopback_v1(fake: FakeCodestral) -> None:
    """base_url is http://127.0.0.1:PORT/v1 and the FIM route hangs off it."""
    assert fake.base_url == f"http://127.0.0.1:{fake.port}/v1"
    assert fake.fim_url == f"{fake.base_url}/fim/completions"
    assert fake.port > 0


def test_not_started_has_no_url() -> None:
    """Asking an unstarted fake for its URL is an error, and stop() is harmless."""
    idle = FakeCodestral()
    with pytest.raises(RuntimeError):
        _ = idle.base_url
    idle.stop()


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}, {"Authorization": "Bearer"}],
    ids=["missing", "wrong-key", "no-scheme", "no-token"],
)
def test_bad_auth_is_401(http: httpx.Client, fake: FakeCodestral, headers: dict[str, str]) -> None:
    """Missing or wrong bearer tokens get 401 with Mistral's message/request_id body."""
    response = post(http, fake, headers=headers)
    assert response.status_code == 401
    payload = response.json()
    assert payload["message"] == "Unauthorized"
    assert isinstance(payload["request_id"], str)
    assert payload["request_id"]
    assert len(fake.requests) == 1


def test_auth_is_checked_before_validation(http: httpx.Client, fake: FakeCodestral) -> None:
    """An invalid body with a wrong key still gets 401, like the real gateway."""
    response = post(http, fake, {"nonsense": 1}, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_unknown_path_is_404(http: httpx.Client, fake: FakeCodestral) -> None:
    """Only /v1/fim/completions exists; other paths answer 404 JSON."""
    response = http.post(f"{fake.base_url}/chat/completions", json=BODY, headers=AUTH)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_wrong_method_is_405(http: httpx.Client, fake: FakeCodestral) -> None:
    """GET on the FIM route answers 405 and names POST as allowed."""
    response = http.get(fake.fim_url, headers=AUTH)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


# -------------------------------------------------------------------- validation


@pytest.mark.parametrize("style", ["detail", "mistral"])
def test_unknown_field_is_422(http: httpx.Client, fake: FakeCodestral, style: str) -> None:
    """An unknown field is rejected with extra_forbidden in the chosen error style."""
    fake.error_style = style  # type: ignore[assignment]
    response = post(http, fake, {**BODY, "foo": 3})
    assert response.status_code == 422
    assert validation_errors(response, style) == [
        {
            "type": "extra_forbidden",
            "loc": ["body", "foo"],
            "msg": "Extra inputs are not permitted",
            "input": 3,
        }
    ]


@pytest.mark.parametrize("style", ["detail", "mistral"])
@pytest.mark.parametrize(
    ("field", "value", "error_type"),
    [
        ("max_tokens", True, "int_type"),
        ("max_tokens", "64", "int_type"),
        ("min_tokens", 1.5, "int_type"),
        ("random_seed", False, "int_type"),
        ("temperature", "hot", "float_type"),
        ("temperature", True, "float_type"),
        ("top_p", None, "float_type"),
        ("stream", 1, "bool_type"),
        ("stream", "true", "bool_type"),
        ("prompt", None, "string_type"),
        ("model", 7, "string_type"),
        ("suffix", ["x"], "string_type"),
        ("metadata", "tag", "dict_type"),
    ],
)
def test_wrong_type_is_422(
    http: httpx.Client, fake: FakeCodestral, style: str, field: str, value: Any, error_type: str
) -> None:
    """Wrong JSON types (including bool for int and int for bool) are rejected."""
    fake.error_style = style  # type: ignore[assignment]
    response = post(http, fake, {**BODY, field: value})
    assert response.status_code == 422
    errors = validation_errors(response, style)
    assert [(e["type"], e["loc"], e["input"]) for e in errors] == [
        (error_type, ["body", field], value)
    ]


@pytest.mark.parametrize("stop", [3, [1], ["ok", None], {"a": "b"}])
def test_bad_stop_is_422(http: httpx.Client, fake: FakeCodestral, stop: Any) -> None:
    """stop must be a string or a list of strings."""
    response = post(http, fake, {**BODY, "stop": stop})
    assert response.status_code == 422
    assert all(e["loc"][:2] == ["body", "stop"] for e in validation_errors(response, "detail"))


@pytest.mark.parametrize("missing", ["model", "prompt"])
def test_missing_required_field_is_422(
    http: httpx.Client, fake: FakeCodestral, missing: str
) -> None:
    """model and prompt are required."""
    body = {k: v for k, v in BODY.items() if k != missing}
    response = post(http, fake, body)
    assert response.status_code == 422
    errors = validation_errors(response, "detail")
    assert [(e["type"], e["loc"]) for e in errors] == [("missing", ["body", missing])]


@pytest.mark.parametrize("raw", [b"{not json", b"", b"[1, 2]"])
def test_unusable_body_is_422(http: httpx.Client, fake: FakeCodestral, raw: bytes) -> None:
    """Invalid JSON, an empty body and a non-object body are all 422."""
    response = http.post(
        fake.fim_url, content=raw, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert validation_errors(response, "detail")
    assert fake.requests[0].body == (None if raw != b"[1, 2]" else [1, 2])


def test_all_optional_fields_accepted(http: httpx.Client, fake: FakeCodestral) -> None:
    """Every documented field, with nulls where the schema allows them, is accepted."""
    body: dict[str, Any] = {
        "model": "codestral-latest",
        "prompt": "p",
        "suffix": None,
        "temperature": None,
        "top_p": 1,
        "max_tokens": None,
        "min_tokens": None,
        "stream": False,
        "stop": [],
        "random_seed": None,
        "metadata": None,
    }
    assert post(http, fake, body).status_code == 200
    body.update(suffix="s", temperature=0, top_p=0.9, max_tokens=64, min_tokens=0)
    body.update(stop="\n\n", random_seed=42, metadata={"k": "v"})
    assert post(http, fake, body).status_code == 200


# ----------------------------------------------------------------------- answers


def test_answer_shape(http: httpx.Client, fake: FakeCodestral) -> None:
    """A plain request gets Mistral's chat.completion shape with estimated usage."""
    response = post(http, fake)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    payload = response.json()
    assert set(payload) == {"id", "object", "model", "created", "choices", "usage"}
    assert payload["object"] == "chat.completion"
    assert payload["model"] == "codestral-latest"
    assert isinstance(payload["id"], str)
    assert isinstance(payload["created"], int)
    assert payload["choices"] == [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": DEFAULT_COMPLETION,
                "tool_calls": None,
                "prefix": False,
            },
            "finish_reason": "stop",
        }
    ]
    prompt_tokens = estimate_tokens(BODY["prompt"] + BODY["suffix"])
    completion_tokens = estimate_tokens(DEFAULT_COMPLETION)
    assert payload["usage"] == {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


@pytest.mark.parametrize(
    ("stop", "expected"),
    [
        ("\n", "a = 1"),
        (["zzz", "\n"], "a = 1"),
        (["b =", "\n"], "a = 1"),
        (["= 2", "a ="], ""),
        ("absent", "a = 1\nb = 2\n"),
    ],
)
def test_stop_cuts_at_first_occurrence(
    http: httpx.Client, fake: FakeCodestral, stop: Any, expected: str
) -> None:
    """The text is cut before the earliest occurrence of any stop string."""
    fake.respond("a = 1\nb = 2\n")
    payload = post(http, fake, {**BODY, "stop": stop}).json()
    assert payload["choices"][0]["message"]["content"] == expected
    assert payload["choices"][0]["finish_reason"] == "stop"


def test_max_tokens_truncates_with_length(http: httpx.Client, fake: FakeCodestral) -> None:
    """Text longer than max_tokens * 4 characters is cut and finishes with 'length'."""
    fake.respond("x" * 100)
    choice = post(http, fake, {**BODY, "max_tokens": 5}).json()["choices"][0]
    assert choice["message"]["content"] == "x" * 20
    assert choice["finish_reason"] == "length"
    choice = post(http, fake, {**BODY, "max_tokens": 25}).json()["choices"][0]
    assert choice["finish_reason"] == "stop"


def test_responder_gets_the_request_body(http: httpx.Client, fake: FakeCodestral) -> None:
    """The responder is called with the parsed body; mutating it does not touch the record."""
    seen: list[dict[str, Any]] = []

    def responder(body: dict[str, Any]) -> str:
        seen.append(dict(body))
        body["prompt"] = "mutated"
        return str(body["suffix"]).upper()

    fake.responder = responder
    payload = post(http, fake, {**BODY, "suffix": "tail"}).json()
    assert payload["choices"][0]["message"]["content"] == "TAIL"
    assert seen[0]["suffix"] == "tail"
    assert fake.requests[0].body["prompt"] == BODY["prompt"]


def test_respond_by_marker(http: httpx.Client, fake: FakeCodestral) -> None:
    """respond_by_marker picks the first key found in prompt + suffix, else the default."""
    fake.respond_by_marker({"ALPHA": "a\n", "BETA": "b\n"})

    def content(prompt: str, suffix: str | None) -> str:
        response = post(http, fake, {"model": "m", "prompt": prompt, "suffix": suffix})
        return str(response.json()["choices"][0]["message"]["content"])

    assert content("x ALPHA y", None) == "a\n"
    assert content("x", "BETA") == "b\n"
    assert content("BETA then ALPHA", "") == "a\n"
    assert content("nothing", "here") == DEFAULT_COMPLETION


def test_responder_exception_is_500_and_recorded(http: httpx.Client) -> None:
    """A crashing responder answers 500 and is listed in fake.errors."""
    with FakeCodestral(api_key=KEY) as fake:

        def responder(body: dict[str, Any]) -> str:
            raise KeyError("boom")

        fake.responder = responder
        assert post(http, fake).status_code == 500
        assert len(fake.errors) == 1
        assert isinstance(fake.errors[0], KeyError)


def test_streaming_events_end_with_done(http: httpx.Client, fake: FakeCodestral) -> None:
    """stream=true yields chunk events, a final event with usage, then [DONE]."""
    fake.respond("def g():\n    return 42\n")
    with http.stream(
        "POST", fake.fim_url, json={**BODY, "stream": True}, headers=AUTH, timeout=5.0
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        raw = response.read().decode()
    assert raw.endswith("data: [DONE]\n\n")
    data = sse_data(raw.split("\n"))
    assert data[-1] == "[DONE]"
    events = [json.loads(d) for d in data[:-1]]
    assert len(events) >= 3
    for event in events:
        assert event["object"] == "chat.completion.chunk"
        assert event["model"] == "codestral-latest"
        assert event["id"] == events[0]["id"]
        assert event["choices"][0]["index"] == 0
    assert all(e["choices"][0]["finish_reason"] is None for e in events[:-1])
    assert all("usage" not in e for e in events[:-1])
    last = events[-1]
    assert last["choices"][0]["finish_reason"] == "stop"
    assert last["usage"]["total_tokens"] == (
        last["usage"]["prompt_tokens"] + last["usage"]["completion_tokens"]
    )
    text = "".join(e["choices"][0]["delta"].get("content") or "" for e in events)
    assert text == "def g():\n    return 42\n"


def test_streaming_applies_stop_and_max_tokens(http: httpx.Client, fake: FakeCodestral) -> None:
    """Streamed text obeys stop and max_tokens, and the final event says 'length'."""
    fake.respond("abcdefghij\nrest")
    body = {**BODY, "stream": True, "stop": "\n", "max_tokens": 2}
    response = post(http, fake, body)
    events = [json.loads(d) for d in sse_data(response.text.split("\n"))[:-1]]
    assert "".join(e["choices"][0]["delta"]["content"] for e in events) == "abcdefgh"
    assert events[-1]["choices"][0]["finish_reason"] == "length"


# ------------------------------------------------------------------------ faults


def test_fail_429_with_retry_after(http: httpx.Client, fake: FakeCodestral) -> None:
    """fail(429, retry_after=...) answers once with the header, then normal answers resume."""
    fake.fail(429, retry_after="2")
    first = post(http, fake)
    assert first.status_code == 429
    assert first.headers["retry-after"] == "2"
    assert first.json() == {"message": "Requests rate limit exceeded"}
    assert post(http, fake).status_code == 200
    assert len(fake.requests) == 2
    assert fake.pending_faults == 0


def test_fail_429_without_retry_after(http: httpx.Client, fake: FakeCodestral) -> None:
    """Without retry_after no Retry-After header is sent."""
    fake.fail(429)
    response = post(http, fake)
    assert response.status_code == 429
    assert "retry-after" not in response.headers


def test_fail_is_fifo_and_counts_times(http: httpx.Client, fake: FakeCodestral) -> None:
    """Faults are consumed first-in first-out, one per request, before normal answers."""
    fake.fail(500, times=2)
    fake.fail(503, body="upstream down", content_type="text/plain")
    assert fake.pending_faults == 3
    statuses = [post(http, fake).status_code for _ in range(4)]
    assert statuses == [500, 500, 503, 200]
    assert len(fake.requests) == 4


def test_fail_custom_body_and_default_5xx_body(http: httpx.Client, fake: FakeCodestral) -> None:
    """A custom body/content type is sent verbatim; 5xx defaults to a JSON detail body."""
    fake.fail(503, body="<html>down</html>", content_type="text/html")
    fake.fail(502)
    custom = post(http, fake)
    assert custom.headers["content-type"] == "text/html"
    assert custom.text == "<html>down</html>"
    assert post(http, fake).json() == {"detail": "Bad Gateway"}


def test_fail_happens_before_auth_and_validation(http: httpx.Client, fake: FakeCodestral) -> None:
    """A scripted failure wins over a bad key or body, like an upstream gateway error."""
    fake.fail(503)
    assert post(http, fake, {"bad": 1}, headers={}).status_code == 503


def test_fault_arguments_are_checked(fake: FakeCodestral) -> None:
    """Nonsense statuses or counts are refused."""
    with pytest.raises(ValueError, match="HTTP status"):
        fake.fail(42)
    with pytest.raises(ValueError, match="times"):
        fake.hang(times=0)
    with pytest.raises(ValueError, match="times"):
        fake.cut_stream(times=0)


def test_hang_makes_client_time_out(http: httpx.Client, fake: FakeCodestral) -> None:
    """hang() never answers, so the client times out; the next request is served."""
    fake.hang()
    with pytest.raises(httpx.ReadTimeout):
        post(http, fake, timeout=0.5)
    assert fake.in_flight == 1
    assert post(http, fake).status_code == 200
    fake.release()
    wait_until(lambda: fake.in_flight == 0)
    assert len(fake.requests) == 2


def test_stop_releases_hanging_handlers(http: httpx.Client) -> None:
    """stop() returns promptly and disconnects a client stuck on a hung request."""
    outcome: list[BaseException | httpx.Response] = []
    fake = FakeCodestral(api_key=KEY).start()
    fake.hang()

    def call() -> None:
        try:
            outcome.append(post(http, fake, timeout=10.0))
        except httpx.HTTPError as exc:
            outcome.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    wait_until(lambda: fake.in_flight == 1)
    started = time.monotonic()
    fake.stop()
    caller.join(timeout=5.0)
    assert not caller.is_alive()
    assert time.monotonic() - started < 5.0
    assert isinstance(outcome[0], httpx.RemoteProtocolError)
    assert fake.in_flight == 0


def test_cut_stream_ends_without_done(http: httpx.Client, fake: FakeCodestral) -> None:
    """cut_stream() sends a chunk or two, then drops the connection with no [DONE]."""
    fake.respond("0123456789abcdefghij")
    fake.cut_stream()
    lines: list[str] = []
    with http.stream(
        "POST", fake.fim_url, json={**BODY, "stream": True}, headers=AUTH, timeout=5.0
    ) as response:
        assert response.status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            read_lines_into(response, lines)
    data = sse_data(lines)
    assert 1 <= len(data) <= 2
    assert "[DONE]" not in data
    assert all(json.loads(d)["choices"][0]["finish_reason"] is None for d in data)
    streamed = post(http, fake, {**BODY, "stream": True})
    assert streamed.text.endswith("data: [DONE]\n\n")


def test_cut_stream_on_plain_request_truncates_body(
    http: httpx.Client, fake: FakeCodestral
) -> None:
    """A cut non-streaming answer promises a Content-Length it never delivers."""
    fake.cut_stream()
    with pytest.raises(httpx.RemoteProtocolError):
        post(http, fake)
    assert post(http, fake).status_code == 200


def test_send_answers_exactly_the_bytes_given(http: httpx.Client, fake: FakeCodestral) -> None:
    """send() answers any body with any status, before the key is checked; then normal
    answers resume."""
    fake.send(
        '{"choices": [{"message": "\\ud800"}]}',
        status=201,
        content_type="text/plain",
        headers={"X-Odd": "yes"},
    )
    odd = post(http, fake, headers={})
    assert odd.status_code == 201
    assert odd.headers["content-type"] == "text/plain"
    assert odd.headers["x-odd"] == "yes"
    assert odd.content == b'{"choices": [{"message": "\\ud800"}]}'
    assert post(http, fake).json()["choices"][0]["message"]["content"] == DEFAULT_COMPLETION


def test_send_every_trickles_the_body(http: httpx.Client, fake: FakeCodestral) -> None:
    """send(every=...) sends one byte at a time: a ten-byte body takes nine pauses, and a
    per-read timeout longer than a pause never fires."""
    fake.send("0123456789", every=0.05)
    started = time.monotonic()
    response = post(http, fake, timeout=0.5)
    assert response.content == b"0123456789"
    assert time.monotonic() - started >= 0.45


def test_stream_sends_the_chunks_then_ends(http: httpx.Client, fake: FakeCodestral) -> None:
    """stream() writes each chunk as given, then ends the chunked body."""
    fake.stream(["data: {}\n\n", "data: [DONE]\n\n"], every=0.01)
    with http.stream("POST", fake.fim_url, json=BODY, headers=AUTH) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = list(response.iter_lines())
    assert sse_data(lines) == ["{}", "[DONE]"]


def test_endless_stream_goes_on_until_stopped(http: httpx.Client) -> None:
    """stream(endless=True) repeats its last chunk, never ending the body, until the fake is
    stopped; stopping it hangs up."""
    fake = FakeCodestral(api_key=KEY).start()
    fake.stream(["data: {}\n\n"], every=0.01, endless=True)
    events: list[str] = []
    with http.stream("POST", fake.fim_url, json=BODY, headers=AUTH) as response:
        lines = response.iter_lines()
        for line in lines:
            events += [line] if line else []
            if len(events) == 20:
                break
        fake.stop()
        with pytest.raises(httpx.RemoteProtocolError):
            for _ in lines:
                pass
    assert events == ["data: {}"] * 20
    assert fake.in_flight == 0


def test_raw_faults_check_their_arguments(fake: FakeCodestral) -> None:
    """An endless stream needs a pace, and counts must be positive."""
    with pytest.raises(ValueError, match="every"):
        fake.stream(["data: {}\n\n"], endless=True)
    with pytest.raises(ValueError, match="times"):
        fake.send("{}", times=0)


def test_latency_delays_answers(http: httpx.Client, fake: FakeCodestral) -> None:
    """latency is added before answering."""
    fake.latency = 0.05
    started = time.monotonic()
    assert post(http, fake).status_code == 200
    assert time.monotonic() - started >= 0.05


# ------------------------------------------------------------------- concurrency


def test_hold_until_in_flight_proves_concurrency(http: httpx.Client, fake: FakeCodestral) -> None:
    """With the gate armed for 4, four parallel requests are all in flight at once."""
    fake.hold_until_in_flight(4)
    assert fake.gate == 4
    statuses: list[int] = []
    lock = threading.Lock()

    def call() -> None:
        status = post(http, fake, timeout=15.0).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15.0)
    assert statuses == [200] * 4
    assert fake.max_in_flight == 4
    assert fake.in_flight == 0
    assert fake.gate is None


def test_sequential_requests_never_overlap(http: httpx.Client, fake: FakeCodestral) -> None:
    """Requests sent one after another leave max_in_flight at 1."""
    for _ in range(3):
        post(http, fake)
    assert fake.max_in_flight == 1


def test_gate_times_out_when_too_few_requests(http: httpx.Client, fake: FakeCodestral) -> None:
    """If n requests never arrive, held requests are answered after the timeout."""
    fake.hold_until_in_flight(3, timeout=0.1)
    assert post(http, fake).status_code == 200
    assert fake.max_in_flight == 1
    assert fake.gate is None


# --------------------------------------------------------------------- recording


def test_requests_are_recorded(http: httpx.Client, fake: FakeCodestral) -> None:
    """Each request is recorded with its path, lower-case headers, parsed body and time."""
    before = time.monotonic()
    post(http, fake, headers={**AUTH, "X-Trace": "abc"})
    http.post(fake.fim_url, content=b"garbage", headers=AUTH)
    first, second = fake.requests
    assert first.path == "/v1/fim/completions"
    assert first.method == "POST"
    assert first.headers["authorization"] == f"Bearer {KEY}"
    assert first.headers["x-trace"] == "abc"
    assert first.body == BODY
    assert second.body is None
    assert before <= first.time <= second.time
    fake.clear_requests()
    assert fake.requests == []
