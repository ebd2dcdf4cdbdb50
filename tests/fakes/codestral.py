"""A fake of Mistral's Codestral fill-in-the-middle API for tests.

Written from Mistral's public API reference for ``POST /v1/fim/completions``
(request schema ``FIMCompletionRequest``, response ``FIMCompletionResponse``,
streaming ``CompletionChunk`` events) and from error bodies the real service
has been seen to return.  It deliberately imports nothing from the project's
``bot`` package, so that tests against it can catch the client's mistakes.

Standard library only.  Usage::

    with FakeCodestral() as fake:
        fake.respond("pass\\n")
        httpx.post(f"{fake.base_url}/fim/completions", ...)
        assert fake.requests[0].body["model"] == "codestral-latest"
"""

from __future__ import annotations

import contextlib
import copy
import json
import socket
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar, Literal, TypeAlias, cast

__all__ = [
    "DEFAULT_COMPLETION",
    "FIM_PATH",
    "ErrorStyle",
    "FakeCodestral",
    "RecordedRequest",
    "Responder",
    "estimate_tokens",
]

FIM_PATH = "/v1/fim/completions"
"""The only route the fake serves."""

DEFAULT_COMPLETION = "    return None\n"
"""Text answered when no responder has been configured."""

CHARS_PER_TOKEN = 4
"""Crude token estimate used for ``usage`` and for ``max_tokens`` truncation."""

Responder: TypeAlias = Callable[[dict[str, Any]], str]
"""Takes the parsed (and already validated) request body, returns the completion."""

ErrorStyle: TypeAlias = Literal["detail", "mistral"]
"""Shape of 422 bodies: bare FastAPI ``{"detail": [...]}`` or Mistral's wrapped error."""


