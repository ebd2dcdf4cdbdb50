"""Mistral's fill-in-the-middle API: Codestral's own endpoint and Mistral's main one.

API: POST {base}/fim/completions (https://docs.mistral.ai/api/#tag/fim). Only documented fields
are sent: the API answers 422 to any other.
"""

from __future__ import annotations

from typing import Any

from bot.data import Completion, Prompt
from bot.providers import ModelError
from bot.providers.http import HTTPProvider, Streamed
from bot.providers.reading import text, usage

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
        choices = data.get("choices")
        if not choices or not isinstance(choices, list) or not isinstance(choices[0], dict):
            raise ModelError("the model returned no choices")
        message = choices[0].get("message") or {}
        return Completion(
            text=text(message.get("content")),
            finish_reason=choices[0].get("finish_reason"),
            usage=_usage(data.get("usage")),
        )

    def feed(self, event: dict[str, Any], streamed: Streamed) -> bool:
        choice = (event.get("choices") or [{}])[0]
        delta = choice.get("delta") or {}
        streamed.pieces.append(text(delta.get("content")))
        streamed.finish = choice.get("finish_reason") or streamed.finish
        streamed.usage = _usage(event.get("usage")) or streamed.usage
        return False  # the stream ends with `data: [DONE]`


def _usage(found: Any) -> Any:
    if not isinstance(found, dict):
        return None
    return usage(found.get("prompt_tokens"), found.get("completion_tokens"))
