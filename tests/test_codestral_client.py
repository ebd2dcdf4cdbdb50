"""The Codestral/Mistral FIM client: the request it sends, how it reads answers, retries, secrets.

Precise response shapes go through `httpx.MockTransport`; real HTTP behaviour (SSE streams, cut
bodies, hangs, the server's validation of the exact body sent) goes through the loopback
`FakeCodestral`. Every wait goes through a `Clock` with scale 0, so nothing here really sleeps.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import socket
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from bot.clock import Clock
from bot.data import Completion, Prompt, Usage
from bot.errors import AuthError
from bot.providers import ModelError, ModelParams, Secret
from bot.providers.codestral import MistralFIM
from bot.providers.retry import RetryPolicy, retry_after
from tests.clocks import RecordingClock
from tests.fakes.codestral import ErrorStyle, FakeCodestral, estimate_tokens

KEY = "sk-unit-7f3a9c51e0d24b68"
KEY_VARIABLE = "CODESTRAL_API_KEY"
BASE = "https://codestral.example/v1"
PROMPT = Prompt(prefix="def add(a, b):\n", suffix="\n\nprint(add(1, 2))\n")
FILL = "    return a + b\n"


Reply = Callable[[httpx.Request], httpx.Response]


class Script:
    """A MockTransport handler: answers with the given replies in turn, the last one for ever."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        return reply(request)

    @property
    def bodies(self) -> list[Any]:
        return [json.loads(r.content) for r in self.requests]


def reply(status: int = 200, **kwargs: Any) -> Reply:
    """A fresh `httpx.Response` per request (a response's stream can be read only once)."""
    return lambda request: httpx.Response(status, **kwargs)


def answer(content: Any = FILL, **extra: Any) -> Reply:
    """A FIM answer as Mistral documents it (`FIMCompletionResponse`)."""
    payload = {
        "id": "cmpl-1",
        "object": "chat.completion",
        "model": "codestral-latest",
        "created": 1,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17},
    }
    payload.update(extra)
    return reply(200, json=payload)


def sse(*events: str) -> Reply:
    """A text/event-stream answer made of the given raw lines."""
    body = "".join(f"{e}\n\n" for e in events).encode()
    return reply(200, content=body, headers={"Content-Type": "text/event-stream"})


def chunk(content: str, finish: str | None = None, **extra: Any) -> str:
    data = {"choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish}]}
    data.update(extra)
    return "data: " + json.dumps(data)


def client(
    *,
    base_url: str = BASE,
    transport: httpx.AsyncBaseTransport | None = None,
    params: ModelParams | None = None,
    clock: Clock | None = None,
    retry: RetryPolicy | None = None,
    rng: random.Random | None = None,
    key: str = KEY,
) -> MistralFIM:
    return MistralFIM(
        base_url=base_url,
        api_key=Secret(key),
        key_variable=KEY_VARIABLE,
        params=params or ModelParams(),
        clock=clock or Clock(scale=0),
        retry=retry,
        transport=transport,
        rng=rng,
    )


def mocked(script: Script, **kwargs: Any) -> MistralFIM:
    return client(transport=httpx.MockTransport(script), **kwargs)


def complete(fim: MistralFIM, prompt: Prompt = PROMPT) -> Completion:
    """Run one `complete` call to the end, then close the client."""

    async def go() -> Completion:
        try:
            return await fim.complete(prompt)
        finally:
            await fim.aclose()

    return asyncio.run(go())


@pytest.fixture
def fake() -> Iterator[FakeCodestral]:
    with FakeCodestral(api_key=KEY) as running:
        running.respond(FILL)
        yield running
    assert running.errors == []


# --------------------------------------------------------------------------------- the request


def test_request_is_post_to_fim_completions_with_bearer_key() -> None:
    """One POST to {base}/fim/completions carrying `Authorization: Bearer <key>` and JSON."""
    script = Script(answer())
    complete(mocked(script, base_url=BASE + "/"))
    (request,) = script.requests
    assert request.method == "POST"
    assert str(request.url) == "https://codestral.example/v1/fim/completions"
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Accept"] == "application/json"


def test_body_without_optional_parameters_holds_only_the_required_fields() -> None:
    """Unset parameters are left out: the body is model, prompt, suffix and stream only."""
    script = Script(answer())
    complete(mocked(script, params=ModelParams(temperature=None, max_tokens=None)))
    assert script.bodies == [
        {
            "model": "codestral-latest",
            "prompt": PROMPT.prefix,
            "suffix": PROMPT.suffix,
            "stream": False,
        }
    ]


def test_body_sends_each_set_parameter_under_its_documented_name() -> None:
    """temperature, top_p, max_tokens, min_tokens, random_seed (from seed) and stop when set."""
    params = ModelParams(
        model="codestral-2405",
        temperature=0.2,
        top_p=0.9,
        max_tokens=64,
        min_tokens=1,
        seed=42,
        stop=("\n\n", "def "),
    )
    script = Script(answer())
    complete(mocked(script, params=params))
    assert script.bodies == [
        {
            "model": "codestral-2405",
            "prompt": PROMPT.prefix,
            "suffix": PROMPT.suffix,
            "stream": False,
            "temperature": 0.2,
            "top_p": 0.9,
            "max_tokens": 64,
            "min_tokens": 1,
            "random_seed": 42,
            "stop": ["\n\n", "def "],
        }
    ]


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("codestral-latest", "codestral-latest"),
        ("codestral-2405", "codestral-2405"),
        ("text-completion-codestral/codestral-2405", "codestral-2405"),
    ],
)
def test_model_names_are_sent_as_the_api_spells_them(given: str, sent: str) -> None:
    """LiteLLM's `text-completion-codestral/codestral-2405` goes out as `codestral-2405`."""
    script = Script(answer())
    complete(mocked(script, params=ModelParams(model=given)))
    assert script.bodies[0]["model"] == sent


