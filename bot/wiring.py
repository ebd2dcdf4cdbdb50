"""What the entry points (`bot`, `fim-bot-hook`) share: the model client from the settings,
and logging to stderr that never shows a secret, one line a record."""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from bot.text import visible

if TYPE_CHECKING:
    from bot.data import Prompt
    from bot.providers import Provider
    from bot.settings import Settings

# Each wire format's client, imported only when chosen (httpx is not needed before).
_CLIENTS = {
    "mistral": ("bot.providers.codestral", "MistralFIM"),
    "ollama": ("bot.providers.ollama", "Ollama"),
    "llamacpp": ("bot.providers.llamacpp", "LlamaCpp"),
    "openai": ("bot.providers.openai", "OpenAICompletions"),
    "template": ("bot.providers.openai", "TemplateCompletions"),
}


def provider(resolved: Settings) -> Provider:
    """The model client the settings describe (call it only with a key, where one is needed)."""
    from bot.clock import Clock
    from bot.providers.templates import TEMPLATES

    module, name = _CLIENTS[resolved.provider.wire]
    extra: dict[str, Any] = {}
    if resolved.fim_template:
        extra["template"] = TEMPLATES[resolved.fim_template]
    client: Provider = getattr(importlib.import_module(module), name)(
        base_url=resolved.api_base,
        api_key=resolved.api_key,
        key_variable=resolved.key_source,
        params=resolved.params,
        clock=Clock(resolved.time_scale),
        concurrency=resolved.options.concurrency,
        key_required=resolved.provider.key_required,
        **extra,
    )
    return client


def raw_prompt(resolved: Settings) -> Callable[[Prompt], str] | None:
    """For the `template` provider, what it sends in place of prefix and suffix: the raw FIM
    prompt in the model family's tokens (shown as `prompt.raw` in JSON). None for the others."""
    if resolved.provider.wire != "template":
        return None
    from bot.providers.templates import TEMPLATES, for_model

    template = (
        TEMPLATES[resolved.fim_template]
        if resolved.fim_template
        else for_model(resolved.params.model)
    )
    if template is None:
        return None
    return lambda prompt: template.render(prompt.prefix, prompt.suffix)


def configure_logging(verbosity: int, env: Mapping[str, str]) -> None:
    """Logs on stderr as `fim-bot: ...`; -v for info, -vv for debug (every wait, every retry)."""
    secrets = tuple(v for k, v in env.items() if k.endswith(("_API_KEY", "_TOKEN")) and len(v) >= 4)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine("fim-bot: %(message)s"))
    handler.addFilter(_Redact(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("bot").setLevel(
        [logging.WARNING, logging.INFO, logging.DEBUG][min(verbosity, 2)]
    )


class _OneLine(logging.Formatter):
    """Each record on one line, whatever its arguments hold (a path, a server's message): a
    line break in them must not start a line that a CI runner would read as its own."""

    def format(self, record: logging.LogRecord) -> str:
        return visible(super().format(record))


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
