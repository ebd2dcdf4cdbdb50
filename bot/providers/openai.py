"""OpenAI-style text completions: POST {base}/completions.

`OpenAICompletions` sends the prefix as `prompt` and the rest as `suffix` (OpenAI's legacy
completions, DeepSeek's FIM beta, a LiteLLM proxy). `TemplateCompletions` is for servers whose
completions take no suffix (vLLM, TGI): it writes the raw FIM prompt with the model family's
own special tokens (bot.providers.templates) and stops on that family's end tokens. Both read
`choices[0].text`; a stream is server-sent events ending with `data: [DONE]`, the usage in a
last chunk when `stream_options.include_usage` is asked for.
"""

from __future__ import annotations

import re
from typing import Any

from bot.data import Completion, Prompt
from bot.providers import ModelError, ModelUnusable
from bot.providers.http import HTTPProvider, Streamed
from bot.providers.reading import first_choice, reason, string, usage
from bot.providers.templates import FimTemplate

# OpenAI takes at most four stop sequences ("Up to 4 sequences", API reference); the user's
# come first, then where the hole's block ends.
_MAX_STOPS = 4
_UNKNOWN_MODEL = re.compile(
    r"model.*(not exist|does not exist|not found|unknown)|(invalid|unknown) model", re.I
)


class OpenAICompletions(HTTPProvider):
    route = "/completions"
    connect_hint = "nothing answers at {base}: is the server running?"
    max_stops: int | None = _MAX_STOPS

    def body(self, prompt: Prompt) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self._params.model,
            "prompt": prompt.prefix,
            "suffix": prompt.suffix,
        }
        return self._with_parameters(body, self.stops(prompt))

    def _with_parameters(self, body: dict[str, Any], stops: list[str]) -> dict[str, Any]:
        p = self._params
        optional = {
            "max_tokens": p.max_tokens,
            "temperature": p.temperature,
            "top_p": p.top_p,
            "seed": p.seed,
            "stop": stops[: self.max_stops] or None,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        body["stream"] = p.stream
        if p.stream:
            body["stream_options"] = {"include_usage": True}
        return body

    def completion(self, data: dict[str, Any]) -> Completion:
        choice = first_choice(data)
        if choice is None:
            raise ModelError("the model returned no choices")
        return Completion(
            text=string(choice.get("text"), "choices[0].text"),
            finish_reason=reason(choice.get("finish_reason")),
            usage=_usage(data.get("usage")),
        )

    def feed(self, event: dict[str, Any], streamed: Streamed) -> bool:
        choice = first_choice(event)
        if choice is not None:  # the usage comes in a last chunk with no choices
            streamed.pieces.append(string(choice.get("text"), "choices[0].text"))
            streamed.finish = reason(choice.get("finish_reason")) or streamed.finish
        streamed.usage = _usage(event.get("usage")) or streamed.usage
        return False  # the stream ends with `data: [DONE]`

    def refusal(self, status: int, message: str) -> Exception | None:
        model = self._params.model
        if status == 404 or (status == 400 and _UNKNOWN_MODEL.search(message)):
            return ModelUnusable(
                f"{self._url} answered HTTP {status} for model {model!r} ({message}): "
                "check --model and --api-base"
            )
        return None


class TemplateCompletions(OpenAICompletions):
    """For completions without a suffix: the FIM prompt is written out in the family's tokens."""

    max_stops = None  # vLLM takes any number; TGI as many as its --max-stop-sequences

    def __init__(self, *, template: FimTemplate, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._template = template

    def __repr__(self) -> str:
        return f"{super().__repr__()[:-1]}, template={self._template.name!r})"

    def body(self, prompt: Prompt) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self._params.model,
            "prompt": self._template.render(prompt.prefix, prompt.suffix),
        }
        user, hole = list(self._params.stop), list(prompt.stop)
        stops = list(dict.fromkeys((*user, *self._template.stop, *hole)))
        return self._with_parameters(body, stops)


def _usage(found: Any) -> Any:
    if not isinstance(found, dict):
        return None
    return usage(found.get("prompt_tokens"), found.get("completion_tokens"))
