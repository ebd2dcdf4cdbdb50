"""Model servers: one `Provider` protocol, several implementations, chosen by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from bot.data import Completion, Prompt
from bot.errors import AuthError


class Secret:
    """An API key or a token that never shows itself in a repr, a log line or an error
    message."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def redact(self, text: str) -> str:
        """`text` with the secret in it replaced by ***: servers and proxies echo a key or a
        token back in their error messages ("Incorrect API key provided: sk-..."). Redact
        before cutting a message short, or a cut could leave part of the secret behind."""
        return text.replace(self._value, "***") if self._value else text


class ModelError(Exception):
    """One request failed for good; the hole is reported `failed` with this message."""


class ModelUnusable(AuthError):
    """The server refuses the model itself (unknown, or unable to fill in the middle): every
    hole would fail the same way, so the run stops as it does for a rejected key (exit 2
    locally, a warning on a pull request, a notice in the hooks)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelParams:
    """What is sent with every request, besides the prompt; None means "not sent"."""

    model: str = "codestral-latest"  # "": not sent (llama.cpp serves the model it loaded)
    temperature: float | None = 0.0
    top_p: float | None = None
    max_tokens: int | None = 512
    min_tokens: int | None = None
    seed: int | None = None
    stop: tuple[str, ...] = ()
    stream: bool = False
    timeout: float = 60.0


Wire = Literal["mistral", "ollama", "llamacpp", "openai", "template"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderSpec:
    """How a provider is found: its wire format, default base URL and model, and the
    variables that configure it."""

    name: str
    label: str  # as messages name the server
    wire: Wire  # which client speaks to it (bot.wiring)
    default_base: str
    key_variable: str
    base_variable: str | None  # None: only --api-base / FIM_BOT_API_BASE set it
    key_required: bool = True  # local servers run without one, and take one if they are given
    default_model: str | None = None  # None: --model is needed (or, llama.cpp: none is sent)


PROVIDERS: dict[str, ProviderSpec] = {
    spec.name: spec
    for spec in (
        ProviderSpec(
            name="codestral",
            label="Codestral",
            wire="mistral",
            default_base="https://codestral.mistral.ai/v1",
            key_variable="CODESTRAL_API_KEY",
            base_variable="CODESTRAL_API_BASE",
            default_model="codestral-latest",
        ),
        ProviderSpec(
            name="mistral",
            label="Mistral",
            wire="mistral",
            default_base="https://api.mistral.ai/v1",
            key_variable="MISTRAL_API_KEY",
            base_variable="MISTRAL_API_BASE",
            default_model="codestral-latest",
        ),
        ProviderSpec(
            name="ollama",
            label="Ollama",
            wire="ollama",
            default_base="http://localhost:11434",
            key_variable="OLLAMA_API_KEY",
            base_variable="OLLAMA_API_BASE",
            key_required=False,
            default_model="qwen2.5-coder:7b",
        ),
        ProviderSpec(
            name="llamacpp",
            label="llama.cpp",
            wire="llamacpp",
            default_base="http://localhost:8080",
            key_variable="LLAMA_API_KEY",  # what llama-server itself reads for --api-key
            base_variable="LLAMACPP_API_BASE",
            key_required=False,
        ),
        ProviderSpec(
            name="openai",
            label="OpenAI-style completions",
            wire="openai",
            default_base="https://api.openai.com/v1",
            key_variable="OPENAI_API_KEY",
            base_variable="OPENAI_API_BASE",
            # The one OpenAI model that takes a suffix (platform.openai.com/docs/api-reference).
            default_model="gpt-3.5-turbo-instruct",
        ),
        ProviderSpec(
            name="deepseek",
            label="DeepSeek",
            wire="openai",
            # FIM completion is a beta feature, served under /beta only (api-docs.deepseek.com).
            default_base="https://api.deepseek.com/beta",
            key_variable="DEEPSEEK_API_KEY",
            base_variable="DEEPSEEK_API_BASE",
            default_model="deepseek-chat",
        ),
        ProviderSpec(
            name="template",
            label="the completions server",
            wire="template",
            default_base="http://localhost:8000/v1",  # vLLM's `vllm serve`
            key_variable="FIM_BOT_API_KEY",
            base_variable=None,
            key_required=False,
        ),
    )
}


class Provider(Protocol):
    """A fill-in-the-middle model server: the prompt's prefix and suffix (and its repo-context
    snippets, where the server takes them apart) in, text, finish reason and usage out."""

    async def complete(self, prompt: Prompt) -> Completion:
        """The model's completion; raises `ModelError`, or `AuthError` for a rejected key."""
        ...

    async def aclose(self) -> None: ...
