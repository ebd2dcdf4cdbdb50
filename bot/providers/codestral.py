"""Mistral's fill-in-the-middle API: Codestral's own endpoint and Mistral's main one.

API: POST {base}/fim/completions (https://docs.mistral.ai/api/#tag/fim). Only documented fields
are sent: the API answers 422 to any other.
"""

from __future__ import annotations

import json
import logging
import random
from typing import Any

import httpx

from bot.clock import Clock
from bot.data import Completion, Prompt, Usage
from bot.errors import AuthError
from bot.providers import ModelError, ModelParams, Secret
from bot.providers.retry import RETRY_STATUSES, RetryPolicy, retry_after

log = logging.getLogger("bot.model")

# LiteLLM's and others' spellings of the same models.
_MODEL_PREFIXES = ("text-completion-codestral/", "codestral/", "mistral/")


class _Transient(Exception):
    """Worth another try: a rate limit, a server error, a connection problem."""

    def __init__(self, message: str, *, wait: float | None = None) -> None:
        super().__init__(message)
        self.wait = wait


def model_name(name: str) -> str:
    for prefix in _MODEL_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


class MistralFIM:
    """A `Provider` for `POST {base}/fim/completions`."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: Secret,
        key_variable: str,
        params: ModelParams,
        clock: Clock,
        retry: RetryPolicy | None = None,
        concurrency: int = 8,
        transport: httpx.AsyncBaseTransport | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + "/fim/completions"
        self._key_variable = key_variable
        self._key = _usable_key(api_key, key_variable)
        self._params = params
        self._clock = clock
        self._retry = retry or RetryPolicy()
        self._rng = rng or random.Random()
        self._client = httpx.AsyncClient(
            headers={
                "Authorization": f"Bearer {self._key.reveal()}",
                "Accept": "text/event-stream" if params.stream else "application/json",
            },
            timeout=httpx.Timeout(params.timeout, connect=min(params.timeout, 10.0)),
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"MistralFIM(url={self._url!r}, model={self._params.model!r})"

    async def aclose(self) -> None:
        await self._client.aclose()

    def body(self, prompt: Prompt) -> dict[str, Any]:
        """The JSON body for `prompt`: documented fields only, unset ones left out."""
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
            "stop": list(dict.fromkeys((*p.stop, *prompt.stop))) or None,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        return body

    async def complete(self, prompt: Prompt) -> Completion:
        body = self.body(prompt)
        waited = 0.0
        last = "no attempt made"
        for attempt in range(self._retry.attempts):
            try:
                return await (self._stream(body) if self._params.stream else self._once(body))
            except _Transient as error:
                last = str(error)
                if attempt + 1 == self._retry.attempts:
                    break
                wait = error.wait
                if wait is None:
                    wait = self._retry.backoff(attempt, self._rng)
                if waited + wait > self._retry.budget:
                    budget = self._retry.budget
                    last += f" (a wait of {wait:.0f}s would pass the {budget:.0f}s retry budget)"
                    break
                waited += wait
                await self._clock.sleep(wait, why=f"retry {attempt + 1} after {error}")
        raise ModelError(f"model API failed after retries: {last}")

    async def _once(self, body: dict[str, Any]) -> Completion:
        try:
            response = await self._client.post(self._url, json=body)
        except httpx.TransportError as error:
            raise self._transport_error(error) from None
        self._check(response, response.content)
        try:
            data = response.json()
        except ValueError:
            raise _Transient("the answer was not JSON") from None
        return _completion(data)

    async def _stream(self, body: dict[str, Any]) -> Completion:
        """Server-sent events: `data: {chunk}` lines, `data: [DONE]` at the end."""
        pieces: list[str] = []
        finish: str | None = None
        usage: Usage | None = None
        try:
            async with self._client.stream("POST", self._url, json=body) as response:
                if response.status_code != 200:
                    self._check(response, await response.aread())
                async for line in response.aiter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[len("data:") :].strip()
                    if data == "[DONE]":
                        return Completion(text="".join(pieces), finish_reason=finish, usage=usage)
                    chunk = _json(data)
                    choice = (chunk.get("choices") or [{}])[0]
                    delta = choice.get("delta") or {}
                    pieces.append(_content(delta.get("content")))
                    finish = choice.get("finish_reason") or finish
                    usage = _usage(chunk.get("usage")) or usage
        except httpx.TransportError as error:
            raise self._transport_error(error) from None
        raise _Transient("the stream ended before [DONE]")

    def _transport_error(self, error: httpx.TransportError) -> Exception:
        """A connection problem is worth another try; a request httpx cannot even send is not."""
        message = self._redact(_describe(error))
        if isinstance(error, (httpx.UnsupportedProtocol, httpx.LocalProtocolError)):
            return ModelError(f"model API request could not be sent: {message}")
        return _Transient(message)

    def _redact(self, text: str) -> str:
        """Servers and proxies may echo the key back ("Incorrect API key provided: sk-...")."""
        return text.replace(self._key.reveal(), "***")

    def _check(self, response: httpx.Response, content: bytes) -> None:
        status = response.status_code
        if status == 200:
            return
        message = self._redact(_error_message(content))
        if status == 401:
            raise AuthError(
                f"the model server rejected the API key (HTTP 401: {message}): "
                f"check {self._key_variable}"
            )
        if status in RETRY_STATUSES:
            raise _Transient(
                f"HTTP {status}: {message}", wait=retry_after(response.headers.get("Retry-After"))
            )
        raise ModelError(f"model API error HTTP {status}: {message}")


def _usable_key(api_key: Secret, key_variable: str) -> Secret:
    """The key as sent in a header: surrounding whitespace (a pasted secret's trailing newline)
    dropped. Any other character a header cannot carry would make httpx fail with the whole
    header, key included, in its error message and its debug log, so it is refused up front."""
    key = api_key.reveal().strip()
    if not key or not all("!" <= c <= "~" for c in key):
        raise AuthError(
            f"{key_variable} is not a usable API key: it is empty or holds spaces, line breaks "
            "or non-ASCII characters; check its value"
        )
    return Secret(key)


def _completion(data: Any) -> Completion:
    if not isinstance(data, dict):
        raise _Transient("the answer was not a JSON object")
    choices = data.get("choices")
    if not choices or not isinstance(choices, list) or not isinstance(choices[0], dict):
        raise ModelError("the model returned no choices")
    message = choices[0].get("message") or {}
    return Completion(
        text=_content(message.get("content")),
        finish_reason=choices[0].get("finish_reason"),
        usage=_usage(data.get("usage")),
    )


def _content(content: Any) -> str:
    """Message content: a string, or a list of chunks such as {"type": "text", "text": ...}."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(c.get("text", "") for c in content if isinstance(c, dict))
    return ""


def _usage(usage: Any) -> Usage | None:
    if not isinstance(usage, dict):
        return None
    prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
    if isinstance(prompt, int) and isinstance(completion, int):
        return Usage(prompt_tokens=prompt, completion_tokens=completion)
    return None


def _json(data: str) -> dict[str, Any]:
    try:
        chunk = json.loads(data)
    except ValueError:
        raise _Transient("a stream chunk was not JSON") from None
    if not isinstance(chunk, dict):
        raise _Transient("a stream chunk was not a JSON object")
    return chunk


# Where error bodies keep their text: Mistral's `message` (a string, or an object holding a
# `detail` list), FastAPI's `detail`, OpenAI-style `error`.
_MESSAGE_KEYS = ("message", "detail", "error")


def _error_message(content: bytes) -> str:
    """One line from an error body, whatever its shape: `message` as a string or an object,
    FastAPI's `detail` list, or an HTML page from a proxy."""
    text = content.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and any(key in data for key in _MESSAGE_KEYS):
        message = _flatten(data)
    elif text.startswith("<"):
        message = "an HTML error page"
    else:
        message = text[:300]
    # One line, whatever the server put in its messages.
    return " ".join(message.split())[:300] or "no details"


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


def _describe(error: httpx.TransportError) -> str:
    name = type(error).__name__
    return f"{name}: {error}" if str(error) else name
