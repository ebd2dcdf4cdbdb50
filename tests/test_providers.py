"""The providers beyond Codestral: each request as its server documents it, each answer read
back (streamed and not), each failure one clear line, the template renderings of every family,
and how settings choose a provider. Loopback fakes (tests/fakes/) and httpx.MockTransport."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.clock import Clock
from bot.data import Completion, Prompt, Snippet, Usage
from bot.errors import AuthError, BotError
from bot.providers import PROVIDERS, ModelError, ModelParams, ModelUnusable, Secret
from bot.providers.http import HTTPProvider
from bot.providers.llamacpp import LlamaCpp, split_context
from bot.providers.ollama import Ollama
from bot.providers.openai import OpenAICompletions, TemplateCompletions
from bot.providers.templates import TEMPLATES, for_model
from bot.settings import Settings, resolve
from tests.clocks import RecordingClock
from tests.conftest import TEST_KEY
from tests.fakes import fim_tokens
from tests.fakes.llamacpp import FakeLlamaCpp
from tests.fakes.ollama import FakeOllama
from tests.fakes.openai_completions import FakeCompletions
from tests.fakes.wire import WireFake

FILL = "    return a + b\n"
PROMPT = Prompt(prefix="def add(a, b):\n", suffix="\n\nprint(add(1, 2))\n", stop=("\ndef ",))
CONTEXT = Prompt(
    prefix="# Path: util.py\ndef mul(a, b):\n    '''Product.'''\n\n\n"
    "# Path: app.py\nfrom util import mul\n\ndef area(w, h):\n",
    suffix="\n",
    context=(Snippet(path="util.py", text="def mul(a, b):\n    '''Product.'''\n"),),
)


def client(
    kind: type[HTTPProvider],
    base_url: str,
    *,
    key: str = "",
    required: bool = False,
    clock: Clock | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    **params: Any,
) -> HTTPProvider:
    extra: dict[str, Any] = {}
    if kind is TemplateCompletions:
        extra["template"] = TEMPLATES[params.pop("template", "qwen")]
    return kind(
        base_url=base_url,
        api_key=Secret(key),
        key_variable="THE_KEY",
        params=ModelParams(**params),
        clock=clock or Clock(scale=0),
        transport=transport,
        key_required=required,
        **extra,
    )


def complete(provider: HTTPProvider, prompt: Prompt = PROMPT) -> Completion:
    async def go() -> Completion:
        try:
            return await provider.complete(prompt)
        finally:
            await provider.aclose()

    return asyncio.run(go())


def mocked(
    kind: type[HTTPProvider], handler: Callable[[httpx.Request], httpx.Response], **kw: Any
) -> HTTPProvider:
    return client(kind, "http://server.test", transport=httpx.MockTransport(handler), **kw)


# One row per provider: its client, a running fake for it, and the model to ask for.
Fakes = dict[str, Callable[[], WireFake]]
FAKES: Fakes = {
    "ollama": FakeOllama,
    "llamacpp": FakeLlamaCpp,
    "openai": lambda: FakeCompletions(),
    "template": lambda: FakeCompletions(template="qwen", max_stops=None),
}
CLIENTS: dict[str, type[HTTPProvider]] = {
    "ollama": Ollama,
    "llamacpp": LlamaCpp,
    "openai": OpenAICompletions,
    "template": TemplateCompletions,
}
MODELS = {
    "ollama": "qwen2.5-coder:7b",
    "llamacpp": "",
    "openai": "m",
    "template": "Qwen/Qwen2.5-Coder-7B",
}


@pytest.fixture(params=list(FAKES))
def served(request: pytest.FixtureRequest) -> Iterator[tuple[str, WireFake]]:
    with FAKES[request.param]() as fake:
        fake.respond(FILL)
        yield request.param, fake
    assert fake.errors == []


# ----------------------------------------------------------------------- template renderings

RENDERINGS = {
    "starcoder": "<fim_prefix>def f():\n<fim_suffix>\nx = {1}\n<fim_middle>",
    "qwen": "<|fim_prefix|>def f():\n<|fim_suffix|>\nx = {1}\n<|fim_middle|>",
    "codellama": "<PRE> def f():\n <SUF>\nx = {1}\n <MID>",
    "deepseek": "<\uff5cfim\u2581begin\uff5c>def f():\n<\uff5cfim\u2581hole\uff5c>\nx = {1}\n"
    "<\uff5cfim\u2581end\uff5c>",
    "codestral": "[SUFFIX]\nx = {1}\n[PREFIX]def f():\n",
}


@pytest.mark.parametrize(("family", "expected"), list(RENDERINGS.items()), ids=list(RENDERINGS))
def test_each_family_renders_its_documented_fim_prompt(family: str, expected: str) -> None:
    """Prefix and suffix in the family's own tokens and order; braces in code stay as they are."""
    assert TEMPLATES[family].render("def f():\n", "\nx = {1}\n") == expected


