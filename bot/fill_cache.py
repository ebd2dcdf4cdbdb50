"""The pre-commit hooks' local cache of fills, keyed by the holes' fingerprints.

A hole shown at `git commit` is shown again when the commit is retried, and once more at
`git push`: the cache makes those later runs cost no model call. It lives in the repository's
git directory (`.git/fim-bot/cache.json`, shared by its worktrees), is never committed, and is
only ever a cache: an unreadable file is an empty cache, and a file that cannot be written is
left as it was.

An entry is reused only for the same model on the same server and the same hole text, byte
for byte: the fingerprint leaves out indentation, and a fill made for other indentation would
not fit; a fill from another server (one a branch once named, say) is not this one's.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from bot.data import Hole, Result
from bot.github.fingerprint import fingerprints
from bot.text import split_lines

log = logging.getLogger("bot.cache")

VERSION = 1
MAX_ENTRIES = 2000  # the most recently used are kept


class FillCache:
    def __init__(self, path: Path, *, model: str, entries: dict[str, dict[str, object]]) -> None:
        self.path = path
        self.model = model
        self._entries = entries
        self._changed = False
        self.hits = 0

    @classmethod
    def load(cls, path: Path, *, model: str) -> FillCache:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {}
        except (OSError, ValueError) as error:
            log.debug("cache %s unreadable, starting afresh: %s", path, error)
            data = {}
        fills = (
            data.get("fills") if isinstance(data, dict) and data.get("version") == VERSION else {}
        )
        entries = {
            k: v for k, v in (fills or {}).items() if isinstance(k, str) and isinstance(v, dict)
        }
        return cls(path, model=model, entries=entries)

    def lookup(self, holes: list[Hole], texts: dict[str, str]) -> dict[Hole, str]:
        """The cached fill of each hole that has one (the `cached` hook of `pipeline.run`)."""
        found: dict[Hole, str] = {}
        for hole, mark in fingerprints(holes, texts).items():
            entry = self._entries.get(mark)
            if (
                entry is not None
                and entry.get("model") == self.model
                and entry.get("hole") == _hole_text(hole, texts)
                and isinstance(entry.get("suggestion"), str)
            ):
                found[hole] = str(entry["suggestion"])
                entry["used"] = time.time()
                self._changed = True
        self.hits += len(found)
        return found

    def remember(self, results: Iterable[Result], texts: dict[str, str]) -> None:
        """Keep the fills the model made in this run."""
        made = [r for r in results if r.status == "suggested" and r.suggestion is not None]
        if not made:
            return
        marks = fingerprints([r.hole for r in made], texts)
        now = time.time()
        for result in made:
            self._entries[marks[result.hole]] = {
                "model": self.model,
                "hole": _hole_text(result.hole, texts),
                "suggestion": result.suggestion,
                "used": now,
            }
        self._changed = True

    def save(self) -> None:
        """Write the cache atomically, keeping the most recently used entries."""
        if not self._changed:
            return
        kept = sorted(self._entries.items(), key=lambda kv: _used(kv[1]), reverse=True)
        data = {"version": VERSION, "fills": dict(kept[:MAX_ENTRIES])}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".cache-", suffix=".tmp")
        except OSError as error:
            log.debug("cache %s not written: %s", self.path, error)
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as stream:
                json.dump(data, stream, indent=1, sort_keys=True)
            os.replace(temporary, self.path)  # readers see the old file or the new one, whole
        except OSError as error:
            log.debug("cache %s not written: %s", self.path, error)
            Path(temporary).unlink(missing_ok=True)


def _hole_text(hole: Hole, texts: dict[str, str]) -> str:
    return "".join(split_lines(texts[hole.path])[hole.start_line - 1 : hole.end_line])


def _used(entry: dict[str, object]) -> float:
    used = entry.get("used")
    return float(used) if isinstance(used, int | float) else 0.0
