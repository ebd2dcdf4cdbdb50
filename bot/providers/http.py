"""What every provider over HTTP shares: the client, retries, streaming, errors.

A provider names its route, builds its body and reads its server's answers (`completion` for
a whole answer, `feed` for one streamed event); this module sends, retries (429 and 5xx with
back-off and Retry-After, within a budget, through the one clock), reads server-sent events or
newline-delimited JSON, bounds each attempt by `--timeout` of wall time, and turns every
failure into one line that never shows the key.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import httpx

from bot.clock import Clock, seconds
from bot.data import Completion, Prompt, Usage
from bot.errors import AuthError
from bot.providers import ModelError, ModelParams, Secret
from bot.providers.reading import TooDeep, error_message, parse
from bot.providers.retry import RETRY_STATUSES, RetryPolicy, retry_after

log = logging.getLogger("bot.model")
_DONE: dict[str, Any] = {"[DONE]": True}  # SSE's `data: [DONE]`, which ends OpenAI-style streams
# What httpx raises for a request it could not send or an answer it could not read (its
# InvalidURL, for a host the settings let through and IDNA refuses, is no HTTPError).
_SEND_ERRORS = (httpx.TransportError, httpx.DecodingError, httpx.InvalidURL)
_SendError = httpx.TransportError | httpx.DecodingError | httpx.InvalidURL


class Transient(Exception):
    """Worth another try: a rate limit, a server error, a connection problem."""

    def __init__(self, message: str, *, wait: float | None = None) -> None:
        super().__init__(message)
        self.wait = wait


@dataclass(slots=True)
class Streamed:
    """A streamed answer as far as it has come."""

    pieces: list[str] = field(default_factory=list)
    finish: str | None = None
    usage: Usage | None = None

    def completion(self) -> Completion:
        return Completion(text="".join(self.pieces), finish_reason=self.finish, usage=self.usage)


class HTTPProvider:
    """A `Provider` that POSTs one JSON body per hole to `{base}{route}`."""

    route: ClassVar[str]
    framing: ClassVar[Literal["sse", "ndjson"]] = "sse"  # how a streamed answer is cut up
    last_event: ClassVar[str] = "[DONE]"  # what ends a stream, as messages name it
    # Said after a refused connection: what should be running at {base}.
    connect_hint: ClassVar[str] = ""

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
        key_required: bool = True,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._url = self._base + self.route
        self._key_variable = key_variable
        self._key = _usable_key(api_key, key_variable) if api_key or key_required else Secret("")
        self._params = params
        self._clock = clock
        self._retry = retry or RetryPolicy()
        self._rng = rng or random.Random()
        headers = {"Accept": self.accept()}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key.reveal()}"
        self._client = httpx.AsyncClient(
            headers=headers,
            # `_attempt` bounds the whole request by --timeout; httpx's own timeouts bound
            # each read alone, which a trickled answer never trips: only connecting is left
            # to them, to be told apart ("ConnectTimeout") and shorter.
            timeout=httpx.Timeout(None, connect=min(params.timeout, 10.0)),
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
            transport=transport,
            # Certificates are checked on every https:// base. A plain http:// one (a local
            # Ollama or llama.cpp) has no TLS to check, and redirects are never followed, so
            # loading the CA bundle there would only cost each run about 0.1 s.
            verify=self._url.startswith("https://"),
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self._url!r}, model={self._params.model!r})"

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- what each provider says --------------------------------------------------------

    def accept(self) -> str:
        if not self._params.stream:
            return "application/json"
        return "text/event-stream" if self.framing == "sse" else "application/x-ndjson"

    def body(self, prompt: Prompt) -> dict[str, Any]:
        """The JSON body for `prompt`: documented fields only, unset ones left out."""
        raise NotImplementedError

    def completion(self, data: dict[str, Any]) -> Completion:
        """A whole (not streamed) answer: by default, read as the last event of a stream
        (Ollama and llama.cpp answer in the same shape either way)."""
        streamed = Streamed()
        self.feed(data, streamed)
        return streamed.completion()

    def feed(self, event: dict[str, Any], streamed: Streamed) -> bool:
        """Take one streamed event into `streamed`; True when it was the last one."""
        raise NotImplementedError

    def refusal(self, status: int, message: str) -> Exception | None:
        """A provider's own reading of an error answer (an unknown model...), else None."""
        return None

    def stops(self, prompt: Prompt) -> list[str]:
        """The user's stop sequences, then the hole's, each once."""
        return list(dict.fromkeys((*self._params.stop, *prompt.stop)))

    # -- sending ------------------------------------------------------------------------

    async def complete(self, prompt: Prompt) -> Completion:
        body = self.body(prompt)
        waited = 0.0
        last = "no attempt made"
        for attempt in range(self._retry.attempts):
            try:
                return await self._attempt(body)
            except Transient as error:
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

    async def _attempt(self, body: dict[str, Any]) -> Completion:
        """One request, bounded by `--timeout` of wall time from sending to the answer's end:
        httpx's own timeout bounds each read alone, and a server that trickles its answer, or
        streams one that never ends, would keep every read short and the request unending."""
        timeout = self._params.timeout
        try:
            return await asyncio.wait_for(
                self._stream(body) if self._params.stream else self._once(body), timeout
            )
        except asyncio.TimeoutError:
            raise Transient(f"no whole answer within --timeout {seconds(timeout)} s") from None

    async def _once(self, body: dict[str, Any]) -> Completion:
        try:
            response = await self._client.post(self._url, json=body)
        except _SEND_ERRORS as error:
            raise self._transport_error(error) from None
        self._check(response, response.content)
        try:
            data = parse(response.content)
        except TooDeep as error:
            raise Transient(f"the answer was {error}") from None
        except ValueError:
            raise Transient("the answer was not JSON") from None
        if not isinstance(data, dict):
            raise Transient("the answer was not a JSON object")
        return self.completion(data)

    async def _stream(self, body: dict[str, Any]) -> Completion:
        """Server-sent events (`data: {event}` lines) or one JSON object a line, until the
        provider's last event (or SSE's `data: [DONE]`)."""
        streamed = Streamed()
        try:
            async with self._client.stream("POST", self._url, json=body) as response:
                if response.status_code != 200:
                    self._check(response, await response.aread())
                # Server-sent events and JSON lines are UTF-8, whatever charset is declared.
                response.encoding = "utf-8"
                async for line in response.aiter_lines():
                    event = self._event(line)
                    if event is None:
                        continue
                    if event is _DONE:
                        return streamed.completion()
                    if "error" in event:  # a failure after the 200: inside the stream
                        raise self._stream_error(event)
                    if self.feed(event, streamed):
                        return streamed.completion()
        except _SEND_ERRORS as error:
            raise self._transport_error(error) from None
        raise Transient(f"the stream ended before {self.last_event}")

    def _event(self, line: str) -> dict[str, Any] | None:
        """One line of the stream as an event; None for what carries none (SSE comments such
        as ": ping", event names, ids, blank lines)."""
        if self.framing == "ndjson":
            return _json(line) if line.strip() else None
        if line.startswith("data:"):
            data = line[len("data:") :].strip()
            return _DONE if data == "[DONE]" else _json(data)
        if line.startswith("error:"):  # llama.cpp has sent its errors as `error: {...}`
            return {"error": _json(line[len("error:") :].strip())}
        return None

    def _stream_error(self, event: dict[str, Any]) -> Exception:
        message = error_message(json.dumps(event).encode(), self._key)
        status = event["error"].get("code") if isinstance(event["error"], dict) else None
        refused = self.refusal(status if isinstance(status, int) else 500, message)
        return refused or Transient(f"error in the stream: {message}")

    def _transport_error(self, error: _SendError) -> Exception:
        """A connection problem is worth another try, and so is an answer that cannot be
        decompressed (as one that is not JSON is); a request httpx cannot even send is not."""
        message = self._key.redact(_describe(error))
        if isinstance(error, httpx.DecodingError):
            return Transient(f"the answer could not be decoded: {message}")
        if isinstance(
            error, (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.InvalidURL)
        ):
            return ModelError(f"model API request could not be sent: {message}")
        if isinstance(error, httpx.ConnectError) and self.connect_hint:
            message += f" ({self.connect_hint.format(base=self._base)})"
        return Transient(message)

    def _check(self, response: httpx.Response, content: bytes) -> None:
        status = response.status_code
        if status == 200:
            return
        message = error_message(content, self._key)
        if status == 401:
            raise AuthError(
                f"the model server rejected the API key (HTTP 401: {message}): "
                f"check {self._key_variable}"
            )
        refused = self.refusal(status, message)
        if refused is not None:
            raise refused
        if status in RETRY_STATUSES:
            raise Transient(
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


def _json(data: str) -> dict[str, Any]:
    try:
        chunk = parse(data)
    except TooDeep as error:
        raise Transient(f"a stream chunk was {error}") from None
    except ValueError:
        raise Transient("a stream chunk was not JSON") from None
    if not isinstance(chunk, dict):
        raise Transient("a stream chunk was not a JSON object")
    return chunk


def _describe(error: _SendError) -> str:
    name = type(error).__name__
    return f"{name}: {error}" if str(error) else name