@pytest.mark.parametrize("family", list(RENDERINGS))
def test_each_rendering_is_what_the_fake_takes_apart(family: str) -> None:
    """The fake's tokens (written from the model cards, not from bot/) split it back exactly,
    and the family's stop tokens hold its end-of-text token."""
    assert fim_tokens.split(family, RENDERINGS[family]) == ("def f():\n", "\nx = {1}\n")
    assert fim_tokens.FAMILIES[family].eos in TEMPLATES[family].stop


MODEL_NAMES = {
    "Qwen/Qwen2.5-Coder-7B": "qwen",
    "qwen2.5-coder:1.5b-base": "qwen",
    "bigcode/starcoder2-15b": "starcoder",
    "bigcode/santacoder": "starcoder",
    "codellama/CodeLlama-7b-hf": "codellama",
    "TheBloke/CodeLlama-13B-AWQ": "codellama",
    "deepseek-ai/deepseek-coder-6.7b-base": "deepseek",
    "mistralai/Codestral-22B-v0.1": "codestral",
    "meta-llama/Llama-3.1-8B": None,
    "deepseek-qwen-merge": None,  # two families: ambiguous
}


@pytest.mark.parametrize(("model", "family"), list(MODEL_NAMES.items()), ids=list(MODEL_NAMES))
def test_the_family_comes_from_the_model_name(model: str, family: str | None) -> None:
    """Qwen/Qwen2.5-Coder-7B -> qwen; a name that tells none, or two, tells nothing."""
    found = for_model(model)
    assert (found.name if found else None) == family


# ----------------------------------------------------------------------------- the requests


def test_ollama_sends_sampling_inside_options() -> None:
    """model, prompt, suffix, stream at the top; temperature, top_p, num_predict, stop, seed
    inside `options`, where Ollama reads them (at the top level it ignores them)."""
    provider = client(
        Ollama,
        "http://localhost:11434",
        model="qwen2.5-coder:7b",
        temperature=0.2,
        top_p=0.9,
        max_tokens=64,
        seed=7,
        stop=("\n\n\n",),
    )
    assert provider.body(PROMPT) == {
        "model": "qwen2.5-coder:7b",
        "prompt": PROMPT.prefix,
        "suffix": PROMPT.suffix,
        "stream": False,
        "options": {
            "temperature": 0.2,
            "top_p": 0.9,
            "num_predict": 64,
            "seed": 7,
            "stop": ["\n\n\n", "\ndef "],
        },
    }
    asyncio.run(provider.aclose())


def test_llamacpp_sends_the_snippets_as_input_extra() -> None:
    """input_prefix is the file's own prefix; each repo-context snippet is an input_extra chunk
    {filename, text}; n_predict, temperature, stop, seed; no model unless one is named."""
    provider = client(LlamaCpp, "http://localhost:8080", model="", max_tokens=32, seed=1)
    assert provider.body(CONTEXT) == {
        "input_prefix": "from util import mul\n\ndef area(w, h):\n",
        "input_suffix": "\n",
        "input_extra": [{"filename": "util.py", "text": "def mul(a, b):\n    '''Product.'''\n"}],
        "n_predict": 32,
        "temperature": 0.0,
        "seed": 1,
        "stream": False,
    }
    asyncio.run(provider.aclose())


def test_a_prefix_laid_out_otherwise_is_sent_whole() -> None:
    """When the snippets are not where the prompt stage puts them, nothing is split off, and
    nothing is sent twice."""
    odd = Prompt(prefix="def area(w, h):\n", suffix="\n", context=CONTEXT.context)
    assert split_context(odd) == ("def area(w, h):\n", [])
    assert split_context(PROMPT) == (PROMPT.prefix, [])


