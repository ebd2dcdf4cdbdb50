"""The one user-facing error type, caught once in `bot.main`."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class BotError(Exception):
    """An error the user can act on: its message says what to do, on one line."""

    def __init__(self, message: str, *, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class AuthError(BotError):
    """The model server rejected the API key; the whole run stops."""
