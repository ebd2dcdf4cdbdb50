"""What the fakes of other model servers share with the Codestral fake, and with each other.

``FakeCodestral`` (tests/fakes/codestral.py) already has the server: a loopback port, requests
recorded, faults (``fail``, ``hang``, ``cut_stream``), a gate for concurrency, latency, a
``responder``. A ``WireFake`` keeps all of that and changes what is its own: the route, how a
body is checked (``check``), what the responder is asked (``ask``), and how an answer is
written (``answer``). The responder gets the same dict as Codestral's (``prompt``, ``suffix``,
``max_tokens``), so ``tests/fakes/oracle.py`` answers every wire format.

Standard library only, and nothing from the project's ``bot`` package.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from typing import Any, cast

from .codestral import (
    FakeCodestral,
    _Cut,
    _Handler,
    _shape_text,
    estimate_tokens,
)

__all__ = ["Answer", "Refusal", "WireFake", "WireHandler", "created", "now", "split_text", "sse"]


@dataclass(frozen=True)
class Refusal:
    """An error answer: status and JSON body, as the real server sends them."""

    status: int
    body: Any


@dataclass(frozen=True)
class Answer:
    """What the model said, shaped by the request's stop and token limit."""

    text: str
    finish: str  # "stop" or "length"
    stopped_by: str  # the stop sequence that cut it, "" when none did
    prompt_tokens: int
    completion_tokens: int
    model: str


def now() -> str:
    """A timestamp as Ollama writes `created_at`."""
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def split_text(text: str, size: int) -> list[str]:
    """`text` in pieces of `size` characters, as a server streams tokens."""
    return [text[i : i + size] for i in range(0, len(text), max(1, size))]


def _stop_of(stops: Sequence[str], text: str) -> str:
    found = [(text.find(s), s) for s in stops if s and s in text]
    return min(found)[1] if found else ""


class WireHandler(_Handler):
    """The Codestral fake's handler with the body, the question and the answer left to the fake."""

    @property
    def wire(self) -> WireFake:
        return cast(WireFake, self.fake)

    def _authorized(self) -> bool:
        if not self.wire.api_key:
            return True
        return super()._authorized()

    def _fim(self, raw: bytes) -> None:
        fake = self.wire
        fake._wait_at_gate()
        fault = fake._next_fault()
        if self._answered_by_fault(fault):
            return
        if not self._authorized():
            self._refuse(fake.unauthorized())
            return
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError as error:
            self._refuse(fake.unreadable(str(error)))
            return
        refusal = fake.check(body)
        if refusal is not None:
            self._refuse(refusal)
            return
        question = fake.ask(body)
        try:
            text = fake.responder(copy.deepcopy(question))
            if not isinstance(text, str):
                raise TypeError(f"responder returned {type(text).__name__}, expected str")
        except Exception as exc:
            fake._note_error(exc)
            self._send_json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "Internal Server Error"})
            return
        stops = fake.stops(body)
        shaped, finish = _shape_text(text, {"stop": stops, "max_tokens": question["max_tokens"]})
        answer = Answer(
            text=shaped,
            finish=finish,
            stopped_by=_stop_of(stops, text) if finish == "stop" else "",
            prompt_tokens=estimate_tokens(question["prompt"] + question["suffix"]),
            completion_tokens=estimate_tokens(shaped),
            model=str(body.get("model") or "model.gguf"),
        )
        fake.answer(self, body, answer, cut=isinstance(fault, _Cut))

    def _refuse(self, refusal: Refusal) -> None:
        self._send_json(refusal.status, refusal.body)

    # -- answers ----------------------------------------------------------------------

    def whole(self, payload: Any, *, cut: bool) -> None:
        """One JSON answer; cut: half of it, then the connection drops."""
        data = json.dumps(payload).encode()
        if not cut:
            self._send(HTTPStatus.OK, data)
            return
        self.close_connection = True
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])

    def events(self, events: list[bytes], content_type: str, *, cut: bool) -> None:
        """A chunked stream of `events`; cut: the first two, then the connection drops with
        no last event and no terminating chunk."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        if cut:
            self.send_header("Connection", "close")
        self.end_headers()
        if cut:
            self.close_connection = True
            for event in events[:2]:
                self._write_chunk(event)
            return
        for event in events:
            self._write_chunk(event)
        self._done()
        self.wfile.write(b"0\r\n\r\n")


class WireFake(FakeCodestral):
    """Base of the other fakes: no key is needed unless one is given (local servers)."""

    handler_class = WireHandler

    def __init__(self, api_key: str | None = None) -> None:
        super().__init__(api_key=api_key or "")

    # -- what each fake says ------------------------------------------------------------

    def check(self, body: Any) -> Refusal | None:
        """An error answer for a body the real server would refuse, else None."""
        raise NotImplementedError

    def ask(self, body: dict[str, Any]) -> dict[str, Any]:
        """What the responder gets: ``prompt``, ``suffix``, ``max_tokens`` (None: no limit)."""
        raise NotImplementedError

    def stops(self, body: dict[str, Any]) -> list[str]:
        raise NotImplementedError

    def streams(self, body: dict[str, Any]) -> bool:
        raise NotImplementedError

    def answer(
        self, handler: WireHandler, body: dict[str, Any], answer: Answer, *, cut: bool
    ) -> None:
        raise NotImplementedError

    def unauthorized(self) -> Refusal:
        return Refusal(HTTPStatus.UNAUTHORIZED, {"error": "unauthorized"})

    def unreadable(self, error: str) -> Refusal:
        """The body is not JSON."""
        return Refusal(HTTPStatus.BAD_REQUEST, {"error": error})


def sse(payload: Any) -> bytes:
    """One server-sent event: `data: <json>` and a blank line."""
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


def created() -> int:
    return int(time.time())