def test_openai_sends_prompt_and_suffix_and_at_most_four_stops() -> None:
    """OpenAI's completions: prompt + suffix, max_tokens, and at most 4 stop sequences (the
    user's first); stream_options.include_usage only when streaming."""
    prompt = Prompt(prefix="a", suffix="b", stop=("\ndef ", "\nclass ", "\n@", "\nasync def "))
    provider = client(OpenAICompletions, "https://api.example/v1", model="m", stop=("###",))
    assert provider.body(prompt) == {
        "model": "m",
        "prompt": "a",
        "suffix": "b",
        "max_tokens": 512,
        "temperature": 0.0,
        "stop": ["###", "\ndef ", "\nclass ", "\n@"],
        "stream": False,
    }
    streaming = client(OpenAICompletions, "https://api.example/v1", model="m", stream=True)
    assert streaming.body(prompt)["stream_options"] == {"include_usage": True}
    asyncio.run(provider.aclose())
    asyncio.run(streaming.aclose())


def test_template_sends_the_raw_prompt_without_suffix_and_stops_on_the_family() -> None:
    """No `suffix`: the prompt in the family's tokens, and the family's end tokens as stops."""
    provider = client(
        TemplateCompletions, "http://localhost:8000/v1", model="x", template="codellama"
    )
    body = provider.body(PROMPT)
    assert "suffix" not in body
    assert body["prompt"] == f"<PRE> {PROMPT.prefix} <SUF>{PROMPT.suffix} <MID>"
    assert body["stop"] == ["<EOT>", "</s>", "\ndef "]
    asyncio.run(provider.aclose())


# ------------------------------------------------------------------------------ the answers


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_each_fake_accepts_the_request_and_its_answer_is_read(
    served: tuple[str, WireFake], stream: bool
) -> None:
    """Against the loopback fake of its server: text, finish reason and token usage, streamed
    (NDJSON for Ollama, events ending `stop: true` for llama.cpp, `[DONE]` for the others) and
    not."""
    name, fake = served
    provider = client(CLIENTS[name], fake.base_url, model=MODELS[name], stream=stream)
    completion = complete(provider, CONTEXT)
    assert completion.text == FILL
    assert completion.finish_reason == "stop"
    assert completion.usage is not None
    assert completion.usage.completion_tokens > 0
    assert len(fake.requests) == 1


def test_max_tokens_reached_is_finish_reason_length(served: tuple[str, WireFake]) -> None:
    """Each server's way of saying it stopped at the limit reads as "length"."""
    name, fake = served
    fake.respond("x" * 100)
    completion = complete(client(CLIENTS[name], fake.base_url, model=MODELS[name], max_tokens=2))
    assert completion.finish_reason == "length"
    assert completion.text == "x" * 8


def test_a_cut_stream_is_retried(served: tuple[str, WireFake]) -> None:
    """A stream that drops before its last event is tried again, as Codestral's."""
    name, fake = served
    fake.cut_stream()
    clock = RecordingClock()
    provider = client(CLIENTS[name], fake.base_url, model=MODELS[name], stream=True, clock=clock)
    assert complete(provider).text == FILL
    assert len(fake.requests) == 2
    assert len(clock.waits) == 1


def test_rate_limits_wait_as_retry_after_says(served: tuple[str, WireFake]) -> None:
    """429 with Retry-After, then 503: waited out through the clock, then the answer."""
    name, fake = served
    fake.fail(429, retry_after="3")
    fake.fail(503)
    clock = RecordingClock()
    assert (
        complete(client(CLIENTS[name], fake.base_url, model=MODELS[name], clock=clock)).text == FILL
    )
    assert clock.waits[0] == 3.0
    assert len(clock.waits) == 2


def test_ollama_usage_without_prompt_count_is_still_read() -> None:
    """Ollama leaves prompt_eval_count out when the prompt came from its cache."""
    body = {"model": "m", "response": FILL, "done": True, "done_reason": "stop", "eval_count": 5}
    provider = mocked(Ollama, lambda request: httpx.Response(200, json=body))
    assert complete(provider).usage == Usage(prompt_tokens=0, completion_tokens=5)


def test_an_error_inside_a_stream_is_retried() -> None:
    """An error line after the 200 (Ollama's {"error": ...}) is retried like a server error."""
    answers = [
        b'{"response": "    ret", "done": false}\n{"error": "runner crashed"}\n',
        b'{"response": "' + FILL.encode().replace(b"\n", b"\\n") + b'", "done": false}\n'
        b'{"response": "", "done": true, "done_reason": "stop"}\n',
    ]
    clock = RecordingClock()
    provider = mocked(
        Ollama,
        lambda request: httpx.Response(200, content=answers.pop(0)),
        stream=True,
        clock=clock,
    )
    assert complete(provider).text == FILL
    assert clock.reasons == ["retry 1 after error in the stream: runner crashed"]


