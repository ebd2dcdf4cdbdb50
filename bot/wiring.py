"""What the entry points (`bot`, `fim-bot-hook`) share: the model client from the settings,
and logging to stderr that never shows a secret."""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.providers import Provider
    from bot.settings import Settings


def provider(resolved: Settings) -> Provider:
    """The model client the settings describe (call it only with a key)."""
    from bot.clock import Clock
    from bot.providers.codestral import MistralFIM

    return MistralFIM(
        base_url=resolved.api_base,
        api_key=resolved.api_key,
        key_variable=resolved.key_source,
        params=resolved.params,
        clock=Clock(resolved.time_scale),
        concurrency=resolved.options.concurrency,
    )


def configure_logging(verbosity: int, env: Mapping[str, str]) -> None:
    """Logs on stderr as `fim-bot: ...`; -v for info, -vv for debug (every wait, every retry)."""
    secrets = tuple(v for k, v in env.items() if k.endswith(("_API_KEY", "_TOKEN")) and len(v) >= 4)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("fim-bot: %(message)s"))
    handler.addFilter(_Redact(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("bot").setLevel(
        [logging.WARNING, logging.INFO, logging.DEBUG][min(verbosity, 2)]
    )


class _Redact(logging.Filter):
    """A last line of defence: no log line ever shows a key or a token, whatever logged it."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self._secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(s in message for s in self._secrets):
            for secret in self._secrets:
                message = message.replace(secret, "***")
            record.msg, record.args = message, None
        return True
