"""llama.cpp's server: POST {base}/infill (tools/server/README.md in ggml-org/llama.cpp).

The server builds the model's own FIM prompt from `input_prefix` and `input_suffix`, with the
repo-context snippets as `input_extra` chunks (`{filename, text}`), which it lays out with the
model's repo-level tokens where it has them. A streamed answer is server-sent events whose
`content` holds the text, the last one with `stop: true`; there is no `[DONE]`.
"""

from __future__ import annotations

from typing import Any

from bot.data import Prompt, Usage
from bot.providers import ModelUnusable
from bot.providers.http import HTTPProvider, Streamed
from bot.providers.reading import string

# `stop_type` of the final answer (older servers: `stopped_limit` and friends).
_FINISH = {"eos": "stop", "word": "stop", "limit": "length"}


class LlamaCpp(HTTPProvider):
    route = "/infill"
    last_event = "stop: true"
    connect_hint = "nothing answers at {base}: is llama-server running?"

    def body(self, prompt: Prompt) -> dict[str, Any]:
        p = self._params
        prefix, extra = split_context(prompt)
        body: dict[str, Any] = {"input_prefix": prefix, "input_suffix": prompt.suffix}
        if extra:
            body["input_extra"] = extra
        optional = {
            "model": p.model or None,  # a router serving several models picks by name
            "n_predict": p.max_tokens,
            "temperature": p.temperature,
            "top_p": p.top_p,
            "stop": self.stops(prompt) or None,
            "seed": p.seed,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        body["stream"] = p.stream
        return body

    def feed(self, event: dict[str, Any], streamed: Streamed) -> bool:
        streamed.pieces.append(string(event.get("content"), "content"))
        if event.get("stop") is not True:
            return False
        streamed.finish = _finish(event)
        predicted, evaluated = event.get("tokens_predicted"), event.get("tokens_evaluated")
        if isinstance(predicted, int) and isinstance(evaluated, int):
            streamed.usage = Usage(prompt_tokens=evaluated, completion_tokens=predicted)
        return True

    def refusal(self, status: int, message: str) -> Exception | None:
        if status == 501 or "Infill is not supported" in message:
            return ModelUnusable(
                f"the model llama-server loaded cannot fill in the middle ({message}): start it "
                "with a model that has FIM tokens, e.g. a Qwen2.5-Coder GGUF"
            )
        if status == 404:
            return ModelUnusable(
                f"{self._url} answered HTTP 404 ({message}): is {self._base} a llama.cpp "
                "server? check --api-base"
            )
        return None


def split_context(prompt: Prompt) -> tuple[str, list[dict[str, str]]]:
    """The file's own prefix and the snippets as `input_extra` chunks.

    The prompt stage writes each snippet after a one-line path comment and before two blank
    lines, then the file's own path comment, then its prefix. Where the prefix is laid out
    otherwise, it is sent whole, snippets included, and no chunk is sent twice.
    """
    if not prompt.context:
        return prompt.prefix, []
    rest = prompt.prefix
    for snippet in prompt.context:
        header, newline, rest = rest.partition("\n")
        body = snippet.text.rstrip("\n") + "\n\n\n"
        if not newline or snippet.path not in header or not rest.startswith(body):
            return prompt.prefix, []
        rest = rest[len(body) :]
    _, newline, rest = rest.partition("\n")  # the file's own path: llama.cpp names it itself
    if not newline:
        return prompt.prefix, []
    return rest, [{"filename": s.path, "text": s.text} for s in prompt.context]


def _finish(event: dict[str, Any]) -> str | None:
    kind = event.get("stop_type")
    if isinstance(kind, str):
        return _FINISH.get(kind)
    if event.get("stopped_limit") is True:
        return "length"
    if event.get("stopped_eos") is True or event.get("stopped_word") is True:
        return "stop"
    return None
