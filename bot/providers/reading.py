"""Reading what servers answer: JSON, text, token counts, and error bodies as one line.

An answer is checked against the shape its API documents as it is read: a field of another
type is a `ModelError` that names it, never an AttributeError or a TypeError further on.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from bot.data import Usage
from bot.providers import ModelError

if TYPE_CHECKING:
    from bot.providers import Secret

# Deeper than any answer or error body of the APIs spoken here (an answer's text sits 5 deep).
# json.loads raises RecursionError on deep nesting (some 1,000 levels), and what reads an
# error body recurses over it: anything deeper than this is refused as unreadable first.
MAX_DEPTH = 32


class TooDeep(ValueError):
    """JSON nested deeper than `MAX_DEPTH`."""

    def __init__(self) -> None:
        super().__init__(f"JSON nested more than {MAX_DEPTH} levels deep")


def parse(data: bytes | str) -> Any:
    """`data` as JSON; ValueError when it is not JSON, `TooDeep` when it is nested too deep."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise TooDeep from None
    if _deeper(value, MAX_DEPTH):
        raise TooDeep
    return value


def _deeper(value: Any, limit: int) -> bool:
    """Whether `value` nests lists and objects more than `limit` deep (without recursing)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in item)
    return False


def usage(prompt: Any, completion: Any) -> Usage | None:
    """Token counts when the server gave both as whole numbers."""
    if isinstance(prompt, int) and isinstance(completion, int):
        return Usage(prompt_tokens=prompt, completion_tokens=completion)
    return None


def _kind(value: Any) -> str:
    """What a JSON value is, as a message names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def malformed(where: str, value: Any, must: str) -> ModelError:
    """The error for a field of the answer that is not what its API documents."""
    return ModelError(f"the answer is malformed: {where} is {_kind(value)}, not {must}")


def obj(value: Any, where: str) -> dict[str, Any]:
    """A JSON object of the answer; null (or absent) reads as an empty one."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise malformed(where, value, "an object")
    return value


def first_choice(data: dict[str, Any]) -> dict[str, Any] | None:
    """`choices[0]` of an OpenAI-style answer or event; None when there are no choices."""
    choices = data.get("choices")
    if choices is None or choices == []:
        return None
    if not isinstance(choices, list):
        raise malformed("choices", choices, "a list")
    if not isinstance(choices[0], dict):
        raise ModelError(
            f"the model returned no choices: choices[0] is {_kind(choices[0])}, not an object"
        )
    return choices[0]


def string(value: Any, where: str) -> str:
    """Answer text that the API gives as a string; null (or absent) is no text."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise malformed(where, value, "a string")
    return value


def text(content: Any, where: str) -> str:
    """Answer text: a string, or a list of chunks whose text ones are {"type": "text", "text":
    ...} (others, such as references, hold none)."""
    if not isinstance(content, list):
        return string(content, where)
    pieces = []
    for i, chunk in enumerate(content):
        piece = obj(chunk, f"{where}[{i}]").get("text")
        pieces.append(string(piece, f"{where}[{i}].text"))
    return "".join(pieces)


def reason(value: Any) -> str | None:
    """A finish reason: only ever compared, so anything but a string is none."""
    return value if isinstance(value, str) else None


# Where error bodies keep their text: Mistral's `message` (a string, or an object holding a
# `detail` list), FastAPI's `detail`, OpenAI-style `error` (a string for Ollama, an object
# for OpenAI, vLLM and llama.cpp).
_MESSAGE_KEYS = ("message", "detail", "error")


def error_message(content: bytes, key: Secret) -> str:
    """One line from an error body, whatever its shape: `message` as a string or an object,
    FastAPI's `detail` list, or an HTML page from a proxy; the key redacted from it."""
    body = content.decode("utf-8", "replace").strip()
    try:
        data = parse(body)
    except ValueError:  # not JSON, or too deep to read: quoted as it came
        data = None
    if isinstance(data, dict) and any(key in data for key in _MESSAGE_KEYS):
        message = _flatten(data)
    elif body.startswith("<"):
        message = "an HTML error page"
    else:
        message = body
    # A lone surrogate from a JSON escape would stop the message being written: escaped.
    message = message.encode("utf-8", "backslashreplace").decode("utf-8")
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