def test_llamacpp_error_event_is_read() -> None:
    """llama.cpp's `error: {...}` event in a stream is one line, not a crash."""
    event = b'error: {"code": 500, "message": "slot unavailable", "type": "server_error"}\n\n'
    ok = b'data: {"content": "x", "stop": true, "stop_type": "eos"}\n\n'
    answers = [event, ok]
    clock = RecordingClock()
    provider = mocked(
        LlamaCpp,
        lambda request: httpx.Response(200, content=answers.pop(0)),
        stream=True,
        clock=clock,
    )
    assert complete(provider).text == "x"
    assert clock.reasons == ["retry 1 after error in the stream: slot unavailable"]


# ------------------------------------------------------------------------------- the errors


def test_ollama_model_without_insert_names_one_that_has_it() -> None:
    """A model whose template lacks FIM stops the run with one line naming qwen2.5-coder."""
    with FakeOllama() as fake, pytest.raises(ModelUnusable) as caught:
        complete(client(Ollama, fake.base_url, model="llama3.2"))
    message = str(caught.value)
    assert "does not support insert" in message
    assert "qwen2.5-coder" in message
    assert "\n" not in message
    assert len(fake.requests) == 1  # not retried


def test_ollama_unknown_model_says_to_pull_it() -> None:
    with FakeOllama() as fake, pytest.raises(ModelUnusable, match=r"ollama pull nope:7b"):
        complete(client(Ollama, fake.base_url, model="nope:7b"))


def test_llamacpp_model_without_fim_tokens_is_one_line() -> None:
    """501 "Infill is not supported by this model" stops the run, naming what to load."""
    with FakeLlamaCpp() as fake:
        fake.fim_tokens = False
        with pytest.raises(ModelUnusable, match=r"cannot fill in the middle.*FIM tokens"):
            complete(client(LlamaCpp, fake.base_url, model=""))


def test_openai_unknown_model_is_one_line() -> None:
    unknown = r"HTTP 404 for model 'gpt-4'.*does not exist"
    with (
        FakeCompletions(models={"deepseek-chat"}) as fake,
        pytest.raises(ModelUnusable, match=unknown),
    ):
        complete(client(OpenAICompletions, fake.base_url, model="gpt-4", key="k", required=True))


def test_a_key_is_sent_when_given_and_a_rejected_one_names_its_variable() -> None:
    """Local servers take an optional key (llama-server --api-key); a wrong one is an AuthError
    naming the variable, without the key."""
    with FakeLlamaCpp(api_key=TEST_KEY) as fake:
        assert complete(client(LlamaCpp, fake.base_url, key=TEST_KEY)).text
        assert fake.requests[-1].headers["authorization"] == f"Bearer {TEST_KEY}"
        with pytest.raises(AuthError, match="check THE_KEY") as caught:
            complete(client(LlamaCpp, fake.base_url, key="wrong-key-0000"))
        assert "wrong-key-0000" not in str(caught.value)
        with pytest.raises(AuthError):
            complete(client(LlamaCpp, fake.base_url))


def test_without_a_key_no_authorization_header_is_sent() -> None:
    with FakeOllama() as fake:
        complete(client(Ollama, fake.base_url, model="qwen2.5-coder:7b"))
    assert "authorization" not in fake.requests[0].headers


def test_a_required_key_that_is_missing_is_refused_up_front() -> None:
    with pytest.raises(AuthError, match="THE_KEY is not a usable API key"):
        client(OpenAICompletions, "https://api.example/v1", model="m", required=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(("kind", "hint"), [(Ollama, "ollama serve"), (LlamaCpp, "llama-server")])
def test_a_refused_connection_to_a_local_server_says_what_should_run(
    kind: type[HTTPProvider], hint: str
) -> None:
    """Retried as Codestral's are, then one line naming the address and the server to start."""
    clock = RecordingClock()
    base = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ModelError) as caught:
        complete(client(kind, base, model="qwen2.5-coder:7b", clock=clock))
    message = str(caught.value)
    assert message.startswith("model API failed after retries: ConnectError")
    assert f"nothing answers at {base}" in message
    assert hint in message
    assert len(clock.waits) == 4


def test_reprs_name_the_server_not_the_key() -> None:
    for kind in CLIENTS.values():
        provider = client(kind, "http://localhost:1", key=TEST_KEY, model="qwen")
        assert TEST_KEY not in repr(provider)
        asyncio.run(provider.aclose())


# ------------------------------------------------------------------------ choosing by settings


