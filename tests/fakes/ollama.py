"""A fake of Ollama's ``POST /api/generate`` for tests (https://docs.ollama.com/api).

Written from Ollama's API reference (docs/api.md: "Generate a completion", the suffix and
options examples, the Modelfile's parameters) and its server's error answers: ``{"error":
"..."}``, 404 ``model '<name>' not found`` for a model not pulled, 400 ``<name> does not
support insert`` when a suffix is sent to a model whose template has no suffix slot.

Ollama itself ignores what it does not know: sampling settings at the top level instead of in
``options`` are silently dropped. This fake refuses them (400), and unknown options too, so a
client that puts them in the wrong place fails its tests instead of running unsampled.

Streaming is Ollama's default: one JSON object a line (``application/x-ndjson``), ``response``
holding the text, the last one ``done: true`` with ``done_reason`` and the token counts.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from .wire import Answer, Refusal, WireFake, WireHandler, now, split_text

__all__ = ["GENERATE_PATH", "FakeOllama"]

GENERATE_PATH = "/api/generate"

# api.GenerateRequest's fields (docs/api.md "Parameters" and "Advanced parameters").
_TOP: dict[str, type | tuple[type, ...]] = {
    "model": str,
    "prompt": str,
    "suffix": str,
    "images": list,
    "format": (str, dict),
    "options": dict,
    "system": str,
    "template": str,
    "stream": bool,
    "raw": bool,
    "keep_alive": (str, int, float),
    "context": list,
    "think": (bool, str),
}
# The Modelfile's runtime parameters as `options` takes them (docs/api.md "With options").
_OPTIONS: dict[str, type | tuple[type, ...]] = {
    **dict.fromkeys(("num_keep", "seed", "num_predict", "top_k", "repeat_last_n", "mirostat"), int),
    **dict.fromkeys(("num_ctx", "num_batch", "num_gpu", "main_gpu", "num_thread"), int),
    **dict.fromkeys(
        ("top_p", "min_p", "typical_p", "temperature", "repeat_penalty", "presence_penalty"),
        (int, float),
    ),
    **dict.fromkeys(("frequency_penalty", "mirostat_tau", "mirostat_eta"), (int, float)),
    **dict.fromkeys(("penalize_newline", "numa", "low_vram", "vocab_only"), bool),
    **dict.fromkeys(("use_mmap", "use_mlock"), bool),
    "stop": list,
}
_SAMPLING = {"temperature", "top_p", "top_k", "num_predict", "seed", "stop", "max_tokens"}


def _is(value: Any, kind: type | tuple[type, ...]) -> bool:
    if isinstance(value, bool) and kind in (int, (int, float)):
        return False
    return isinstance(value, kind)


class FakeOllama(WireFake):
    """In-process fake of ``POST /api/generate``; ``models`` maps each pulled model to whether
    its template can fill in the middle (takes a suffix)."""

    route = GENERATE_PATH
    not_found_body = "404 page not found"

    def __init__(self, api_key: str | None = None) -> None:
        super().__init__(api_key)
        self.models: dict[str, bool] = {
            "qwen2.5-coder:7b": True,
            "codellama:code": True,
            "llama3.2:latest": False,
        }

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``, as OLLAMA_HOST names a server; the client adds /api."""
        return f"http://127.0.0.1:{self.port}"

    def check(self, body: Any) -> Refusal | None:
        if not isinstance(body, dict):
            return _bad("json: cannot unmarshal into Go value of type api.GenerateRequest")
        for name, value in body.items():
            if name in _SAMPLING:
                return _bad(f"fake Ollama: {name!r} is ignored at the top level: put it in options")
            if name not in _TOP:
                return _bad(f"fake Ollama: {name!r} is no field of /api/generate")
            if value is not None and not _is(value, _TOP[name]):
                return _bad(f"json: cannot unmarshal {name} into Go struct field")
        for name, value in (body.get("options") or {}).items():
            if name not in _OPTIONS:
                return _bad(f"fake Ollama: {name!r} is no option (Ollama would ignore it)")
            if not _is(value, _OPTIONS[name]):
                return _bad(f"json: cannot unmarshal options.{name}")
        stop = (body.get("options") or {}).get("stop")
        if stop is not None and not all(isinstance(s, str) for s in stop):
            return _bad("json: cannot unmarshal options.stop")
        model = body.get("model")
        if not model:
            return _bad("model is required")
        name = model if ":" in model else f"{model}:latest"
        if name not in self.models:
            return Refusal(HTTPStatus.NOT_FOUND, {"error": f"model '{model}' not found"})
        if body.get("suffix") and not self.models[name]:
            return _bad(f"{name} does not support insert")
        return None

    def ask(self, body: dict[str, Any]) -> dict[str, Any]:
        predict = (body.get("options") or {}).get("num_predict")
        return {
            "model": body["model"],
            "prompt": body.get("prompt") or "",
            "suffix": body.get("suffix") or "",
            "max_tokens": predict if isinstance(predict, int) and predict >= 0 else None,
        }

    def stops(self, body: dict[str, Any]) -> list[str]:
        return list((body.get("options") or {}).get("stop") or [])

    def streams(self, body: dict[str, Any]) -> bool:
        return body.get("stream") is not False  # Ollama streams unless told not to

    def answer(
        self, handler: WireHandler, body: dict[str, Any], answer: Answer, *, cut: bool
    ) -> None:
        if not body.get("prompt"):
            # An empty prompt only loads the model (docs/api.md "Load a model").
            final = {"model": answer.model, "created_at": now(), "response": "", "done": True}
            handler.whole({**final, "done_reason": "load"}, cut=cut)
            return
        last = {
            "model": answer.model,
            "created_at": now(),
            "response": "",
            "done": True,
            "done_reason": answer.finish,
            "context": [1, 2, 3],
            "total_duration": 5043500667,
            "load_duration": 5025959,
            "prompt_eval_count": answer.prompt_tokens,
            "prompt_eval_duration": 325953000,
            "eval_count": answer.completion_tokens,
            "eval_duration": 4709213000,
        }
        if not self.streams(body):
            handler.whole({**last, "response": answer.text}, cut=cut)
            return
        lines = [
            {"model": answer.model, "created_at": now(), "response": piece, "done": False}
            for piece in split_text(answer.text, self.stream_chunk_chars)
        ]
        events = [json.dumps(line).encode() + b"\n" for line in (*lines, last)]
        handler.events(events, "application/x-ndjson", cut=cut)


def _bad(message: str) -> Refusal:
    return Refusal(HTTPStatus.BAD_REQUEST, {"error": message})