@pytest.mark.parametrize("stream", [False, True])
def test_server_accepts_the_exact_body_with_every_parameter_set(
    fake: FakeCodestral, stream: bool
) -> None:
    """The real fake validates the body against Mistral's schema: no 422, no undocumented field."""
    params = ModelParams(
        model="text-completion-codestral/codestral-2405",
        temperature=0.7,
        top_p=0.95,
        max_tokens=100,
        min_tokens=2,
        seed=7,
        stop=("\nclass ",),
        stream=stream,
    )
    fim = client(base_url=fake.base_url, params=params)
    expected = fim.body(PROMPT)
    assert complete(fim).text == FILL
    (request,) = fake.requests
    assert request.body == expected
    assert request.headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("style", ["detail", "mistral"])
def test_validation_error_is_not_retried_and_names_the_field(
    fake: FakeCodestral, style: ErrorStyle
) -> None:
    """A 422 from the server's validation is a ModelError after one request, naming the field."""
    fake.error_style = style
    clock = RecordingClock()
    # bool passes for int in Python's typing, not in the API's schema.
    fim = client(base_url=fake.base_url, params=ModelParams(seed=True), clock=clock)
    with pytest.raises(ModelError) as caught:
        complete(fim)
    assert len(fake.requests) == 1
    assert clock.waits == []
    assert str(caught.value) == (
        "model API error HTTP 422: random_seed: Input should be a valid integer"
    )


# ---------------------------------------------------------------------------------- the answer


def test_answer_gives_text_finish_reason_and_usage() -> None:
    """`choices[0].message.content`, `finish_reason` and `usage` become the Completion."""
    completion = complete(mocked(Script(answer())))
    assert completion == Completion(
        text=FILL, finish_reason="stop", usage=Usage(prompt_tokens=12, completion_tokens=5)
    )


def test_content_as_a_list_of_text_chunks_is_joined() -> None:
    """Content given as [{"type": "text", "text": ...}, ...] is the texts joined in order."""
    content = [
        {"type": "text", "text": "    return "},
        {"type": "reference", "reference_ids": [1]},
        {"type": "text", "text": "a + b\n"},
    ]
    assert complete(mocked(Script(answer(content)))).text == FILL


@pytest.mark.parametrize(
    "usage",
    [None, {}, {"prompt_tokens": 3}, "n/a"],
    ids=["null", "empty", "partial", "not-an-object"],
)
def test_usage_missing_or_unusable_is_none(usage: Any) -> None:
    """A null, empty, partial or malformed `usage` gives `usage=None`, not an error."""
    assert complete(mocked(Script(answer(usage=usage)))).usage is None