def estimate_tokens(text: str) -> int:
    """Return the fake's token estimate for ``text`` (``len // 4 + 1``)."""
    return len(text) // CHARS_PER_TOKEN + 1


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request as the fake received it."""

    path: str
    """Request target as sent, including any query string."""
    headers: dict[str, str]
    """Request headers with lower-case names."""
    body: Any
    """Parsed JSON body, or None when the body was empty or not valid JSON."""
    time: float
    """``time.monotonic()`` when the request body had been read."""
    method: str = "POST"


# --------------------------------------------------------------------------- faults


@dataclass(frozen=True)
class _Fail:
    status: int
    retry_after: str | None
    body: bytes
    content_type: str


@dataclass(frozen=True)
class _Hang:
    pass


@dataclass(frozen=True)
class _Cut:
    pass


@dataclass(frozen=True)
class _Raw:
    """An answer written as given: a whole body (Content-Length) or a chunked stream of
    `chunks`, `every` seconds apart; `endless` repeats the last chunk until the client goes
    or the fake is released or stopped."""

    status: int
    content_type: str
    chunks: tuple[bytes, ...]
    every: float
    chunked: bool
    endless: bool
    headers: tuple[tuple[str, str], ...] = ()


_Fault: TypeAlias = _Fail | _Hang | _Cut | _Raw


@dataclass(frozen=True, eq=False)
class _Gate:
    target: int
    timeout: float


def _default_error_body(status: int) -> dict[str, Any]:
    """Return the JSON body the real service (or its gateway) sends for ``status``."""
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        return {"message": "Requests rate limit exceeded"}
    if status == HTTPStatus.UNAUTHORIZED:
        return {"message": "Unauthorized", "request_id": uuid.uuid4().hex}
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return {"detail": phrase}


# ----------------------------------------------------------------------- validation

# name -> (kind, nullable).  Order follows Mistral's FIMCompletionRequest schema.
_FIELDS: dict[str, tuple[str, bool]] = {
    "model": ("str", False),
    "temperature": ("number", True),
    "top_p": ("number", False),
    "max_tokens": ("int", True),
    "stream": ("bool", False),
    "stop": ("stop", False),
    "random_seed": ("int", True),
    "metadata": ("object", True),
    "prompt": ("str", False),
    "suffix": ("str", True),
    "min_tokens": ("int", True),
}
_REQUIRED = frozenset({"model", "prompt"})

_TYPE_ERRORS: dict[str, tuple[str, str]] = {
    "str": ("string_type", "Input should be a valid string"),
    "number": ("float_type", "Input should be a valid number"),
    "int": ("int_type", "Input should be a valid integer"),
    "bool": ("bool_type", "Input should be a valid boolean"),
    "object": ("dict_type", "Input should be a valid dictionary"),
    "list": ("list_type", "Input should be a valid list"),
}


def _is_kind(kind: str, value: Any) -> bool:
    """Check ``value`` strictly: no bool for numbers, no numbers for bools, etc."""
    if kind == "str":
        return isinstance(value, str)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "object":
        return isinstance(value, dict)
    raise AssertionError(kind)


def _error(kind: str, loc: list[str | int], value: Any) -> dict[str, Any]:
    err_type, msg = _TYPE_ERRORS[kind]
    return {"type": err_type, "loc": loc, "msg": msg, "input": value}


def _stop_errors(value: Any) -> list[dict[str, Any]]:
    """Validate ``stop: str | list[str]`` the way pydantic reports union failures."""
    if isinstance(value, str):
        return []
    if isinstance(value, list):
        bad = [i for i, item in enumerate(value) if not isinstance(item, str)]
        if not bad:
            return []
        errors = [_error("str", ["body", "stop", "str"], value)]
        errors += [_error("str", ["body", "stop", "list[str]", i], value[i]) for i in bad]
        return errors
    return [
        _error("str", ["body", "stop", "str"], value),
        _error("list", ["body", "stop", "list[str]"], value),
    ]


def validate_fim_body(body: Any) -> list[dict[str, Any]]:
    """Return pydantic-style errors for a FIM request body; empty when it is valid."""
    if not isinstance(body, dict):
        return [
            {
                "type": "model_attributes_type",
                "loc": ["body"],
                "msg": "Input should be a valid dictionary or object to extract fields from",
                "input": body,
            }
        ]
    errors: list[dict[str, Any]] = []
    for name, (kind, nullable) in _FIELDS.items():
        if name not in body:
            if name in _REQUIRED:
                errors.append(
                    {
                        "type": "missing",
                        "loc": ["body", name],
                        "msg": "Field required",
                        "input": body,
                    }
                )
            continue
        value = body[name]
        if value is None and nullable:
            continue
        if kind == "stop":
            errors += _stop_errors(value)
        elif not _is_kind(kind, value):
            errors.append(_error(kind, ["body", name], value))
    for name, value in body.items():
        if name not in _FIELDS:
            errors.append(
                {
                    "type": "extra_forbidden",
                    "loc": ["body", name],
                    "msg": "Extra inputs are not permitted",
                    "input": value,
                }
            )
    return errors


def _shape_text(text: str, body: dict[str, Any]) -> tuple[str, str]:
    """Apply ``stop`` then ``max_tokens`` to ``text``; return (text, finish_reason)."""
    stop = body.get("stop")
    stops = [stop] if isinstance(stop, str) else list(stop or [])
    cuts = [text.find(s) for s in stops if s and s in text]
    if cuts:
        text = text[: min(cuts)]
    max_tokens = body.get("max_tokens")
    if max_tokens is not None and len(text) > max_tokens * CHARS_PER_TOKEN:
        return text[: max(max_tokens, 0) * CHARS_PER_TOKEN], "length"
    return text, "stop"


# --------------------------------------------------------------------------- server


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, fake: FakeCodestral) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), fake.handler_class)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore dropped connections; keep anything else for the test to see."""
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            return
        if isinstance(exc, Exception):
            self.fake._note_error(exc)
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeCodestral/1.0"
    _counted = False

    @property
    def fake(self) -> FakeCodestral:
        return cast(_Server, self.server).fake

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def setup(self) -> None:
        super().setup()
        # Small writes (headers, then body, then SSE events) must not wait for
        # delayed ACKs: Nagle's algorithm would add ~40 ms per answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.fake._track_connection(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.fake._track_connection(self.connection, add=False)

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    # -- plumbing ---------------------------------------------------------------

    def _read_body(self) -> bytes | None:
        """Read the request body (Content-Length or chunked); None if unreadable."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts: list[bytes] = []
            while True:
                line = self.rfile.readline(65537)
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    return None
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline(65537)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return None
        if length < 0:
            return None
        return self.rfile.read(length) if length else b""

    def _send(
        self,
        status: int,
        data: bytes,
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self._done()  # the client cannot see the answer before we stop counting it
        self.end_headers()
        self.wfile.write(data)

    def _send_json(
        self, status: int, payload: Any, headers: Mapping[str, str] | None = None
    ) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json", headers)

    def _send_422(self, errors: list[dict[str, Any]]) -> None:
        payload: dict[str, Any]
        if self.fake.error_style == "mistral":
            payload = {
                "object": "error",
                "message": {"detail": errors},
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            }
        else:
            payload = {"detail": errors}
        self._send_json(HTTPStatus.UNPROCESSABLE_ENTITY, payload)

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")

    # -- routing ----------------------------------------------------------------

    def _dispatch(self, method: str) -> None:
        fake = self.fake
        raw = self._read_body()
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        headers = {name.lower(): value for name, value in self.headers.items()}
        fake._enter(RecordedRequest(self.path, headers, body, time.monotonic(), method))
        self._counted = True
        try:
            if raw is None:
                self.close_connection = True
                self._send_json(HTTPStatus.BAD_REQUEST, {"detail": "Malformed request body"})
            elif self.path.split("?", 1)[0] != fake.route:
                self._send_json(HTTPStatus.NOT_FOUND, fake.not_found_body)
            elif method != "POST":
                self._send_json(
                    HTTPStatus.METHOD_NOT_ALLOWED,
                    {"detail": "Method Not Allowed"},
                    {"Allow": "POST"},
                )
            else:
                self._fim(raw)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            self._done()

    def _done(self) -> None:
        """Stop counting this request as in flight (once)."""
        if self._counted:
            self._counted = False
            self.fake._leave()

    def _answered_by_fault(self, fault: _Fault | None) -> bool:
        """Answer as the queued fault says, before any check of the request (as a gateway
        or a broken server would); False when the fault (if any) leaves the answer to come."""
        fake = self.fake
        if isinstance(fault, _Hang):
            fake._hang()
            self.close_connection = True  # never answer; drop the connection
            return True
        fake._sleep_latency()
        if isinstance(fault, _Fail):
            extra = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            self._send(fault.status, fault.body, fault.content_type, extra)
            return True
        if isinstance(fault, _Raw):
            self._send_raw(fault)
            return True
        return False

    def _send_raw(self, raw: _Raw) -> None:
        fake = self.fake
        release = fake._release_signal()
        self.send_response(raw.status)
        self.send_header("Content-Type", raw.content_type)
        if raw.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(sum(len(c) for c in raw.chunks)))
        for name, value in raw.headers:
            self.send_header(name, value)
        self.end_headers()
        write = self._write_chunk if raw.chunked else self.wfile.write
        chunks = list(raw.chunks)
        while chunks:
            chunk = chunks.pop(0)
            write(chunk)
            self.wfile.flush()
            if raw.endless and not chunks:
                chunks.append(chunk)
            if (chunks or raw.endless) and raw.every > 0 and fake._pause(raw.every, release):
                self.close_connection = True  # released or stopped: hang up mid-answer
                return
        if raw.chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _fim(self, raw: bytes) -> None:
        fake = self.fake
        fake._wait_at_gate()
        fault = fake._next_fault()
        if self._answered_by_fault(fault):
            return

        if not self._authorized():
            self._send_json(HTTPStatus.UNAUTHORIZED, _default_error_body(HTTPStatus.UNAUTHORIZED))
            return
        if not raw:
            self._send_422(
                [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}]
            )
            return
        try:
            body = json.loads(raw)
        except ValueError as exc:
            pos = exc.pos if isinstance(exc, json.JSONDecodeError) else 0
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            self._send_422(
                [
                    {
                        "type": "json_invalid",
                        "loc": ["body", pos],
                        "msg": "JSON decode error",
                        "input": {},
                        "ctx": {"error": reason},
                    }
                ]
            )
            return
        errors = validate_fim_body(body)
        if errors:
            self._send_422(errors)
            return

        try:
            text = fake.responder(copy.deepcopy(body))
            if not isinstance(text, str):
                raise TypeError(f"responder returned {type(text).__name__}, expected str")
        except Exception as exc:
            fake._note_error(exc)
            self._send_json(HTTPStatus.INTERNAL_SERVER_ERROR, {"detail": "Internal Server Error"})
            return

        # A server that ignores max_tokens (some self-hosted ones do) answers at any length.
        limits = body if fake.honours_max_tokens else {**body, "max_tokens": None}
        text, finish_reason = _shape_text(text, limits)
        prompt_tokens = estimate_tokens(body["prompt"] + (body.get("suffix") or ""))
        completion_tokens = estimate_tokens(text)
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        cut = isinstance(fault, _Cut)
        if body.get("stream") is True:
            self._answer_stream(body["model"], text, finish_reason, usage, cut=cut)
        else:
            self._answer_json(body["model"], text, finish_reason, usage, cut=cut)

    def _authorized(self) -> bool:
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and token == self.fake.api_key

    # -- answers ----------------------------------------------------------------

    def _answer_json(
        self, model: str, text: str, finish_reason: str, usage: dict[str, int], *, cut: bool
    ) -> None:
        payload = {
            "id": uuid.uuid4().hex,
            "object": "chat.completion",
            "model": model,
            "created": int(time.time()),
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": text,
                        "tool_calls": None,
                        "prefix": False,
                    },
                    "finish_reason": finish_reason,
                }
            ],
            "usage": usage,
        }
        data = json.dumps(payload).encode()
        if not cut:
            self._send(HTTPStatus.OK, data)
            return
        # Promise the whole body, deliver half of it, hang up.
        self.close_connection = True
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])

    def _answer_stream(
        self, model: str, text: str, finish_reason: str, usage: dict[str, int], *, cut: bool
    ) -> None:
        completion_id = uuid.uuid4().hex
        created = int(time.time())

        def event(delta: dict[str, str], reason: str | None, **extra: Any) -> bytes:
            chunk = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": reason}],
                **extra,
            }
            return b"data: " + json.dumps(chunk).encode() + b"\n\n"

        size = max(1, self.fake.stream_chunk_chars)
        pieces = [text[i : i + size] for i in range(0, len(text), size)]

        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        if cut:
            self.send_header("Connection", "close")
        self.end_headers()

        if cut:
            # One or two content events, then the connection drops: no final
            # event, no [DONE], no terminating zero-length chunk.
            self.close_connection = True
            for piece in pieces[:2] or [""]:
                self._write_chunk(event({"role": "assistant", "content": piece}, None))
            return

        for piece in pieces:
            self._write_chunk(event({"role": "assistant", "content": piece}, None))
        self._write_chunk(event({"content": ""}, finish_reason, usage=usage))
        self._write_chunk(b"data: [DONE]\n\n")
        self._done()
        self.wfile.write(b"0\r\n\r\n")


# ----------------------------------------------------------------------------- fake


class FakeCodestral:
    """In-process HTTP fake of ``POST /v1/fim/completions`` with fault injection.

    Faults queued with :meth:`fail`, :meth:`hang`, :meth:`cut_stream`, :meth:`send`
    and :meth:`stream` are consumed first-in first-out, one per request to the FIM
    route, before normal answers resume.  All but ``cut_stream`` happen before
    authentication and body validation (as a gateway, or a broken server, would):
    ``send`` and ``stream`` answer with exactly the bytes given, at the pace given.
    A ``cut_stream`` fault is spent by the next FIM request and only cuts it if that
    request would otherwise succeed.

    Fakes of other servers (``tests/fakes/fim_servers.py``) subclass it with
    their own ``route``, ``not_found_body`` and ``handler_class`` (whose
    ``_fim`` reads and answers their wire format), keeping all of the above.
    """

    route: ClassVar[str] = FIM_PATH
    """The one path the fake serves; any other is answered 404."""
    not_found_body: ClassVar[Any] = {"detail": "Not Found"}
    handler_class: ClassVar[type[BaseHTTPRequestHandler]] = _Handler

    def __init__(self, api_key: str = "test-key") -> None:
        self.api_key = api_key
        self.responder: Responder = _constant(DEFAULT_COMPLETION)
        self.error_style: ErrorStyle = "detail"
        self.latency: float = 0.0
        self.stream_chunk_chars: int = CHARS_PER_TOKEN
        self.honours_max_tokens = True  # False: answers are not cut at max_tokens
        self._cond = threading.Condition()
        self._requests: list[RecordedRequest] = []
        self._errors: list[BaseException] = []
        self._faults: deque[_Fault] = deque()
        self._in_flight = 0
        self._max_in_flight = 0
        self._gate: _Gate | None = None
        self._release_event = threading.Event()
        self._stopped = threading.Event()
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None

    # -- lifecycle --------------------------------------------------------------

    def start(self) -> FakeCodestral:
        """Start serving on 127.0.0.1 on a free port, in a daemon thread."""
        if self._server is not None or self._stopped.is_set():
            raise RuntimeError("FakeCodestral can be started only once")
        server = _Server(self)
        self._server = server
        self._port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=f"FakeCodestral:{self._port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut the server down, releasing hung, gated and sleeping handlers."""
        server = self._server
        if server is None or self._stopped.is_set():
            return
        with self._cond:
            self._stopped.set()
            self._release_event.set()
            self._cond.notify_all()
        server.shutdown()
        with self._cond:
            self._cond.wait_for(lambda: self._in_flight == 0, timeout=2.0)
            connections = list(self._connections)
        for conn in connections:  # idle keep-alive connections
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2.0)

    def __enter__(self) -> FakeCodestral:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """TCP port the fake listens on."""
        if self._port is None:
            raise RuntimeError("FakeCodestral is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """API root, e.g. ``http://127.0.0.1:PORT/v1``; the client appends the route."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def fim_url(self) -> str:
        """Full URL of the FIM endpoint."""
        return f"{self.base_url}/fim/completions"

    # -- answers ----------------------------------------------------------------

    def respond(self, text: str) -> None:
        """Answer every request with ``text``."""
        self.responder = _constant(text)

    def respond_by_marker(
        self, mapping: Mapping[str, str], *, default: str = DEFAULT_COMPLETION
    ) -> None:
        """Answer with the value of the first key found in prompt + suffix, else ``default``."""
        table = dict(mapping)

        def responder(body: dict[str, Any]) -> str:
            haystack = str(body.get("prompt") or "") + str(body.get("suffix") or "")
            for marker, text in table.items():
                if marker in haystack:
                    return text
            return default

        self.responder = responder

    # -- faults -----------------------------------------------------------------

    def fail(
        self,
        status: int,
        *,
        times: int = 1,
        retry_after: str | None = None,
        body: str | None = None,
        content_type: str = "application/json",
    ) -> None:
        """Queue ``times`` error answers with ``status`` (and optional Retry-After)."""
        if not 100 <= status <= 599:
            raise ValueError(f"not an HTTP status: {status}")
        _check_times(times)
        raw = json.dumps(_default_error_body(status)).encode() if body is None else body.encode()
        with self._cond:
            self._faults.extend(_Fail(status, retry_after, raw, content_type) for _ in range(times))

    def hang(self, times: int = 1) -> None:
        """Queue ``times`` requests that never get an answer (until release/stop)."""
        _check_times(times)
        with self._cond:
            self._faults.extend(_Hang() for _ in range(times))

    def cut_stream(self, times: int = 1) -> None:
        """Queue ``times`` answers that are cut off mid-body (no ``[DONE]`` when streaming)."""
        _check_times(times)
        with self._cond:
            self._faults.extend(_Cut() for _ in range(times))

    def send(
        self,
        body: str | bytes,
        *,
        status: int = HTTPStatus.OK,
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
        every: float = 0.0,
        times: int = 1,
    ) -> None:
        """Queue ``times`` answers of exactly ``body`` (any bytes, any status, any further
        ``headers``); ``every`` > 0 trickles it one byte every ``every`` seconds, as a server
        stuck mid-answer does."""
        _check_times(times)
        data = _raw_bytes(body)
        chunks = tuple(data[i : i + 1] for i in range(len(data))) if every > 0 else (data,)
        extra = tuple((headers or {}).items())
        raw = _Raw(status, content_type, chunks, every, chunked=False, endless=False, headers=extra)
        with self._cond:
            self._faults.extend(raw for _ in range(times))

    def stream(
        self,
        chunks: list[str | bytes],
        *,
        every: float = 0.0,
        endless: bool = False,
        content_type: str = "text/event-stream; charset=utf-8",
        headers: Mapping[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Queue ``times`` 200 answers streamed (chunked) as exactly ``chunks`` (each a chunk:
        ``"data: {...}\\n\\n"`` for server-sent events), ``every`` seconds apart; ``endless``
        keeps sending the last one forever, a stream that never ends."""
        if endless and every <= 0:
            raise ValueError("an endless stream needs every > 0")
        _check_times(times)
        data = tuple(_raw_bytes(c) for c in chunks)
        extra = tuple((headers or {}).items())
        raw = _Raw(HTTPStatus.OK, content_type, data, every, True, endless, headers=extra)
        with self._cond:
            self._faults.extend(raw for _ in range(times))

    def release(self) -> None:
        """Let currently hanging handlers go; they drop their connection unanswered."""
        with self._cond:
            event, self._release_event = self._release_event, threading.Event()
        event.set()

    @property
    def pending_faults(self) -> int:
        """Number of queued faults not yet consumed."""
        with self._cond:
            return len(self._faults)

    # -- concurrency ------------------------------------------------------------

    def hold_until_in_flight(self, n: int, timeout: float = 10.0) -> None:
        """Hold FIM requests until ``n`` requests are in flight together (or ``timeout``).

        Once ``n`` is reached (or any held handler's timeout expires) the gate
        opens for good and all held requests are answered.
        """
        if n < 1:
            raise ValueError("n must be at least 1")
        with self._cond:
            self._gate = _Gate(n, timeout)
            self._cond.notify_all()

    @property
    def gate(self) -> int | None:
        """In-flight count the armed gate waits for, or None when no gate is armed."""
        with self._cond:
            return None if self._gate is None else self._gate.target

    @property
    def in_flight(self) -> int:
        """Requests currently being handled."""
        with self._cond:
            return self._in_flight

    @property
    def max_in_flight(self) -> int:
        """Peak number of requests handled at the same time."""
        with self._cond:
            return self._max_in_flight

    # -- recording --------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Snapshot of every request received so far, in arrival order."""
        with self._cond:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget recorded requests (counters are kept)."""
        with self._cond:
            self._requests.clear()

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions raised inside the fake (e.g. by a responder); should stay empty."""
        with self._cond:
            return list(self._errors)

    # -- used by the handler ----------------------------------------------------

    def _enter(self, record: RecordedRequest) -> None:
        with self._cond:
            self._requests.append(record)
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            self._cond.notify_all()

    def _leave(self) -> None:
        with self._cond:
            self._in_flight -= 1
            self._cond.notify_all()

    def _wait_at_gate(self) -> None:
        with self._cond:
            gate = self._gate
            if gate is None:
                return
            self._cond.wait_for(
                lambda: (
                    self._stopped.is_set()
                    or self._gate is not gate
                    or self._in_flight >= gate.target
                ),
                timeout=gate.timeout,
            )
            if self._gate is gate:
                self._gate = None
                self._cond.notify_all()

    def _next_fault(self) -> _Fault | None:
        with self._cond:
            return self._faults.popleft() if self._faults else None

    def _hang(self) -> None:
        with self._cond:
            if self._stopped.is_set():
                return
            event = self._release_event
        event.wait()

    def _release_signal(self) -> threading.Event:
        """What `release()` will set next (taken before a handler starts waiting)."""
        with self._cond:
            return self._release_event

    def _pause(self, seconds: float, release: threading.Event) -> bool:
        """Wait `seconds`; True when released or stopped meanwhile (the handler gives up)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self._stopped.is_set() or release.wait(min(left, 0.05)):
                return True
        return self._stopped.is_set()

    def _sleep_latency(self) -> None:
        if self.latency > 0:
            self._stopped.wait(self.latency)

    def _note_error(self, exc: BaseException) -> None:
        with self._cond:
            self._errors.append(exc)

    def _track_connection(self, conn: socket.socket, *, add: bool) -> None:
        with self._cond:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)


def _constant(text: str) -> Responder:
    def responder(body: dict[str, Any]) -> str:
        return text

    return responder


def _raw_bytes(text: str | bytes) -> bytes:
    """Text as UTF-8, a lone surrogate written as its three bytes (no server should send it,
    which is what a test may want)."""
    return text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text


def _check_times(times: int) -> None:
    if times < 1:
        raise ValueError("times must be at least 1")
