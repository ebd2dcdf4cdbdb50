"""Mistral's fill-in-the-middle API: Codestral's own endpoint and Mistral's main one.

API: POST {base}/fim/completions (https://docs.mistral.ai/api/#tag/fim). Only documented fields
are sent: the API answers 422 to any other.
"""

from __future__ import annotations

from typing import Any

from bot.data import Completion, Prompt
from bot.providers import ModelError
from bot.providers.http import HTTPProvider, Streamed
from bot.providers.reading import first_choice, obj, reason, text, usage

# LiteLLM's and others' spellings of the same models.
_MODEL_PREFIXES = ("text-completion-codestral/", "codestral/", "mistral/")


def model_name(name: str) -> str:
    for prefix in _MODEL_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


class MistralFIM(HTTPProvider):
    """A `Provider` for `POST {base}/fim/completions`; streams end with `data: [DONE]`."""

    route = "/fim/completions"

    def body(self, prompt: Prompt) -> dict[str, Any]:
        p = self._params
        body: dict[str, Any] = {
            "model": model_name(p.model),
            "prompt": prompt.prefix,
            "suffix": prompt.suffix,
            "stream": p.stream,
        }
        optional = {
            "temperature": p.temperature,
            "top_p": p.top_p,
            "max_tokens": p.max_tokens,
            "min_tokens": p.min_tokens,
            "random_seed": p.seed,
            "stop": self.stops(prompt) or None,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        return body

    def completion(self, data: dict[str, Any]) -> Completion:
        choice = first_choice(data)
        if choice is None:
            raise ModelError("the model returned no choices")
        message = obj(choice.get("message"), "choices[0].message")
        return Completion(
            text=text(message.get("content"), "choices[0].message.content"),
            finish_reason=reason(choice.get("finish_reason")),
            usage=_usage(data.get("usage")),
        )

    def feed(self, event: dict[str, Any], streamed: Streamed) -> bool:
        choice = first_choice(event)
        if choice is not None:  # a last event may carry the usage alone
            delta = obj(choice.get("delta"), "choices[0].delta")
            streamed.pieces.append(text(delta.get("content"), "choices[0].delta.content"))
            streamed.finish = reason(choice.get("finish_reason")) or streamed.finish
        streamed.usage = _usage(event.get("usage")) or streamed.usage
        return False  # the stream ends with `data: [DONE]`


def _usage(found: Any) -> Any:
    if not isinstance(found, dict):
        return None
    return usage(found.get("prompt_tokens"), found.get("completion_tokens"))
