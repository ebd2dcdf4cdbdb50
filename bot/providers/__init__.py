"""Model servers: one `Provider` protocol, several implementations, chosen by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.data import Completion, Prompt


class Secret:
    """An API key that never shows itself in a repr, a log line or an error message."""

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


class ModelError(Exception):
    """One request failed for good; the hole is reported `failed` with this message."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelParams:
    """What is sent with every request, besides the prompt; None means "not sent"."""

    model: str = "codestral-latest"
    temperature: float | None = 0.0
    top_p: float | None = None
    max_tokens: int | None = 512
    min_tokens: int | None = None
    seed: int | None = None
    stop: tuple[str, ...] = ()
    stream: bool = False
    timeout: float = 60.0


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderSpec:
    """How a provider is found: its default base URL and the variables that configure it."""

    name: str
    default_base: str
    key_variable: str
    base_variable: str


PROVIDERS: dict[str, ProviderSpec] = {
    spec.name: spec
    for spec in (
        ProviderSpec(
            name="codestral",
            default_base="https://codestral.mistral.ai/v1",
            key_variable="CODESTRAL_API_KEY",
            base_variable="CODESTRAL_API_BASE",
        ),
        ProviderSpec(
            name="mistral",
            default_base="https://api.mistral.ai/v1",
            key_variable="MISTRAL_API_KEY",
            base_variable="MISTRAL_API_BASE",
        ),
    )
}


class Provider(Protocol):
    """A fill-in-the-middle model server."""

    async def complete(self, prompt: Prompt) -> Completion:
        """The model's completion; raises `ModelError`, or `AuthError` for a rejected key."""
        ...

    async def aclose(self) -> None: ...