def settings(tmp_path: Path, env: dict[str, str] | None = None, **flags: object) -> Settings:
    return resolve(env=env or {}, flags=flags, config_path=None, cwd=tmp_path, root=tmp_path)


@pytest.mark.parametrize(
    ("provider", "base", "model", "key"),
    [
        ("ollama", "http://localhost:11434", "qwen2.5-coder:7b", "OLLAMA_API_KEY"),
        ("llamacpp", "http://localhost:8080", "", "LLAMA_API_KEY"),
        ("openai", "https://api.openai.com/v1", "gpt-3.5-turbo-instruct", "OPENAI_API_KEY"),
        ("deepseek", "https://api.deepseek.com/beta", "deepseek-chat", "DEEPSEEK_API_KEY"),
    ],
)
def test_each_provider_has_its_base_model_and_key_variable(
    tmp_path: Path, provider: str, base: str, model: str, key: str
) -> None:
    chosen = settings(tmp_path, provider=provider)
    assert (chosen.api_base, chosen.params.model, chosen.key_source) == (base, model, key)
    assert chosen.can_send is not PROVIDERS[provider].key_required


def test_provider_variables_and_fim_bot_ones(tmp_path: Path) -> None:
    """The provider's own variables, then FIM_BOT_API_KEY/BASE winning over them."""
    env = {"OLLAMA_API_BASE": "http://gpu-box:11434", "OPENAI_API_KEY": "sk-o"}
    assert settings(tmp_path, env, provider="ollama").api_base == "http://gpu-box:11434"
    assert settings(tmp_path, env, provider="openai").api_key.reveal() == "sk-o"
    env |= {"FIM_BOT_API_KEY": "sk-f", "FIM_BOT_API_BASE": "http://proxy:4000"}
    chosen = settings(tmp_path, env, provider="openai")
    assert (chosen.api_key.reveal(), chosen.key_source, chosen.api_base) == (
        "sk-f",
        "FIM_BOT_API_KEY",
        "http://proxy:4000",
    )


def test_template_family_from_flag_or_model_name(tmp_path: Path) -> None:
    chosen = settings(tmp_path, provider="template", model="Qwen/Qwen2.5-Coder-7B")
    assert chosen.fim_template == "qwen"
    chosen = settings(
        tmp_path, provider="template", model="my-model", **{"fim-template": "deepseek"}
    )
    assert chosen.fim_template == "deepseek"
    assert settings(tmp_path, provider="ollama").fim_template is None


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({}, "the template provider needs --model"),
        ({"model": "my-model"}, "cannot tell the FIM tokens of model 'my-model'.*--fim-template"),
    ],
)
def test_template_without_a_family_is_a_usage_error(
    tmp_path: Path, flags: dict[str, object], message: str
) -> None:
    with pytest.raises(BotError, match=message):
        settings(tmp_path, provider="template", **flags)


def test_untrusted_file_keys_are_ignored(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """On a pull request the file may not choose where the code and key go."""
    (tmp_path / ".fim-bot.yml").write_text("provider: ollama\napi-base: http://evil:1\n")
    chosen = resolve(
        env={"CODESTRAL_API_KEY": "k"},
        flags={},
        config_path=None,
        cwd=tmp_path,
        root=tmp_path,
        pull_request=True,
    )
    assert (chosen.provider.name, chosen.api_base) == (
        "codestral",
        "https://codestral.mistral.ai/v1",
    )
    assert "ignoring provider from .fim-bot.yml:1 on a pull request" in caplog.text
    assert json.dumps(chosen.sources["api-base"].value) == '"https://codestral.mistral.ai/v1"'


@pytest.mark.parametrize(
    ("base", "mode"),
    [
        pytest.param("https://codestral.mistral.ai/v1", ssl.CERT_REQUIRED, id="https"),
        pytest.param("http://localhost:11434", ssl.CERT_NONE, id="http"),
    ],
)
def test_certificates_are_checked_on_every_https_base(base: str, mode: ssl.VerifyMode) -> None:
    """TLS is verified wherever there is TLS; a plain http:// base (a local server) skips only
    the loading of the CA bundle, which has nothing to check there."""
    client = Ollama(
        base_url=base,
        api_key=Secret(""),
        key_variable="OLLAMA_API_KEY",
        params=ModelParams(model="qwen2.5-coder:7b"),
        clock=Clock(0),
        key_required=False,
    )
    # httpx keeps the context in its connection pool (read here, as no API shows it).
    assert client._client._transport._pool._ssl_context.verify_mode == mode  # type: ignore[attr-defined]
    asyncio.run(client.aclose())
