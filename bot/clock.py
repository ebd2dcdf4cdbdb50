"""Every wait of the bot goes through one clock, so tests can run with no sleeping at all."""

from __future__ import annotations

import asyncio
import logging
import time

log = logging.getLogger("bot.clock")


class Clock:
    """Sleeps `seconds * scale` (FIM_BOT_TIME_SCALE); logs each wait at debug level."""

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale

    async def sleep(self, seconds: float, *, why: str) -> None:
        log.debug("wait %.3fs: %s", seconds, why)
        if seconds > 0 and self.scale > 0:
            await asyncio.sleep(seconds * self.scale)

    def wait(self, seconds: float, *, why: str) -> None:
        """The same, for synchronous code (the GitHub client)."""
        log.debug("wait %.3fs: %s", seconds, why)
        if seconds > 0 and self.scale > 0:
            time.sleep(seconds * self.scale)


def seconds(value: float) -> str:
    """A number of seconds as the user wrote it: 10, not 10.0; 1.5 as it is."""
    number = float(value)  # an int is a float to the type checker, without is_integer()
    return str(int(number)) if number.is_integer() else repr(number)