def test_usage_absent_is_none() -> None:
    """An answer with no `usage` key at all gives `usage=None`."""
    payload = {"choices": [{"message": {"content": FILL}, "finish_reason": "length"}]}
    completion = complete(mocked(Script(reply(200, json=payload))))
    assert completion == Completion(text=FILL, finish_reason="length", usage=None)


@pytest.mark.parametrize("choices", [[], None, ["text"]], ids=["empty", "null", "not-objects"])
def test_no_choices_is_a_model_error_without_retry(choices: Any) -> None:
    """Empty or unusable `choices` is a ModelError after a single request."""
    script = Script(answer(choices=choices))
    clock = RecordingClock()
    with pytest.raises(ModelError, match="no choices"):
        complete(mocked(script, clock=clock))
    assert len(script.requests) == 1
    assert clock.waits == []


@pytest.mark.parametrize(
    "bad",
    [
        reply(200, content=b'{"choices": [', headers={"Content-Type": "application/json"}),
        reply(200, content=b"<html><body>Gateway says hi</body></html>"),
        reply(200, json=["not", "an", "object"]),
    ],
    ids=["truncated-json", "html", "json-array"],
)
def test_answer_that_is_not_a_json_object_is_retried(bad: Reply) -> None:
    """A 200 whose body is not a JSON object is retried; the next good answer is used."""
    script = Script(bad, answer())
    clock = RecordingClock()
    assert complete(mocked(script, clock=clock)).text == FILL
    assert len(script.requests) == 2
    assert len(clock.waits) == 1


def test_answer_never_json_fails_after_the_attempts_with_one_line() -> None:
    """When every answer is an HTML page, the ModelError says so on one line."""
    script = Script(reply(200, content=b"<!DOCTYPE html>\n<html>\n<p>oops</p>\n</html>\n"))
    with pytest.raises(ModelError) as caught:
        complete(mocked(script, retry=RetryPolicy(attempts=3)))
    assert len(script.requests) == 3
    assert str(caught.value) == "model API failed after retries: the answer was not JSON"


def test_real_answer_from_the_server(fake: FakeCodestral) -> None:
    """Over real HTTP, a plain answer gives the text, finish_reason and the server's usage."""
    completion = complete(client(base_url=fake.base_url))
    tokens = estimate_tokens(PROMPT.prefix + PROMPT.suffix)
    assert completion == Completion(
        text=FILL,
        finish_reason="stop",
        usage=Usage(prompt_tokens=tokens, completion_tokens=estimate_tokens(FILL)),
    )


def test_body_cut_short_is_retried(fake: FakeCodestral) -> None:
    """A JSON answer whose connection drops before Content-Length is reached is retried."""
    fake.cut_stream()
    clock = RecordingClock()
    assert complete(client(base_url=fake.base_url, clock=clock)).text == FILL
    assert len(fake.requests) == 2
    assert len(clock.waits) == 1
    assert "RemoteProtocolError" in clock.reasons[0]


# ---------------------------------------------------------------------------------- streaming


def test_stream_assembles_delta_content_until_done(fake: FakeCodestral) -> None:
    """SSE chunks' `choices[0].delta.content` are joined; finish_reason and usage come along."""
    fake.stream_chunk_chars = 3
    text = "    total = a + b\n    return total\n"
    fake.respond(text)
    completion = complete(client(base_url=fake.base_url, params=ModelParams(stream=True)))
    tokens = estimate_tokens(PROMPT.prefix + PROMPT.suffix)
    assert completion == Completion(
        text=text,
        finish_reason="stop",
        usage=Usage(prompt_tokens=tokens, completion_tokens=estimate_tokens(text)),
    )
    (request,) = fake.requests
    assert request.body["stream"] is True
    assert request.headers["accept"] == "text/event-stream"


def test_stream_skips_comments_and_other_fields_and_stops_at_done() -> None:
    """Comment, `event:` and `id:` lines are skipped; nothing after `data: [DONE]` is read."""
    script = Script(
        sse(
            ": keep-alive",
            "event: message\nid: 1\n" + chunk("    return "),
            chunk("a + b\n"),
            chunk("", "stop", usage={"prompt_tokens": 9, "completion_tokens": 4}),
            "data: [DONE]",
            "data: this is not JSON and is never read",
        )
    )
    completion = complete(mocked(script, params=ModelParams(stream=True)))
    assert completion == Completion(
        text=FILL, finish_reason="stop", usage=Usage(prompt_tokens=9, completion_tokens=4)
    )


