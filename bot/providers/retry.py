"""When to try a request again, and how long to wait first."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

# Worth another try: rate limits and the server's own failures. Any other 4xx is the request's
# fault and would fail the same way again.
RETRY_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529})


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """Exponential back-off with jitter: try n waits `base * 2^n`, scaled by a random factor in
    [0.5, 1] (so that many clients don't retry in step), capped; all the waits of one request
    together stay within `budget` seconds."""

    attempts: int = 5
    base: float = 1.0
    cap: float = 30.0
    budget: float = 120.0

    def backoff(self, retry: int, rng: random.Random) -> float:
        """The wait before retry number `retry` (0-based)."""
        return float(min(self.cap, self.base * 2.0**retry) * (0.5 + rng.random() / 2))


def retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a `Retry-After` header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        # float() also reads "nan" and "inf": a NaN wait would slip past every budget check.
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max((when - (now or datetime.now(timezone.utc))).total_seconds(), 0.0)
