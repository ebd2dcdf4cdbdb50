"""Ollama's own API: POST {base}/api/generate with a suffix (https://docs.ollama.com/api).

Sampling settings go inside `options`: at the top level Ollama ignores them without a word.
A streamed answer is one JSON object a line (`response` holds the text), the last with
`done: true`, the finish reason and the token counts.
"""

from __future__ import annotations

from typing import Any

from bot.data import Prompt, Usage
from bot.providers import ModelUnusable
from bot.providers.http import HTTPProvider, Streamed
from bot.providers.reading import reason, string

# A code model whose Ollama template has the suffix slot (`ollama show MODEL --template`).
FIM_MODEL = "qwen2.5-coder:7b"


class Ollama(HTTPProvider):
    route = "/api/generate"
    framing = "ndjson"
    last_event = "done: true"
    connect_hint = "nothing answers at {base}: is Ollama running (`ollama serve`)?"

    def body(self, prompt: Prompt) -> dict[str, Any]:
        p = self._params
        options = {
            "temperature": p.temperature,
            "top_p": p.top_p,
            "num_predict": p.max_tokens,
            "seed": p.seed,
            "stop": self.stops(prompt) or None,
        }
        return {
            "model": p.model,
            "prompt": prompt.prefix,
            "suffix": prompt.suffix,
            "stream": p.stream,  # Ollama streams unless told not to
            "options": {k: v for k, v in options.items() if v is not None},
        }

    def feed(self, event: dict[str, Any], streamed: Streamed) -> bool:
        streamed.pieces.append(string(event.get("response"), "response"))
        if event.get("done") is not True:
            return False
        streamed.finish = reason(event.get("done_reason"))
        streamed.usage = _usage(event)
        return True

    def refusal(self, status: int, message: str) -> Exception | None:
        model = self._params.model
        if "does not support insert" in message:
            return ModelUnusable(
                f"Ollama model {model!r} cannot fill in the middle (its template has no "
                f"suffix: {message}): use a code model that can, e.g. --model {FIM_MODEL}"
            )
        if status == 404 and "not found" in message:
            return ModelUnusable(
                f"Ollama has no model {model!r} ({message}): `ollama pull {model}` "
                f"or choose another with --model (e.g. {FIM_MODEL})"
            )
        return None


def _usage(event: dict[str, Any]) -> Usage | None:
    """`prompt_eval_count` is left out when the whole prompt came from Ollama's cache."""
    prompt, completion = event.get("prompt_eval_count"), event.get("eval_count")
    if not isinstance(completion, int) or isinstance(completion, bool):
        return None
    if not isinstance(prompt, int) or isinstance(prompt, bool):
        prompt = 0
    return Usage(prompt_tokens=prompt, completion_tokens=completion)
