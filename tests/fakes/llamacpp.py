"""A fake of llama.cpp's ``POST /infill`` for tests (tools/server/README.md, ggml-org/llama.cpp).

Written from the server's README: ``/infill`` takes ``input_prefix``, ``input_suffix``,
``input_extra`` (an array of ``{"filename": string, "text": string}`` chunks, the repo
context) and every option of ``/completion`` (``n_predict``, ``temperature``, ``top_p``,
``stop`` as an array of strings, ``seed``, ``stream``...); it answers ``content``, ``stop``,
``stop_type`` (``eos``, ``word``, ``limit``), ``stopping_word``, ``tokens_predicted`` and
``tokens_evaluated``. Streamed, each server-sent event holds the next piece of ``content``
and the last has ``stop: true``; there is no ``[DONE]``. Errors are ``{"error": {"code",
"message", "type"}}``; a model without FIM tokens is refused with 501.

The real server ignores options it does not know; this fake refuses them (400), so that a
misspelt option fails the client's tests.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, ClassVar

from .wire import Answer, Refusal, WireFake, WireHandler, sse

__all__ = ["INFILL_PATH", "FakeLlamaCpp"]

INFILL_PATH = "/infill"

_NUMBER = (int, float)
# /infill's own fields and the /completion options a FIM client has use for (README).
_FIELDS: dict[str, type | tuple[type, ...]] = {
    "input_prefix": str,
    "input_suffix": str,
    "input_extra": list,
    "prompt": str,
    "model": str,  # router mode: the model to route to
    "n_predict": int,
    "temperature": _NUMBER,
    "top_k": int,
    "top_p": _NUMBER,
    "min_p": _NUMBER,
    "stop": list,
    "seed": int,
    "stream": bool,
    "n_indent": int,
    "t_max_predict_ms": int,
    "cache_prompt": bool,
    "samplers": list,
    "id_slot": int,
}


def _error(status: int, message: str, kind: str) -> Refusal:
    return Refusal(status, {"error": {"code": status, "message": message, "type": kind}})


def _invalid(message: str) -> Refusal:
    return _error(HTTPStatus.BAD_REQUEST, message, "invalid_request_error")


class FakeLlamaCpp(WireFake):
    """In-process fake of llama-server's ``/infill``; ``fim_tokens=False`` plays a model whose
    vocabulary has no FIM tokens. A key, if given, is required (``--api-key``)."""

    route = INFILL_PATH
    not_found_body: ClassVar[Any] = {
        "error": {"code": 404, "message": "File Not Found", "type": "not_found_error"}
    }

    def __init__(self, api_key: str | None = None) -> None:
        super().__init__(api_key)
        self.fim_tokens = True

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def unauthorized(self) -> Refusal:
        return _error(HTTPStatus.UNAUTHORIZED, "Invalid API Key", "authentication_error")

    def unreadable(self, error: str) -> Refusal:
        return _invalid(f"Failed to parse JSON: {error}")

    def check(self, body: Any) -> Refusal | None:
        if not isinstance(body, dict):
            return _invalid("the request body must be a JSON object")
        if not self.fim_tokens:
            missing = "prefix token is missing. suffix token is missing. middle token is missing. "
            return _error(
                HTTPStatus.NOT_IMPLEMENTED,
                f"Infill is not supported by this model: {missing}",
                "not_supported_error",
            )
        for name, value in body.items():
            kind = _FIELDS.get(name)
            if kind is None:
                return _invalid(f"fake llama.cpp: {name!r} is no option of /infill")
            if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
                return _invalid(f"{name!r} has the wrong type")
        for name in ("input_prefix", "input_suffix"):
            if name not in body:
                return _invalid(f'"{name}" is required')
        for chunk in body.get("input_extra") or []:
            if (
                not isinstance(chunk, dict)
                or set(chunk) - {"filename", "text"}
                or not isinstance(chunk.get("text"), str)
                or not isinstance(chunk.get("filename", ""), str)
            ):
                return _invalid(
                    '"input_extra" must be an array of {"filename": string, "text": string}'
                )
        if not all(isinstance(s, str) for s in body.get("stop") or []):
            return _invalid('"stop" must be an array of strings')
        return None

    def ask(self, body: dict[str, Any]) -> dict[str, Any]:
        predict = body.get("n_predict")
        return {
            "prompt": body["input_prefix"],
            "suffix": body["input_suffix"],
            "max_tokens": predict if isinstance(predict, int) and predict >= 0 else None,
            "input_extra": body.get("input_extra") or [],
        }

    def stops(self, body: dict[str, Any]) -> list[str]:
        return list(body.get("stop") or [])

    def streams(self, body: dict[str, Any]) -> bool:
        return body.get("stream") is True

    def answer(
        self, handler: WireHandler, body: dict[str, Any], answer: Answer, *, cut: bool
    ) -> None:
        stop_type = "limit" if answer.finish == "length" else "word" if answer.stopped_by else "eos"
        final = {
            "index": 0,
            "content": answer.text,
            "tokens": [],
            "id_slot": 0,
            "stop": True,
            "model": answer.model,
            "tokens_predicted": answer.completion_tokens,
            "tokens_evaluated": answer.prompt_tokens,
            "generation_settings": {"n_predict": body.get("n_predict", -1)},
            "prompt": "<|fim_prefix|>...",
            "has_new_line": "\n" in answer.text,
            "truncated": False,
            "stop_type": stop_type,
            "stopping_word": answer.stopped_by,
            "tokens_cached": 0,
            "timings": {
                "prompt_n": answer.prompt_tokens,
                "predicted_n": answer.completion_tokens,
            },
        }
        if not self.streams(body):
            handler.whole(final, cut=cut)
            return
        size = max(1, self.stream_chunk_chars)
        pieces = [answer.text[i : i + size] for i in range(0, len(answer.text), size)]
        events = [
            sse({"index": 0, "content": piece, "tokens": [], "stop": False, "id_slot": 0})
            for piece in pieces
        ]
        events.append(sse({**final, "content": ""}))  # the text came in the pieces
        handler.events(events, "text/event-stream", cut=cut)
