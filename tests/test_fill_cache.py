"""The hooks' local cache of fills (bot.fill_cache) and the pipeline's `cached` hook."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot import pipeline
from bot.data import Changes, Report, SourceFile
from bot.fill_cache import FillCache
from bot.providers import Provider

TEXT = "def add(a, b):\n    # TODO: add them up\n    pass\n\n\ndef sub(a, b):\n    pass\n"
FILLS = {"add": "    return a + b\n", "sub": "    return a - b\n"}


def changes(text: str = TEXT) -> Changes:
    lines = frozenset(range(1, text.count("\n") + 2))
    return Changes(files=(SourceFile(path="calc.py", text=text, added=lines),), skipped=())


def never() -> Provider:
    raise AssertionError("the model was asked, though every fill was cached")


def filled(cache: FillCache, text: str = TEXT) -> Report:
    """A run whose holes are all planned, then remembered with the fill of their function."""
    planned = pipeline.run(changes(text), options=pipeline.Options(dry_run=True), provider=never)
    results = [
        replace(r, status="suggested", suggestion=FILLS[r.hole.scope]) for r in planned.results
    ]
    cache.remember(results, planned.texts)
    cache.save()
    return planned


def test_cached_fills_come_back_as_suggestions_without_a_model_call(tmp_path: Path) -> None:
    """Fills remembered in one run are `suggested` in the next, with no usage, no request,
    and from a cache read again from disk."""
    path = tmp_path / "fim-bot" / "cache.json"
    filled(FillCache.load(path, model="codestral-latest"))
    cache = FillCache.load(path, model="codestral-latest")
    report = pipeline.run(
        changes(), options=pipeline.Options(), provider=never, cached=cache.lookup
    )
    assert [(r.status, r.suggestion, r.usage) for r in report.results] == [
        ("suggested", FILLS["add"], None),
        ("suggested", FILLS["sub"], None),
    ]
    assert cache.hits == 2


@pytest.mark.parametrize(
    ("model", "text"),
    [
        pytest.param("codestral-2405", TEXT, id="another-model"),
        pytest.param("codestral-latest", TEXT.replace("    ", "\t"), id="other-indentation"),
    ],
)
def test_a_fill_is_reused_only_for_the_same_model_and_the_same_hole(
    tmp_path: Path, model: str, text: str
) -> None:
    """The fingerprint ignores indentation; the cache does not: a fill made for other
    indentation, or by another model, is asked for again."""
    path = tmp_path / "cache.json"
    filled(FillCache.load(path, model="codestral-latest"))
    cache = FillCache.load(path, model=model)
    report = pipeline.run(
        changes(text), options=pipeline.Options(dry_run=True), provider=never, cached=cache.lookup
    )
    assert [r.status for r in report.results] == ["planned", "planned"]


def test_a_cached_fill_that_no_longer_parses_is_not_offered(tmp_path: Path) -> None:
    """A cached fill goes through the same syntax check as a new one."""
    path = tmp_path / "cache.json"
    cache = FillCache.load(path, model="m")
    planned = filled(cache)
    broken = [
        replace(r, status="suggested", suggestion="    return (\n")
        for r in planned.results
        if r.hole.scope == "sub"
    ]
    cache.remember(broken, planned.texts)
    report = pipeline.run(
        changes(), options=pipeline.Options(), provider=never, cached=cache.lookup
    )
    assert [r.status for r in report.results] == ["suggested", "failed"]


@pytest.mark.parametrize("content", ["{not json", '{"version": 99, "fills": {}}', "[]", "\0"])
def test_an_unreadable_cache_is_an_empty_one(tmp_path: Path, content: str) -> None:
    """A damaged or foreign cache file is no error: it is replaced by the next save."""
    path = tmp_path / "cache.json"
    path.write_text(content)
    cache = FillCache.load(path, model="m")
    assert cache.lookup([], {}) == {}
    filled(cache)
    again = FillCache.load(path, model="m")
    report = pipeline.run(
        changes(), options=pipeline.Options(), provider=never, cached=again.lookup
    )
    assert report.count("suggested") == 2