def test_stream_content_as_text_chunks_and_empty_choices() -> None:
    """Delta content given as text chunks is joined; a usage-only event with no choices is fine."""
    script = Script(
        sse(
            "data: "
            + json.dumps(
                {"choices": [{"delta": {"content": [{"type": "text", "text": "    return 1\n"}]}}]}
            ),
            'data: {"choices": [], "usage": {"prompt_tokens": 2, "completion_tokens": 1}}',
            "data: [DONE]",
        )
    )
    completion = complete(mocked(script, params=ModelParams(stream=True)))
    assert completion == Completion(
        text="    return 1\n", usage=Usage(prompt_tokens=2, completion_tokens=1)
    )


def test_stream_ending_without_done_is_retried() -> None:
    """A stream that closes cleanly but never sends `data: [DONE]` is tried again."""
    script = Script(
        sse(chunk("    return a")),
        sse(chunk(FILL, "stop"), "data: [DONE]"),
    )
    clock = RecordingClock()
    completion = complete(mocked(script, params=ModelParams(stream=True), clock=clock))
    assert completion.text == FILL
    assert len(script.requests) == 2
    assert clock.reasons == ["retry 1 after the stream ended before [DONE]"]


def test_stream_cut_before_done_is_retried(fake: FakeCodestral) -> None:
    """A real SSE stream whose connection drops before [DONE] is retried, and no text leaks in."""
    fake.stream_chunk_chars = 2
    fake.cut_stream()
    clock = RecordingClock()
    completion = complete(
        client(base_url=fake.base_url, params=ModelParams(stream=True), clock=clock)
    )
    assert completion.text == FILL
    assert len(fake.requests) == 2
    assert len(clock.waits) == 1


def test_stream_with_a_chunk_that_is_not_json_is_retried() -> None:
    """A garbled `data:` line in a stream is treated like a cut stream."""
    script = Script(sse("data: {oops"), sse(chunk(FILL), "data: [DONE]"))
    assert complete(mocked(script, params=ModelParams(stream=True))).text == FILL
    assert len(script.requests) == 2


def test_stream_rate_limit_is_retried_and_client_error_is_not(fake: FakeCodestral) -> None:
    """Streaming requests follow the same retry rules: 429 retried, then 400 not."""
    fake.fail(429)
    clock = RecordingClock()
    fim = client(base_url=fake.base_url, params=ModelParams(stream=True), clock=clock)
    assert complete(fim).text == FILL
    assert len(fake.requests) == 2

    fake.fail(400, body='{"message": "Prompt is too long"}')
    fim = client(base_url=fake.base_url, params=ModelParams(stream=True), clock=clock)
    with pytest.raises(ModelError, match="HTTP 400: Prompt is too long"):
        complete(fim)
    assert len(fake.requests) == 3
    assert len(clock.waits) == 1


# ----------------------------------------------------------------------------------- timeouts


@pytest.mark.parametrize("stream", [False, True])
def test_hung_request_times_out_and_is_retried(fake: FakeCodestral, stream: bool) -> None:
    """A server that never answers hits the timeout; the retry gets the answer."""
    fake.hang()
    clock = RecordingClock()
    fim = client(
        base_url=fake.base_url, params=ModelParams(timeout=0.2, stream=stream), clock=clock
    )
    assert complete(fim).text == FILL
    assert len(fake.requests) == 2
    assert clock.reasons[0] == "retry 1 after no whole answer within --timeout 0.2 s"


def test_hanging_every_time_gives_a_model_error_naming_the_timeout(fake: FakeCodestral) -> None:
    """When every attempt times out, the ModelError says it was a timeout."""
    fake.hang(times=2)
    fim = client(
        base_url=fake.base_url,
        params=ModelParams(timeout=0.1),
        retry=RetryPolicy(attempts=2),
    )
    with pytest.raises(ModelError, match=r"^model API failed after retries: no whole answer "):
        complete(fim)
    assert len(fake.requests) == 2


