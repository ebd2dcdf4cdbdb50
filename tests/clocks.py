"""A clock for the model clients' unit tests: it never sleeps, and keeps every wait."""

from __future__ import annotations

from bot.clock import Clock


class RecordingClock(Clock):
    """A clock that never sleeps and keeps every wait it was asked for, in order."""

    def __init__(self) -> None:
        super().__init__(scale=0)
        self.waits: list[float] = []
        self.reasons: list[str] = []

    async def sleep(self, seconds: float, *, why: str) -> None:
        self.waits.append(seconds)
        self.reasons.append(why)
        await super().sleep(seconds, why=why)
