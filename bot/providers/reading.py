"""Reading what servers answer: text, token counts, and error bodies as one line."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from bot.data import Usage

if TYPE_CHECKING:
    from bot.providers import Secret


def usage(prompt: Any, completion: Any) -> Usage | None:
    """Token counts when the server gave both as whole numbers."""
    if isinstance(prompt, int) and isinstance(completion, int):
        return Usage(prompt_tokens=prompt, completion_tokens=completion)
    return None


def text(content: Any) -> str:
    """Answer text: a string, or a list of chunks such as {"type": "text", "text": ...}."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(c.get("text", "") for c in content if isinstance(c, dict))
    return ""


# Where error bodies keep their text: Mistral's `message` (a string, or an object holding a
# `detail` list), FastAPI's `detail`, OpenAI-style `error` (a string for Ollama, an object
# for OpenAI, vLLM and llama.cpp).
_MESSAGE_KEYS = ("message", "detail", "error")


def error_message(content: bytes, key: Secret) -> str:
    """One line from an error body, whatever its shape: `message` as a string or an object,
    FastAPI's `detail` list, or an HTML page from a proxy; the key redacted from it."""
    body = content.decode("utf-8", "replace").strip()
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict) and any(key in data for key in _MESSAGE_KEYS):
        message = _flatten(data)
    elif body.startswith("<"):
        message = "an HTML error page"
    else:
        message = body
    # One line, whatever the server put in its messages, cut short only once the key is out.
    return " ".join(key.redact(message).split())[:300] or "no details"


def _flatten(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "; ".join(_flatten(v) for v in value)
    if isinstance(value, dict):
        if "msg" in value:
            where = ".".join(str(p) for p in value.get("loc", []) if p != "body")
            return f"{where}: {value['msg']}" if where else str(value["msg"])
        for key in _MESSAGE_KEYS:
            if key in value:
                return _flatten(value[key])
    return json.dumps(value)