def test_connection_refused_is_retried_then_fails() -> None:
    """Nobody listening: each attempt is a ConnectError, retried until the attempts run out."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        clock = RecordingClock()
        fim = client(
            base_url=f"http://127.0.0.1:{port}/v1", clock=clock, retry=RetryPolicy(attempts=3)
        )
        with pytest.raises(ModelError, match="ConnectError"):
            complete(fim)
    assert len(clock.waits) == 2


def test_url_without_a_scheme_is_not_retried() -> None:
    """A base URL httpx cannot send to fails at once: retrying cannot fix it."""
    clock = RecordingClock()
    with pytest.raises(ModelError, match="UnsupportedProtocol"):
        complete(client(base_url="codestral.mistral.ai/v1", clock=clock))
    assert clock.waits == []


# ------------------------------------------------------------------------------------ retries


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_rate_limits_and_server_errors_are_retried(fake: FakeCodestral, status: int) -> None:
    """429 and 5xx answers are tried again; the next answer is used."""
    fake.fail(status, times=2)
    clock = RecordingClock()
    assert complete(client(base_url=fake.base_url, clock=clock)).text == FILL
    assert len(fake.requests) == 3
    assert len(clock.waits) == 2


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (400, '{"message": "Prompt contains too many tokens"}', "Prompt contains too many tokens"),
        (403, '{"message": "Forbidden for this plan"}', "Forbidden for this plan"),
        (404, '{"detail": "Not Found"}', "Not Found"),
        (422, '{"detail": [{"loc": ["body", "suffix"], "msg": "bad"}]}', "suffix: bad"),
    ],
)
def test_other_client_errors_are_not_retried(
    fake: FakeCodestral, status: int, body: str, message: str
) -> None:
    """Any other 4xx is one request and a ModelError carrying the server's message."""
    fake.fail(status, body=body)
    clock = RecordingClock()
    with pytest.raises(ModelError) as caught:
        complete(client(base_url=fake.base_url, clock=clock))
    assert str(caught.value) == f"model API error HTTP {status}: {message}"
    assert len(fake.requests) == 1
    assert clock.waits == []


def test_retry_after_seconds_are_waited_exactly(fake: FakeCodestral) -> None:
    """`Retry-After: <seconds>` is the wait, whatever the back-off would have been."""
    fake.fail(429, retry_after="7")
    fake.fail(503, retry_after="0")
    fake.fail(503, retry_after="2.5")
    clock = RecordingClock()
    assert complete(client(base_url=fake.base_url, clock=clock)).text == FILL
    assert clock.waits == [7.0, 0.0, 2.5]


def test_retry_after_http_date_is_waited_until(fake: FakeCodestral) -> None:
    """`Retry-After: <HTTP-date>` waits until that moment (dates have whole seconds)."""
    when = datetime.now(timezone.utc) + timedelta(seconds=30)
    fake.fail(429, retry_after=format_datetime(when, usegmt=True))
    clock = RecordingClock()
    assert complete(client(base_url=fake.base_url, clock=clock)).text == FILL
    (wait,) = clock.waits
    assert 28.5 < wait <= 30.0


