"""A fake of OpenAI-style ``POST /v1/completions`` for tests: with a suffix (OpenAI's legacy
completions, DeepSeek's FIM beta, a LiteLLM proxy) or, given a ``template`` family, without
one, as vLLM and TGI serve raw prompts.

Written from OpenAI's API reference for "Create completion" (``model``, ``prompt``,
``suffix``, ``max_tokens``, ``temperature``, ``top_p``, ``stop`` "up to 4 sequences",
``seed``, ``stream``, ``stream_options`` "only set this when you set stream: true"; answers
``choices[].text``, ``finish_reason``, ``usage``; errors ``{"error": {"message", "type",
"param", "code"}}``, 400 "Unrecognized request argument supplied" for an unknown field, 404
``model_not_found``) and vLLM's (no ``suffix``; any number of stop strings). Streamed, each
server-sent event holds a ``choices[0].text`` piece, the usage comes in a last chunk with no
choices when ``stream_options.include_usage`` is set, and ``data: [DONE]`` ends it.

In template mode the fake takes the raw prompt apart with the family's tokens
(tests/fakes/fim_tokens.py, from the model cards) only to ask the responder (the oracle) for
the prefix and suffix; a prompt not laid out as the family's is refused.
"""

from __future__ import annotations

import uuid
from http import HTTPStatus
from typing import Any, ClassVar

from . import fim_tokens
from .wire import Answer, Refusal, WireFake, WireHandler, created, split_text, sse

__all__ = ["COMPLETIONS_PATH", "FakeCompletions"]

COMPLETIONS_PATH = "/v1/completions"
_NUMBER = (int, float)
_FIELDS: dict[str, type | tuple[type, ...]] = {
    "model": str,
    "prompt": str,
    "suffix": str,
    "max_tokens": int,
    "temperature": _NUMBER,
    "top_p": _NUMBER,
    "n": int,
    "stream": bool,
    "stream_options": dict,
    "logprobs": int,
    "echo": bool,
    "stop": (str, list),
    "presence_penalty": _NUMBER,
    "frequency_penalty": _NUMBER,
    "best_of": int,
    "logit_bias": dict,
    "seed": int,
    "user": str,
}


def _error(
    status: int, message: str, *, param: str | None = None, code: str | None = None
) -> Refusal:
    kind = "invalid_request_error"
    return Refusal(
        status, {"error": {"message": message, "type": kind, "param": param, "code": code}}
    )


class FakeCompletions(WireFake):
    """In-process fake of ``POST /v1/completions``. ``template`` (a family of
    tests/fakes/fim_tokens.py) makes it a server without ``suffix``; ``max_stops`` is 4 as
    OpenAI's, None (any) as vLLM's; ``models``, when set, are the only ones served."""

    route = COMPLETIONS_PATH
    not_found_body: ClassVar[Any] = _error(HTTPStatus.NOT_FOUND, "Not Found").body

    def __init__(
        self,
        api_key: str | None = None,
        *,
        template: str | None = None,
        max_stops: int | None = 4,
        models: set[str] | None = None,
    ) -> None:
        super().__init__(api_key)
        self.template = template
        self.max_stops = max_stops
        self.models = models

    def unauthorized(self) -> Refusal:
        return _error(HTTPStatus.UNAUTHORIZED, "Incorrect API key provided", code="invalid_api_key")

    def unreadable(self, error: str) -> Refusal:
        return _error(HTTPStatus.BAD_REQUEST, f"We could not parse the JSON body: {error}")

    def check(self, body: Any) -> Refusal | None:
        if not isinstance(body, dict):
            return _error(HTTPStatus.BAD_REQUEST, "the body must be a JSON object")
        for name, value in body.items():
            if name == "suffix" and self.template:
                return _error(
                    HTTPStatus.BAD_REQUEST, "suffix is not currently supported", param=name
                )
            kind = _FIELDS.get(name)
            if kind is None:
                return _error(
                    HTTPStatus.BAD_REQUEST, f"Unrecognized request argument supplied: {name}"
                )
            if value is not None and (
                (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind)
            ):
                return _error(HTTPStatus.BAD_REQUEST, f"Invalid type for '{name}'", param=name)
        for name in ("model", "prompt"):
            if not isinstance(body.get(name), str):
                return _error(HTTPStatus.BAD_REQUEST, f"Missing required parameter: '{name}'")
        stop = body.get("stop")
        stops = [stop] if isinstance(stop, str) else list(stop or [])
        if not all(isinstance(s, str) for s in stops):
            return _error(HTTPStatus.BAD_REQUEST, "Invalid type for 'stop'", param="stop")
        if self.max_stops is not None and len(stops) > self.max_stops:
            return _error(
                HTTPStatus.BAD_REQUEST,
                f"'stop': array too long. Expected an array with maximum length {self.max_stops}",
                param="stop",
            )
        if "stream_options" in body and body.get("stream") is not True:
            return _error(
                HTTPStatus.BAD_REQUEST,
                "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                param="stream_options",
            )
        if self.models is not None and body["model"] not in self.models:
            return _error(
                HTTPStatus.NOT_FOUND,
                f"The model `{body['model']}` does not exist",
                param="model",
                code="model_not_found",
            )
        if self.template and fim_tokens.split(self.template, body["prompt"]) is None:
            return _error(HTTPStatus.BAD_REQUEST, f"fake: not a {self.template} FIM prompt")
        return None

    def ask(self, body: dict[str, Any]) -> dict[str, Any]:
        if self.template:
            split = fim_tokens.split(self.template, body["prompt"])
            assert split is not None  # checked
            prefix, suffix = split
        else:
            prefix, suffix = body["prompt"], body.get("suffix") or ""
        limit = body.get("max_tokens")
        return {
            "model": body["model"],
            "prompt": prefix,
            "suffix": suffix,
            "max_tokens": limit if isinstance(limit, int) else 16,  # OpenAI's default
        }

    def stops(self, body: dict[str, Any]) -> list[str]:
        stop = body.get("stop")
        return [stop] if isinstance(stop, str) else list(stop or [])

    def streams(self, body: dict[str, Any]) -> bool:
        return body.get("stream") is True

    def answer(
        self, handler: WireHandler, body: dict[str, Any], answer: Answer, *, cut: bool
    ) -> None:
        head = {
            "id": f"cmpl-{uuid.uuid4().hex}",
            "object": "text_completion",
            "created": created(),
            "model": answer.model,
        }
        usage = {
            "prompt_tokens": answer.prompt_tokens,
            "completion_tokens": answer.completion_tokens,
            "total_tokens": answer.prompt_tokens + answer.completion_tokens,
        }

        def choice(text: str, finish: str | None) -> dict[str, Any]:
            return {"text": text, "index": 0, "logprobs": None, "finish_reason": finish}

        if not self.streams(body):
            handler.whole(
                {**head, "choices": [choice(answer.text, answer.finish)], "usage": usage}, cut=cut
            )
            return
        events = [
            sse({**head, "choices": [choice(piece, None)]})
            for piece in split_text(answer.text, self.stream_chunk_chars)
        ]
        events.append(sse({**head, "choices": [choice("", answer.finish)]}))
        if (body.get("stream_options") or {}).get("include_usage") is True:
            events.append(sse({**head, "choices": [], "usage": usage}))
        events.append(b"data: [DONE]\n\n")
        handler.events(events, "text/event-stream; charset=utf-8", cut=cut)