def test_retry_after_in_the_past_means_no_wait(fake: FakeCodestral) -> None:
    """A `Retry-After` date already gone is a wait of zero, not a negative one."""
    fake.fail(503, retry_after="Wed, 21 Oct 2015 07:28:00 GMT")
    clock = RecordingClock()
    assert complete(client(base_url=fake.base_url, clock=clock)).text == FILL
    assert clock.waits == [0.0]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 3 ", 3.0),
        ("-5", 0.0),
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
        ("Wednesday, 21-Oct-15 07:29:00 GMT", 60.0),
        ("Wed Oct 21 07:28:10 2015", 10.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_retry_after_parses_seconds_and_http_dates_exactly(
    value: str | None, seconds: float | None
) -> None:
    """All three HTTP-date forms and delay-seconds; nonsense (even `nan`) is no value."""
    now = datetime(2015, 10, 21, 7, 28, 0, tzinfo=timezone.utc)
    assert retry_after(value, now=now) == seconds


@pytest.mark.parametrize("value", ["soon", "nan", "-inf"])
def test_unusable_retry_after_falls_back_to_backoff(fake: FakeCodestral, value: str) -> None:
    """A `Retry-After` that is no number of seconds and no date gets the usual back-off."""
    fake.fail(503, retry_after=value)
    clock = RecordingClock()
    assert complete(client(base_url=fake.base_url, clock=clock)).text == FILL
    (wait,) = clock.waits
    assert 0.5 <= wait <= 1.0


def test_backoff_doubles_with_jitter_within_bounds(fake: FakeCodestral) -> None:
    """Without Retry-After, wait n lies in [0.5, 1] x base x 2^n."""
    fake.fail(503, times=5)
    clock = RecordingClock()
    retry = RetryPolicy(attempts=6, base=0.5, cap=100.0, budget=100.0)
    assert complete(client(base_url=fake.base_url, clock=clock, retry=retry)).text == FILL
    assert len(clock.waits) == 5
    for n, wait in enumerate(clock.waits):
        full = 0.5 * 2**n
        assert 0.5 * full <= wait <= full, (n, wait)


def test_backoff_is_capped(fake: FakeCodestral) -> None:
    """Once base x 2^n passes the cap, waits lie in [0.5, 1] x cap."""
    fake.fail(500, times=6)
    clock = RecordingClock()
    retry = RetryPolicy(attempts=7, base=1.0, cap=3.0, budget=100.0)
    assert complete(client(base_url=fake.base_url, clock=clock, retry=retry)).text == FILL
    for n, wait in enumerate(clock.waits):
        full = min(3.0, 2.0**n)
        assert 0.5 * full <= wait <= full, (n, wait)
    assert max(clock.waits) <= 3.0
    assert min(clock.waits[2:]) >= 1.5


def test_backoff_jitter_spans_its_range() -> None:
    """The jitter factor really varies over [0.5, 1]: clients do not retry in step."""
    policy = RetryPolicy(base=2.0, cap=100.0)
    rng = random.Random(0)
    waits = [policy.backoff(1, rng) for _ in range(500)]
    assert min(waits) >= 2.0
    assert max(waits) <= 4.0
    assert min(waits) < 2.1
    assert max(waits) > 3.9


def schedule(fake: FakeCodestral, seed: int) -> list[float]:
    fake.fail(503, times=4)
    clock = RecordingClock()
    complete(client(base_url=fake.base_url, clock=clock, rng=random.Random(seed)))
    return clock.waits


def test_seeded_rng_gives_a_reproducible_schedule(fake: FakeCodestral) -> None:
    """With a seeded `random.Random` as `rng`, the same seed gives the same wait schedule."""
    first = schedule(fake, 1234)
    again = schedule(fake, 1234)
    other = schedule(fake, 99)
    expected_rng = random.Random(1234)
    expected = [RetryPolicy().backoff(n, expected_rng) for n in range(4)]
    assert first == again == expected
    assert other != first


def test_budget_stops_retrying_before_a_wait_would_pass_it(fake: FakeCodestral) -> None:
    """Waits of one request stay within the budget: the wait that would pass it is not taken."""
    fake.fail(429, retry_after="3", times=10)
    clock = RecordingClock()
    retry = RetryPolicy(attempts=10, budget=7.0)
    with pytest.raises(ModelError) as caught:
        complete(client(base_url=fake.base_url, clock=clock, retry=retry))
    assert clock.waits == [3.0, 3.0]
    assert len(fake.requests) == 3
    assert str(caught.value) == (
        "model API failed after retries: HTTP 429: Requests rate limit exceeded "
        "(a wait of 3s would pass the 7s retry budget)"
    )


def test_retry_after_longer_than_the_budget_is_not_waited(fake: FakeCodestral) -> None:
    """A server asking for a wait beyond the whole budget gets no retry at all."""
    fake.fail(503, retry_after="3600")
    clock = RecordingClock()
    with pytest.raises(ModelError, match="3600s would pass the 120s retry budget"):
        complete(client(base_url=fake.base_url, clock=clock))
    assert clock.waits == []
    assert len(fake.requests) == 1


def test_attempts_cap_the_number_of_requests(fake: FakeCodestral) -> None:
    """`attempts` requests at most; the error keeps the last failure's message."""
    fake.fail(500, times=10)
    clock = RecordingClock()
    with pytest.raises(ModelError) as caught:
        complete(client(base_url=fake.base_url, clock=clock, retry=RetryPolicy(attempts=3)))
    assert len(fake.requests) == 3
    assert len(clock.waits) == 2
    assert str(caught.value) == "model API failed after retries: HTTP 500: Internal Server Error"


def test_default_policy_is_five_attempts(fake: FakeCodestral) -> None:
    """With the default policy a request is sent five times before giving up."""
    fake.fail(502, times=10)
    with pytest.raises(ModelError):
        complete(client(base_url=fake.base_url))
    assert len(fake.requests) == 5


def test_clock_logs_the_schedule_at_debug_level(
    fake: FakeCodestral, caplog: pytest.LogCaptureFixture
) -> None:
    """Each wait is one `bot.clock` debug record `wait <seconds>s: <why>`, in order."""
    fake.fail(429, retry_after="2")
    fake.fail(503, retry_after="5")
    caplog.set_level(logging.DEBUG, logger="bot.clock")
    complete(client(base_url=fake.base_url, clock=Clock(scale=0)))
    records = [r for r in caplog.records if r.name == "bot.clock"]
    assert [r.levelno for r in records] == [logging.DEBUG, logging.DEBUG]
    assert [r.getMessage() for r in records] == [
        "wait 2.000s: retry 1 after HTTP 429: Requests rate limit exceeded",
        "wait 5.000s: retry 2 after HTTP 503: Service Unavailable",
    ]


def test_clock_with_scale_zero_never_sleeps(fake: FakeCodestral) -> None:
    """Clock(scale=0) logs long waits but returns at once: retries cost no real time."""
    fake.fail(429, retry_after="50", times=2)
    started = time.monotonic()
    complete(client(base_url=fake.base_url, clock=Clock(scale=0)))
    asyncio.run(Clock(scale=0).sleep(3600, why="an hour"))
    assert time.monotonic() - started < 5


# ---------------------------------------------------------------------------- authentication


@pytest.mark.parametrize("stream", [False, True])
def test_rejected_key_raises_auth_error_naming_the_variable(stream: bool) -> None:
    """A 401 is an AuthError at once: it names the key variable, never the key."""
    with FakeCodestral(api_key="the-right-key") as fake:
        clock = RecordingClock()
        fim = client(base_url=fake.base_url, params=ModelParams(stream=stream), clock=clock)
        with pytest.raises(AuthError) as caught:
            complete(fim)
        assert len(fake.requests) == 1
    message = str(caught.value)
    assert KEY_VARIABLE in message
    assert "HTTP 401: Unauthorized" in message
    assert KEY not in message
    assert caught.value.message == message
    assert clock.waits == []


def test_key_echoed_by_the_server_is_kept_out_of_errors_and_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A server that repeats the key in its error body does not get it into our messages."""
    caplog.set_level(logging.DEBUG)
    echo = {"message": f"Invalid API key provided: {KEY}"}
    for status, error in [(401, AuthError), (400, ModelError), (503, ModelError)]:
        script = Script(reply(status, json=echo))
        with pytest.raises(error) as caught:
            complete(mocked(script, retry=RetryPolicy(attempts=2)))
        assert KEY not in str(caught.value)
        assert "Invalid API key provided" in str(caught.value)
    assert KEY not in caplog.text


def test_key_with_surrounding_whitespace_is_trimmed(fake: FakeCodestral) -> None:
    """A key read with a trailing newline (a pasted secret, a file) still works."""
    assert complete(client(base_url=fake.base_url, key=f" {KEY}\r\n")).text == FILL
    assert fake.requests[0].headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize(
    "broken",
    [KEY[:8] + "\n" + KEY[8:], KEY[:8] + " " + KEY[8:], KEY[:8] + "\u00fc" + KEY[8:], " \n"],
    ids=["line-break", "space", "non-ascii", "blank"],
)
def test_key_that_cannot_be_sent_is_an_auth_error_without_the_key(
    fake: FakeCodestral, caplog: pytest.LogCaptureFixture, broken: str
) -> None:
    """A key a header cannot carry is an AuthError naming the variable; nothing is sent."""
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthError) as caught:
        complete(client(base_url=fake.base_url, key=broken))
    assert str(caught.value).startswith(f"{KEY_VARIABLE} is not a usable API key")
    assert KEY[:8] not in str(caught.value)
    assert KEY[8:] not in str(caught.value)
    assert fake.requests == []
    assert KEY[8:] not in caplog.text


# ------------------------------------------------------------------------------- error bodies


HTML_PAGE = (
    "<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title></head>\n"
    "<body>\n<center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx</center>\n"
    "</body>\n</html>\n"
)


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ('{"message": "Invalid model: codestral-9999"}', None, "Invalid model: codestral-9999"),
        (
            '{"object": "error", "type": "invalid_request_error", "param": null, "code": null,'
            ' "message": {"detail": [{"type": "extra_forbidden", "loc": ["body", "metadata2"],'
            ' "msg": "Extra inputs are not permitted", "input": 1}]}}',
            None,
            "metadata2: Extra inputs are not permitted",
        ),
        (
            '{"detail": [{"loc": ["body", "max_tokens"], "msg": "Input should be a valid integer"},'
            ' {"loc": ["body"], "msg": "Field required"}]}',
            None,
            "max_tokens: Input should be a valid integer; Field required",
        ),
        ('{"detail": "Method Not Allowed"}', None, "Method Not Allowed"),
        ('{"error": {"message": "quota exceeded", "type": "billing"}}', None, "quota exceeded"),
        (
            '{"message": "first line\\n  second\\tline"}',
            None,
            "first line second line",
        ),
        (
            '{"detail": [{"loc": ["body", "stop"], "msg": "Value error,\\nbad stop"}]}',
            None,
            "stop: Value error, bad stop",
        ),
        (
            "upstream connect error\nor disconnect/reset before headers",
            "text/plain",
            "upstream connect error or disconnect/reset before headers",
        ),
        (HTML_PAGE, "text/html", "an HTML error page"),
        ("", "text/plain", "no details"),
        ("[1, 2]", None, "[1, 2]"),
    ],
    ids=[
        "message-string",
        "message-object-with-detail",
        "fastapi-detail-list",
        "detail-string",
        "error-object",
        "message-with-newlines",
        "msg-with-newline",
        "plain-text",
        "html",
        "empty",
        "json-not-an-object",
    ],
)
def test_error_bodies_become_one_line(body: str, content_type: str | None, message: str) -> None:
    """Whatever the error body's shape, the ModelError carries one readable line from it."""
    headers = {"Content-Type": content_type or "application/json"}
    script = Script(reply(400, content=body.encode(), headers=headers))
    with pytest.raises(ModelError) as caught:
        complete(mocked(script))
    assert str(caught.value) == f"model API error HTTP 400: {message}"


def test_long_error_body_is_shortened() -> None:
    """A huge error body does not turn into a huge error message."""
    script = Script(reply(400, content=("word " * 5000).encode()))
    with pytest.raises(ModelError) as caught:
        complete(mocked(script))
    assert len(str(caught.value)) < 400
    assert "\n" not in str(caught.value)


def test_error_body_in_a_retried_failure_is_one_line() -> None:
    """A 502 HTML page from a proxy, retried to the end, still gives a one-line error."""
    script = Script(reply(502, content=HTML_PAGE.encode(), headers={"Content-Type": "text/html"}))
    with pytest.raises(ModelError) as caught:
        complete(mocked(script, retry=RetryPolicy(attempts=2)))
    assert str(caught.value) == "model API failed after retries: HTTP 502: an HTML error page"


# -------------------------------------------------------------------------------- key hygiene


def test_key_is_not_in_reprs() -> None:
    """repr() and str() of the Secret and of the client never show the key."""
    secret = Secret(KEY)
    fim = client()
    try:
        shown = [repr(secret), str(secret), f"{secret}", f"{secret!r}", repr(fim), str(fim)]
        assert all(KEY not in s for s in shown), shown
        assert repr(secret) == "Secret('***')"
        assert secret.reveal() == KEY
    finally:
        asyncio.run(fim.aclose())


def test_key_is_not_in_debug_logs_of_bot_or_httpx(
    fake: FakeCodestral, caplog: pytest.LogCaptureFixture
) -> None:
    """With bot, httpx and httpcore all at DEBUG, no log line holds the key."""
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "bot", "bot.clock", "bot.model"):
        caplog.set_level(logging.DEBUG, logger=name)
    fake.fail(429)
    fake.cut_stream()
    assert complete(client(base_url=fake.base_url)).text == FILL
    assert complete(client(base_url=fake.base_url, params=ModelParams(stream=True))).text == FILL
    with FakeCodestral(api_key="another-key") as other, pytest.raises(AuthError) as caught:
        complete(client(base_url=other.base_url))
    assert KEY not in str(caught.value)
    assert any(r.name.startswith("httpcore") for r in caplog.records)
    assert any(r.name == "httpx" for r in caplog.records)
    assert any(r.name == "bot.clock" for r in caplog.records)
    assert KEY not in caplog.text
